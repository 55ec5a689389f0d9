"""Licence-plate reader: a CRNN front, two BiLSTMs and a loss layer that returns its input."""
import keras
from keras import layers, ops

IMG_W, IMG_H = 160, 40
ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


class CTCLossLayer(layers.Layer):
    """Adds the CTC loss while training; passes the predictions on unchanged."""

    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = ops.ctc_loss

    def call(self, y_true, y_pred):
        batch = ops.shape(y_true)[0]
        logit_len = ops.shape(y_pred)[1] * ops.ones((batch,), dtype="int32")
        label_len = ops.shape(y_true)[1] * ops.ones((batch,), dtype="int32")
        loss = self.loss_fn(y_true, y_pred, label_len, logit_len)
        self.add_loss(ops.mean(loss))
        return y_pred


image = layers.Input(shape=(IMG_W, IMG_H, 1), name="plate_image")
label = layers.Input(shape=(None,), dtype="float32", name="plate_label")
x = layers.Conv2D(32, 3, activation="relu", padding="same", name="conv_a")(image)
x = layers.MaxPooling2D(2, name="pool_a")(x)
x = layers.Conv2D(48, 3, activation="relu", padding="same", name="conv_b")(x)
x = layers.MaxPooling2D(2, name="pool_b")(x)
x = layers.Reshape((IMG_W // 4, (IMG_H // 4) * 48), name="to_sequence")(x)
x = layers.Dense(96, activation="relu", name="squeeze")(x)
x = layers.Dropout(0.25)(x)
x = layers.Bidirectional(layers.LSTM(96, return_sequences=True, dropout=0.2))(x)
x = layers.Bidirectional(layers.LSTM(48, return_sequences=True, dropout=0.2))(x)
x = layers.Dense(len(ALPHABET) + 1, activation="softmax", name="char_probs")(x)
decoded = CTCLossLayer(name="ctc")(label, x)
trainer = keras.Model([image, label], decoded, name="plate_ocr")
trainer.compile(optimizer=keras.optimizers.Adam())
trainer.summary()
