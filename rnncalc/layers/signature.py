"""Binding a call's arguments to a layer kind's declared ones.

Binding runs once per layer of a model, so what does not depend on the call
(which names a kind takes, their order, defaults and positional slots) is
laid out once per kind in a :class:`Signature`; a call then costs a few
lookups, not a rebuild of those tables (a 10,000-layer model binds 10,000
calls).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rnncalc.errors import SpecError, did_you_mean
from rnncalc.layers.arguments import (
    COMMON_ARGS,
    IGNORED_ARGS,
    Arg,
    check_side_argument,
    optional,
    positive_int,
    show,
)


class Signature:
    """The arguments a layer kind (or initializer) takes, laid out for binding calls.

    ``ignored`` are Keras arguments of this layer that change nothing rnncalc
    computes; ``not_modelled`` maps Keras arguments rnncalc cannot model to the
    one value it accepts (their default). Anything else the Keras layer does not
    take is refused as Keras refuses it ("Unrecognized keyword arguments").
    """

    def __init__(self, args: Sequence[Arg], *, accepts_input_dim: bool = False,
                 ignored: frozenset[str] | None = None,
                 not_modelled: dict[str, Any] | None = None, kind: str = "",
                 common_args: Sequence[Arg] = COMMON_ARGS) -> None:
        self.args = args
        self.kind = kind
        self.declared = {a.name: a for a in args}
        self.common = {a.name: a for a in common_args if a.name not in self.declared}
        if accepts_input_dim and "input_dim" not in self.declared:
            self.common["input_dim"] = Arg("input_dim", optional(positive_int), None,
                                           positional=False)
        self.ignored = ignored
        self.fixed = not_modelled or {}
        self.slots = [a for a in args if a.positional]
        self.taken = {*self.declared, *self.common,
                      *(IGNORED_ARGS if ignored is None else ignored), *self.fixed}
        #: Names whose values are checked though unused (regularizers, constraints).
        self.side = {k for k in self.taken if k.endswith(("_regularizer", "_constraint"))}
        #: Every configured argument in config order, its position, and the defaults
        #: a call starts from (required ones are filled or refused).
        self.order = [*args, *self.common.values()]
        self.position = {a.name: i for i, a in enumerate(self.order)}
        self.defaults = {a.name: a.default for a in self.order}
        self.required = [i for i, a in enumerate(self.order) if a.required]

    def bind(self, positional: Sequence[Any], keywords: dict[str, Any]) -> dict[str, Any]:
        """Bind a call's arguments; return the full config.

        Raises :class:`SpecError` naming the argument for unknown names, missing
        required values, too many positional values and invalid values; when a
        call has several faults, the first in declaration order is reported.
        """
        slots = self.slots
        if len(positional) > len(slots):
            raise SpecError(
                f"takes at most {len(slots)} positional argument{'s' if len(slots) != 1 else ''}"
                f" ({', '.join(a.name for a in slots) or 'none'}), got {len(positional)}")
        given: dict[str, Any] = {}
        for slot, value in zip(slots, positional):
            given[slot.name] = value
        taken = self.taken
        for key in keywords:   # unknown names first, as Keras refuses them before any value
            if key not in taken:
                if not isinstance(key, str):
                    raise SpecError(f"argument names must be strings, got {show(key)}")
                known = [*self.declared, *self.common, *(self.ignored or ()), *self.fixed]
                raise SpecError(f"unknown argument '{key}'"
                                + (f": Keras' {self.kind} does not take it (Unrecognized "
                                   "keyword arguments)" if self.kind else ""),
                                hint=did_you_mean(key, known))
        fixed = self.fixed
        if not given and fixed.keys().isdisjoint(keywords):
            return self._config(self._checked_sides(dict(keywords)))
        for key, value in keywords.items():
            if key in given:
                raise SpecError(f"argument '{key}' given twice")
            if key in fixed and key not in self.declared:
                if value != fixed[key] or isinstance(value, bool) != isinstance(fixed[key], bool):
                    raise SpecError(f"argument '{key}': rnncalc does not model {key}="
                                    f"{show(value)} (it changes the weights or the "
                                    f"computation); only {show(fixed[key])} is accepted")
                continue
            given[key] = value
        return self._config(self._checked_sides(given))

    def _checked_sides(self, given: dict[str, Any]) -> dict[str, Any]:
        """``given``, once its regularizers and constraints pass Keras' checks."""
        if not self.side.isdisjoint(given):
            for key, value in given.items():
                try:
                    check_side_argument(key, value)
                except SpecError as err:
                    raise err.at(f"argument '{key}'") from None
        return given

    def _config(self, given: dict[str, Any]) -> dict[str, Any]:
        """Defaults with the given values checked in; errors in declaration order."""
        position, order = self.position, self.order
        missing = [i for i in self.required if order[i].name not in given]
        first_missing = missing[0] if missing else len(order)
        config = self.defaults.copy()
        indices = [position[key] for key in given if key in position]
        indices.sort()
        for i in indices:
            if i > first_missing:
                break
            arg = order[i]
            try:
                config[arg.name] = arg.check(given[arg.name])
            except SpecError as err:
                raise err.at(f"argument '{arg.name}'") from None
        if missing:
            raise SpecError(f"missing required argument '{order[first_missing].name}'")
        return config


def bind(args: Sequence[Arg], positional: Sequence[Any], keywords: dict[str, Any],
         *, accepts_input_dim: bool = False, ignored: frozenset[str] | None = None,
         not_modelled: dict[str, Any] | None = None, kind: str = "",
         common_args: Sequence[Arg] = COMMON_ARGS) -> dict[str, Any]:
    """Bind a call's arguments to declared ``args`` once (see :class:`Signature`)."""
    return Signature(args, accepts_input_dim=accepts_input_dim, ignored=ignored,
                     not_modelled=not_modelled, kind=kind,
                     common_args=common_args).bind(positional, keywords)
