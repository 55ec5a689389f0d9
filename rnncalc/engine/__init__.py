"""The NumPy engine: runs a built :class:`~rnncalc.graph.Graph` at inference.

The engine only walks the graph and handles data (weights, inputs, memory);
every layer kind's arithmetic is its own ``forward`` method. NumPy is imported
by the engine modules, so importing :mod:`rnncalc` (for ``summary``) never
pays for it.
"""
