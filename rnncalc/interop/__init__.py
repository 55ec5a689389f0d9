"""Reading models in other people's formats, and writing specs back out.

Each format is translated into the one :class:`~rnncalc.spec.model.ModelSpec`
the graph builder takes, so shapes, counts and errors come from the same
layer modules as for YAML specs:

* :mod:`.keras_config`: the JSON ``model.to_json()`` writes (Keras 3, Keras 2
  and tf.keras; Sequential and Functional),
* :mod:`.keras_archive`: ``.keras`` archives and legacy ``.h5`` full-model
  files, with their weights (h5py, an optional extra),
* :mod:`.notebook`: models built in ``.ipynb`` and ``.py`` code (Sequential,
  functional, subclassed), read statically with :mod:`ast`.

Only the suffix test is imported on the YAML path; :mod:`rnncalc.api` dispatches
on the file suffix (or on the JSON content) and imports lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rnncalc.interop.found import FoundModel

ARCHIVE_SUFFIXES = (".keras", ".h5", ".hdf5")
CODE_SUFFIXES = (".ipynb", ".py")
FOREIGN_SUFFIXES = ARCHIVE_SUFFIXES + CODE_SUFFIXES


def is_foreign(path: str) -> bool:
    """True for files that are not YAML/JSON specs (decided by suffix)."""
    return path.lower().endswith(FOREIGN_SUFFIXES)


def read_models(path: str, bindings: dict[str, Any] | None = None) -> list[FoundModel]:
    """Every model in a ``.keras``/``.h5``/``.ipynb``/``.py`` file.

    ``bindings`` (``--set NAME=VALUE``) give code the values only its data knows.
    """
    lower = path.lower()
    if lower.endswith(ARCHIVE_SUFFIXES):
        from rnncalc.interop.found import FoundModel
        from rnncalc.interop.keras_archive import read_archive_spec

        return [FoundModel(read_archive_spec(path))]
    from rnncalc.interop.notebook import read_code_models

    return read_code_models(path, bindings)
