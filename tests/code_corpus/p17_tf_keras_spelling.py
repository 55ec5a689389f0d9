# data-only:
"""tf.keras spellings throughout."""
import tensorflow as tf

vocab_size = 10000
k_init = tf.keras.initializers.Constant(value=0.1)

model = tf.keras.models.Sequential()
model.add(tf.keras.layers.Embedding(vocab_size, 16, input_shape=(None,)))
model.add(tf.keras.layers.LSTM(32, kernel_initializer=k_init, return_sequences=True))
model.add(tf.keras.layers.GlobalAveragePooling1D())
model.add(tf.keras.layers.Dense(16, activation=tf.nn.relu))
model.add(tf.keras.layers.Dense(1, activation=tf.nn.sigmoid))
model.summary()

inp = tf.keras.layers.Input(shape=(20, 3))
out = tf.keras.layers.SimpleRNN(10, activation=tf.nn.tanh)(inp)
out = tf.keras.layers.Dense(2, activation=tf.nn.softmax)(out)
tiny = tf.keras.Model(inputs=inp, outputs=out)
