"""rnncalc: Keras-exact RNN shape and parameter calculator with a NumPy engine.

The Python API (contract §7)::

    import rnncalc
    m = rnncalc.load("model.yaml")      # or a dict, YAML text, layers=[...], a notebook
    s = m.summary()                      # s.total_params, s.to_dict(), str(s)
    m.explain(); m.run(); m.export("keras")

Names are imported on first use, so ``import rnncalc`` stays cheap (no NumPy,
rich, typer or YAML until a call needs them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rnncalc._version import __version__
from rnncalc.errors import SpecError

if TYPE_CHECKING:
    from rnncalc.api import (
        Explanation,
        Model,
        Summary,
        diff,
        from_keras,
        load,
        load_all,
        solve,
        sweep,
    )

_API = ("load", "load_all", "from_keras", "Model", "Summary", "Explanation", "solve", "sweep",
        "diff")

__all__ = ["Explanation", "Model", "SpecError", "Summary", "__version__", "diff", "from_keras",
           "load", "load_all", "load_ipython_extension", "solve", "sweep"]


def __getattr__(name: str) -> Any:
    if name in _API:
        from rnncalc import api

        return getattr(api, name)
    raise AttributeError(f"module 'rnncalc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext rnncalc``: the ``%rnncalc`` line magic and ``%%rnncalc`` cell magic."""
    from rnncalc.magics import register

    register(ipython)
