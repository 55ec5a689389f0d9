# data-only:
"""Names imported from tensorflow.keras submodules."""
from tensorflow.keras import Input
from tensorflow.keras.layers import LSTM, Dense, Dropout, Bidirectional, Embedding
from tensorflow.keras.models import Sequential, Model

n_steps, n_features = 7, 2

model = Sequential()
model.add(Bidirectional(LSTM(50, activation="relu"), input_shape=(n_steps, n_features)))
model.add(Dense(1))
model.compile(optimizer="adam", loss="mse")

inp = Input(shape=(n_steps,))
emb = Embedding(500, 8)(inp)
hidden = LSTM(16)(emb)
hidden = Dropout(0.3)(hidden)
out = Dense(1, activation="sigmoid")(hidden)
model2 = Model(inp, out)
