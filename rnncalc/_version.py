"""The package version, importable without importing the rest of rnncalc."""

__version__ = "0.1.0"
