"""rnncalc: Keras-exact RNN shape and parameter calculator with a NumPy engine."""

__version__ = "0.1.0"
