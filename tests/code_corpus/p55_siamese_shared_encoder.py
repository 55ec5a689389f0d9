"""Question-pair similarity: one LSTM encoder model shared by both questions."""
import keras
from keras import layers

MAX_LEN = 30
VOCAB = 20000
EMBED_DIM = 100


def build_encoder():
    tokens = keras.Input(shape=(MAX_LEN,), name="tokens")
    x = layers.Embedding(VOCAB, EMBED_DIM, mask_zero=True)(tokens)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    x = layers.Dense(64, activation="relu")(x)
    return keras.Model(tokens, x, name="question_encoder")


encoder = build_encoder()
encoder.summary()

left = keras.Input(shape=(MAX_LEN,), name="left")
right = keras.Input(shape=(MAX_LEN,), name="right")
code_left = encoder(left)
code_right = encoder(right)
difference = layers.Subtract()([code_left, code_right])
product = layers.Multiply()([code_left, code_right])
merged = layers.Concatenate()([code_left, code_right, difference, product])
hidden = layers.Dense(32, activation="relu")(merged)
score = layers.Dense(1, activation="sigmoid")(hidden)

siamese = keras.Model(inputs=[left, right], outputs=score)
siamese.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
siamese.summary()
