"""What a reader of other people's files returns for each model it finds.

Kept apart from the package's ``__init__`` so that the suffix test every
``load`` makes does not build this class (a cold start pays for each class).
"""

from __future__ import annotations

from dataclasses import dataclass

from rnncalc.spec.model import ModelSpec


@dataclass(frozen=True)
class FoundModel:
    """One model read from a file; ``title`` says where it was found (or is ``None``)."""

    spec: ModelSpec
    title: str | None = None
