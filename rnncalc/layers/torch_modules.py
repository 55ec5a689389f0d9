"""What a layer kind declares about its ``torch.nn`` counterpart: modules and state_dict entries.

Plain data: layer kinds return :class:`TorchModule` values from ``torch_modules``
and :mod:`rnncalc.reports.pytorch` collects them over a graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod


@dataclass(frozen=True)
class TorchParam:
    """One ``state_dict`` entry. Buffers (running statistics) are not parameters."""

    name: str
    shape: tuple[int, ...]
    role: str = ""
    dims: tuple[str, ...] = ()
    trainable: bool = True
    buffer: bool = False

    @property
    def params(self) -> int:
        return prod(self.shape)


@dataclass(frozen=True)
class TorchModule:
    """A ``torch.nn`` module call equivalent to (part of) one Keras layer."""

    call: str                               # "nn.LSTM(100, 128, batch_first=True)"
    state_dict: tuple[TorchParam, ...] = ()
    notes: tuple[str, ...] = ()
    prefix: str = ""                        # state_dict key prefix inside a wrapper

    @property
    def params(self) -> int:
        return sum(p.params for p in self.state_dict if not p.buffer)

    @property
    def trainable_params(self) -> int:
        return sum(p.params for p in self.state_dict if not p.buffer and p.trainable)
