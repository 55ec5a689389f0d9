"""SimpleRNN, LSTM and GRU: the recurrent layers and their weight layouts.

The three kinds share one sequence wrapper (:class:`Recurrent`); each
declares only its gates, its states and the bias layout. Weight layouts are
Keras 3's: ``kernel (input_dim, gates·units)``, ``recurrent_kernel (units,
gates·units)``, gate order i, f, c, o for LSTM and z, r, h for GRU.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rnncalc.errors import SpecError
from rnncalc.layers.activations import activation
from rnncalc.layers.arguments import Arg, anything, boolean, positive_int, rate
from rnncalc.layers.base import Layer, Weight, require_known, require_rank
from rnncalc.layers.counting import (
    ACT,
    ADD,
    INFERENCE,
    MAC,
    MUL,
    TRAINING,
    CostTerm,
    MemoryTerm,
    describe_dims,
    dim,
    positions,
)
from rnncalc.layers.initializers import init_arg
from rnncalc.layers.shapes import Shape, dims_compatible, format_shape

#: Options of torch.nn.RNN/LSTM/GRU with no Keras counterpart. The PyTorch
#: convention (:mod:`rnncalc.reports.pytorch`) reads them off the call before the layer
#: is made; a Keras layer refuses them.
TORCH_ONLY_OPTIONS = ("num_layers", "bidirectional", "proj_size")


class TorchOptionError(SpecError):
    """A PyTorch-only option given to a Keras recurrent layer."""


#: Arguments Keras takes (in this positional order) that change neither shapes, counts nor
#: inference: accepted in their place, so positional calls bind as in Keras, and unused.
REGULARIZER_SLOTS = ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                     "activity_regularizer", "kernel_constraint", "recurrent_constraint",
                     "bias_constraint")


def unused(name: str) -> Arg:
    """An argument Keras takes that rnncalc accepts in its place and does not use."""
    return Arg(name, anything, None, used=False)


def _sequence_args(*, gated: bool, extra: tuple[Arg, ...] = (),
                   seed_early: bool = True) -> tuple[Arg, ...]:
    """Keras 3 recurrent-layer arguments in signature order (``seed`` follows the dropouts
    in LSTM and GRU, and ends SimpleRNN's list)."""
    head = [Arg("units", positive_int), Arg("activation", activation, "tanh")]
    if gated:
        head.append(Arg("recurrent_activation", activation, "sigmoid"))
    seed = [unused("seed")]
    head += [
        Arg("use_bias", boolean, True),
        init_arg("kernel_initializer", "glorot_uniform"),
        init_arg("recurrent_initializer", "orthogonal"),
        init_arg("bias_initializer", "zeros"),
        *extra,
        *(unused(name) for name in REGULARIZER_SLOTS),
        Arg("dropout", rate, 0.0),
        Arg("recurrent_dropout", rate, 0.0),
        *(seed if seed_early else []),
        Arg("return_sequences", boolean, False),
        Arg("return_state", boolean, False),
        Arg("go_backwards", boolean, False),
        Arg("stateful", boolean, False),
        Arg("unroll", boolean, False),
        *([] if seed_early else seed),
        # keyword-only in Keras: taken by the RNN base through **kwargs
        Arg("zero_output_for_mask", boolean, False, positional=False),
    ]
    return tuple(head)


#: Keras 3 arguments of SimpleRNN that change neither shapes, counts nor inference
#: (regularizers, constraints, the dropout seed, autocast); LSTM and GRU also take
#: ``use_cudnn``. Anything else Keras refuses, and so do we.
RECURRENT_IGNORED = frozenset({
    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
    "kernel_constraint", "recurrent_constraint", "bias_constraint", "seed", "autocast",
})
GATED_IGNORED = RECURRENT_IGNORED | {"use_cudnn"}   # Keras 3 refuses implementation


class SequenceLoop:
    """What every layer the engine's sequence loop runs shares (Recurrent kinds and RNN):
    the mask rule, the loop's options from the config, and the forward call that hands
    the engine's ``loop`` to :meth:`run_sequences`."""

    SUPPORTS_MASKING = True
    config: dict[str, Any]
    STATES: Any

    def uses_sequence_loop(self) -> bool:
        return True

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        # Keras: the sequence keeps the input's time mask; the states are unmasked.
        out = masks[0] if self.config["return_sequences"] else None
        return [out] + [None] * (len(self.STATES) if self.config["return_state"] else 0)

    def loop_options(self) -> dict[str, bool]:
        """The sequence loop's keywords from this layer's config."""
        c = self.config
        return {k: bool(c.get(k)) for k in ("return_sequences", "return_state",
                                            "go_backwards", "zero_output_for_mask")}

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None, *,
                loop: Any = None) -> list[Any]:
        """The engine's sequence ``loop`` steps this layer's cell over time."""
        return self.run_sequences(loop, inputs[0], inputs[1:], weights, mask)

    def run_sequences(self, loop: Any, x: Any, initial: list[Any], weights: dict[str, Any],
                      mask: Any = None, **overrides: bool) -> list[Any]:
        raise NotImplementedError


class Recurrent(SequenceLoop, Layer):
    """A recurrent layer: one cell stepped over the time axis of (batch, time, features)."""

    MAX_INPUTS = None
    TAKES_INITIAL_STATE = True
    #: A layer that runs over a time axis (Bidirectional wraps such layers).
    SEQUENCE_LAYER: ClassVar[bool] = True
    GATES: ClassVar[tuple[str, ...]] = ()
    STATES: ClassVar[tuple[str, ...]] = ("h",)
    MIN_INPUTS = 1

    @property
    def units(self) -> int:
        return self.config["units"]

    def shape_from_input_dim(self, input_dim: int, input_length: int | None) -> Shape:
        return (self.config.get("batch_size"), input_length, input_dim)

    def gates_note(self) -> str:
        """What the last kernel axis holds, e.g. ``4 gates (i, f, c, o) × 3 units``."""
        n = len(self.GATES)
        if n == 1:
            return f"{self.units} units"
        return f"{n} gates ({', '.join(self.GATES)}) × {self.units} units"

    def bias_weights(self) -> list[Weight]:
        """The bias as Keras declares it (GRU overrides for reset_after)."""
        n = len(self.GATES)
        return [Weight("bias", (n * self.units,), self.config["bias_initializer"],
                       role="bias", dims=(self.gates_note(),))]

    IGNORED_ARGS = RECURRENT_IGNORED

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        for key in ("activation", "recurrent_activation"):
            if config.get(key) == "glu":
                raise SpecError(f"argument '{key}': 'glu' halves the last dim, which a "
                                "recurrent cell's state cannot take (Keras fails as well)")

    @classmethod
    def from_call(cls, call: Any, namer: Any) -> Layer:
        given = [k for k in TORCH_ONLY_OPTIONS if k in call.kwargs]
        if given:
            raise TorchOptionError(
                f"argument '{given[0]}' is a PyTorch option (torch.nn.{cls.TORCH_MODULE}) with "
                "no Keras equivalent; it is accepted only with --convention pytorch (in Keras, "
                "stack layers or wrap the layer in Bidirectional)")
        return super().from_call(call, namer)

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        x = inputs[0]
        self.check_sequence(x)
        features = require_known(x[-1], "last (features)", x)
        return self.direction_weights(features, self.units)

    def direction_weights(self, width: int, recurrent_width: int, *, prefix: str = "",
                          scope: str = "", recurrent_what: str = "units") -> list[Weight]:
        """Kernel, recurrent kernel and bias of one direction reading ``width`` features.

        ``recurrent_width`` is what the recurrent kernel reads (``units``, or a
        projection's width in PyTorch stacks, which reuse this with a prefix).
        """
        n, units, note = len(self.GATES), self.units, self.gates_note()
        role = (scope + " ") if scope else ""
        weights = [
            Weight(f"{prefix}kernel", (width, n * units), self.config["kernel_initializer"],
                   role=f"{role}input kernel (W_x)", dims=(f"{width} input features", note)),
            Weight(f"{prefix}recurrent_kernel", (recurrent_width, n * units),
                   self.config["recurrent_initializer"], role=f"{role}recurrent kernel (W_h)",
                   dims=(f"{recurrent_width} {recurrent_what}", note)),
        ]
        if self.config["use_bias"]:
            biases = self.bias_weights()
            if prefix or role:
                biases = [Weight(f"{prefix}{b.name}", b.shape, b.initializer,
                                 role=f"{role}{b.role}", dims=b.dims) for b in biases]
            weights += biases
        return weights

    def check_sequence(self, x: Shape) -> None:
        require_rank(x, 3, "(batch, timesteps, features)")
        if self.config["stateful"] and x[0] is None:
            raise SpecError("a stateful layer needs a fixed batch size: give batch_size in the "
                            "input block, batch_input_shape, or --batch-size")

    def sequence_option(self) -> str | None:
        return None if self.config["return_sequences"] else "return_sequences"

    def output_names(self, inputs: list[Shape]) -> list[str]:
        """``sequence``/``output``, then the final states (``h``, ``c``) in Keras order."""
        head = "sequence" if self.config["return_sequences"] else "output"
        return [head, *(self.STATES if self.config["return_state"] else ())]

    def state_shapes(self, x: Shape) -> list[Shape]:
        return [(x[0], self.units) for _ in self.STATES]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x, initial = inputs[0], inputs[1:]
        self.check_sequence(x)
        self.check_initial_state(x, initial)
        width = self.units
        out: Shape = (x[0], x[1], width) if self.config["return_sequences"] else (x[0], width)
        shapes = [out]
        if self.config["return_state"]:
            shapes += self.state_shapes(x)
        return shapes

    def check_initial_state(self, x: Shape, initial: list[Shape]) -> None:
        """``initial_state`` must give every state with shape (batch, units)."""
        if not initial:
            return
        names = ", ".join(self.STATES)
        if len(initial) != len(self.STATES):
            raise SpecError(f"initial_state: expects {len(self.STATES)} tensor"
                            f"{'s' if len(self.STATES) > 1 else ''} ({names}), got {len(initial)}")
        for state, want in zip(initial, self.state_shapes(x)):
            if len(state) != 2 or not all(dims_compatible(a, b) for a, b in zip(state, want)):
                raise SpecError(f"initial_state: expects shape {format_shape(want)}, "
                                f"got {format_shape(state)}")

    # -- cost ------------------------------------------------------------------

    #: Element-wise work of one step per sample, in multiples of ``units``:
    #: ``(what, op, multiple, activation argument or None)``.
    STEP_OPS: ClassVar[tuple[tuple[str, str, int, str | None], ...]] = ()
    #: Per-step vectors (each ``units`` wide) that backpropagation through
    #: time keeps for every timestep.
    BPTT_SAVED: ClassVar[tuple[str, ...]] = ("h_t",)
    TORCH_MODULE: ClassVar[str] = ""
    TORCH_GATES: ClassVar[tuple[str, ...]] = ()

    def step_ops(self) -> tuple[tuple[str, str, int, str | None], ...]:
        return self.STEP_OPS

    def bias_values(self, convention: str) -> int:
        """Bias values added per step: the declared bias weights, or PyTorch's.

        PyTorch keeps an input and a hidden bias (``TORCH_BIAS_VECTORS``) for
        every kind, where Keras has one (GRU with ``reset_after``: two).
        """
        if not self.config["use_bias"]:
            return 0
        if convention == "pytorch":
            return self.TORCH_BIAS_VECTORS * len(self.GATES) * self.units
        return sum(w.params for w in self.bias_weights())

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per sample and timestep, times ``B·T``: the two matmuls, biases, gate work."""
        x = inputs[0]
        return self.direction_cost(x, x[-1], self.units, self.bias_values(convention))

    def direction_cost(self, x: Shape, width: Any, recurrent_width: int, bias: int, *,
                       recurrent_symbol: str = "U") -> list[CostTerm]:
        """One direction's terms: ``width`` input features, ``recurrent_width`` fed back."""
        steps, where = positions(x), describe_dims(x)
        g, units = len(self.GATES), self.units
        gu, gun = (f"{g}U", f"{g}·{units}") if g > 1 else ("U", f"{units}")
        terms = [
            CostTerm("input matmul x_t·W_x", MAC, width * g * units, steps,
                     f"I·{gu}", f"{width}·{gun}", where),
            CostTerm("recurrent matmul h_{t-1}·W_h", MAC, recurrent_width * g * units, steps,
                     f"{recurrent_symbol}·{gu}", f"{recurrent_width}·{gun}", where),
        ]
        if bias:
            k = bias // (g * units)
            terms.append(CostTerm("bias add" + (" (input and recurrent biases)" if k == 2
                                                else ""), ADD, bias, steps,
                                  f"{k}·{gu}" if k > 1 else gu,
                                  f"{k}·{gun}" if k > 1 else gun, where))
        for what, op, mult, act in self.step_ops():
            name = self.config.get(act) if act else None
            if name == "linear":
                continue
            terms.append(CostTerm(f"{what} ({name})" if name else what, op, mult * units,
                                  steps, f"{mult}U" if mult > 1 else "U",
                                  f"{mult}·{units}" if mult > 1 else f"{units}", where))
        return terms

    def memory(self, inputs: list[Shape], outputs: list[Shape]) -> list[MemoryTerm]:
        """Working set of one step (inference) and every step's saved vectors (BPTT)."""
        return self.stack_memory(inputs[0], 1)

    def stack_memory(self, x: Shape, n: int) -> list[MemoryTerm]:
        """:meth:`memory` of ``n`` such directions or layers run one after another."""
        stack = f"{n} × " if n > 1 else ""
        states, gates = len(self.STATES), len(self.GATES)
        saved = len(self.BPTT_SAVED)
        return [
            MemoryTerm(f"state ({', '.join(self.STATES)}) and one step's {gates} gate "
                       f"pre-activation{'s' if gates > 1 else ''}", INFERENCE,
                       dim(x[0], 0) * ((states + gates) * self.units * n),
                       f"{stack}B·({states}+{gates})·U"),
            MemoryTerm(f"BPTT: every timestep's {', '.join(self.BPTT_SAVED)}", TRAINING,
                       positions(x) * (saved * self.units * n),
                       f"{stack}B·T·{saved}U" if saved > 1 else f"{stack}B·T·U"),
        ]

    # -- PyTorch facts (rnncalc.reports.pytorch lays the modules out from these) -----------

    #: How the layer maps onto torch.nn (see rnncalc.reports.pytorch.recurrent_modules).
    TORCH_LAYOUT: ClassVar[str] = "rnn"
    #: Bias vectors torch.nn.RNN/LSTM/GRU keep per layer and direction (b_ih, b_hh).
    TORCH_BIAS_VECTORS: ClassVar[int] = 2

    def torch_call_args(self) -> list[str]:
        """Extra keyword arguments of the torch module (nonlinearity for nn.RNN)."""
        return []

    def torch_notes(self) -> list[str]:
        """Where this kind's own settings have no exact PyTorch counterpart."""
        return []

    # -- forward pass: the cell protocol of rnncalc.engine.sequence ---------------

    def forward_steps(self, inputs: list[Shape]) -> int:
        return inputs[0][1] or 1

    def scratch_values(self, inputs: list[Shape], outputs: list[Shape]) -> int:
        batch, steps = inputs[0][0] or 1, inputs[0][1] or 1
        gates = len(self.GATES) * self.units
        # the (steps, gates·units, batch) input projection, at most one more step's slot
        # and the states
        return batch * steps * gates + batch * gates + len(self.STATES) * batch * self.units

    def run_sequences(self, loop: Any, x: Any, initial: list[Any], weights: dict[str, Any],
                      mask: Any = None, **overrides: bool) -> list[Any]:
        """``[output, *states]`` of this layer over ``x``; wrappers override loop options."""
        return loop(self, x, initial, weights, mask, **{**self.loop_options(), **overrides})

    def recurrent_product(self, p: dict[str, Any], h: Any, out: Any) -> None:
        """``h_{t-1}·W_h`` for every gate into ``out`` (gates·units, cols)."""
        import numpy as np

        np.matmul(p["recurrent"], h, out=out)

    def state_units(self, p: dict[str, Any]) -> int:
        return self.units

    def step_rows(self, p: dict[str, Any]) -> int:
        return p["kernel"].shape[1]

    def state_grid(self, x_shape: tuple[int, ...]) -> tuple[int, ...]:
        return ()

    def project(self, p: dict[str, Any], x: Any, out: Any) -> None:
        """Every timestep's input part x_t·W_x + b into ``out`` (steps, gates·units, batch)."""
        import numpy as np

        np.matmul(p["kernel"].T, x.transpose(1, 2, 0), out=out)
        for rows, bias in p["input_biases"]:
            out[:, rows] += bias[:, None]

    def prepare(self, weights: dict[str, Any]) -> dict[str, Any]:
        """Weights as :meth:`step` uses them: views, no copies for float32.

        ``recurrent`` is the transposed recurrent kernel (gates·units, units);
        ``input_biases`` lists ``(rows, bias)`` added to the input projection.
        """
        import numpy as np

        bias = weights.get("bias")
        return {"kernel": np.asarray(weights["kernel"], np.float32),
                "recurrent": np.asarray(weights["recurrent_kernel"], np.float32).T,
                "input_biases": [] if bias is None else
                [(slice(None), np.asarray(bias, np.float32))]}

    def fused_prepare(self, weights: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """``(kind, p)`` for the optional C kernel (:mod:`rnncalc.engine.fused`): its step
        kind and the weights in Keras' gate order, or ``None`` where the kernel does not
        cover this configuration (then the NumPy :meth:`step` runs)."""
        return None

    def step(self, p: dict[str, Any], z: Any, states: list[Any] | None, work: Any) -> list[Any]:
        """One timestep in the feature-major layout; returns the new states.

        ``z`` is this step's input projection (bias included), (gates·units,
        batch); ``states`` the previous (units, batch) states, or ``None`` when
        they are all zeros, and then ``work is z``. Otherwise ``work`` is a
        free buffer shaped like ``z``. The new states are views of ``work``
        (``h`` first); ``z`` may be overwritten.
        """
        raise NotImplementedError


class SimpleRNN(Recurrent):
    """Fully connected RNN: ``h_t = activation(x_t W_x + h_{t-1} W_h + b)``."""

    kind = "SimpleRNN"
    GATES = ("h",)
    ARGS = _sequence_args(gated=False, seed_early=False)
    STEP_OPS = (
        ("add x_t·W_x and h_{t-1}·W_h", ADD, 1, None),
        ("activation", ACT, 1, "activation"),
    )
    BPTT_SAVED = ("h_t",)
    TORCH_MODULE = "RNN"

    def torch_call_args(self) -> list[str]:
        act = self.config["activation"]
        return ["nonlinearity='relu'"] if act == "relu" else []

    def torch_notes(self) -> list[str]:
        act = self.config["activation"]
        extra = [] if act in ("tanh", "relu") else [
            f"no PyTorch equivalent for activation '{act}': nn.RNN supports only "
            "nonlinearity='tanh' or 'relu' (shown with tanh)"]
        return [*extra, *super().torch_notes()]

    def fused_prepare(self, weights: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        return ("simple", self.prepare(weights)) if self.config["activation"] == "tanh" else None

    def step(self, p: dict[str, Any], z: Any, states: list[Any] | None, work: Any) -> list[Any]:
        import numpy as np

        from rnncalc.layers.ops import apply_inplace

        # h_t = activation(x_t W_x + b + h_{t-1} W_h)
        if states is not None:
            np.matmul(p["recurrent"], states[0], out=work)
            work += z
        apply_inplace(self.config["activation"], work, axis=0)
        return [work]


class LSTM(Recurrent):
    """Long short-term memory; Keras gate order i, f, c, o."""

    kind = "LSTM"
    GATES = ("i", "f", "c", "o")
    STATES = ("h", "c")
    ARGS = _sequence_args(gated=True, extra=(Arg("unit_forget_bias", boolean, True),))
    IGNORED_ARGS = GATED_IGNORED
    STEP_OPS = (
        ("add x_t·W_x and h_{t-1}·W_h for 4 gates", ADD, 4, None),
        ("recurrent_activation on i, f, o", ACT, 3, "recurrent_activation"),
        ("activation on candidate c̃", ACT, 1, "activation"),
        ("c_t = f⊙c_{t-1} + i⊙c̃: products", MUL, 2, None),
        ("c_t = f⊙c_{t-1} + i⊙c̃: sum", ADD, 1, None),
        ("activation on c_t", ACT, 1, "activation"),
        ("h_t = o⊙act(c_t)", MUL, 1, None),
    )
    BPTT_SAVED = ("h_t", "c_t", "i", "f", "c̃", "o", "tanh(c_t)")
    TORCH_MODULE = "LSTM"
    TORCH_GATES = ("i", "f", "g", "o")

    def torch_notes(self) -> list[str]:
        c = self.config
        extra = []
        if c["activation"] != "tanh" or c["recurrent_activation"] != "sigmoid":
            extra.append(f"no PyTorch equivalent for activation '{c['activation']}' / "
                         f"recurrent_activation '{c['recurrent_activation']}': nn.LSTM "
                         "always uses tanh and sigmoid")
        return [*extra, *super().torch_notes()]

    def initial_value(self, weight: Weight, sample: Any) -> Any:
        if weight.name != "bias" or not self.config["unit_forget_bias"]:
            return super().initial_value(weight, sample)
        import numpy as np

        # Keras: bias_initializer for i, ones for f, bias_initializer for c and o.
        units, init = self.units, self.config["bias_initializer"]
        ones = np.ones((units,), dtype="float32")
        return np.concatenate([sample(init, (units,)), ones, sample(init, (2 * units,))])

    def fused_prepare(self, weights: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        # the kernel computes sigmoid itself: Keras' gate order, no folding
        c = self.config
        if c["recurrent_activation"] != "sigmoid" or c["activation"] != "tanh":
            return None
        return "lstm", super().prepare(weights)

    def prepare(self, weights: dict[str, Any]) -> dict[str, Any]:
        """With sigmoid gates and tanh, the weights folded for one tanh over every gate.

        sigmoid(a) = (1 + tanh(a / 2)) / 2: the i, f and o rows of the kernels and
        bias are halved here (exact in binary floating point) and the gates reordered
        i, f, o, c, so that a step runs one tanh over the block and one ``+= 1`` over
        the three sigmoid gates, which then hold 2·sigmoid (the halves are applied to
        c_t and h_t). Same products, same MACs: only the rows' order and scale change.
        """
        p = super().prepare(weights)
        c = self.config
        if c["recurrent_activation"] != "sigmoid" or c["activation"] != "tanh":
            return p
        import numpy as np

        u = self.units
        order = np.r_[0:2 * u, 3 * u:4 * u, 2 * u:3 * u]            # i, f, o, c
        scale = np.ones(4 * u, np.float32)
        scale[:3 * u] = 0.5
        p["kernel"] = p["kernel"][:, order] * scale
        p["recurrent"] = np.ascontiguousarray(p["recurrent"][order] * scale[:, None])
        p["input_biases"] = [(rows, bias[order] * scale) for rows, bias in p["input_biases"]]
        p["folded"] = True
        return p

    def step(self, p: dict[str, Any], z: Any, states: list[Any] | None, work: Any) -> list[Any]:
        import numpy as np

        from rnncalc.layers.ops import apply_inplace

        u = self.units
        if states is not None:                       # z + h_{t-1} W_h
            self.recurrent_product(p, states[0], work)
            work += z
        if p.get("folded"):                          # see prepare: rows i, f, o, c
            np.tanh(work, out=work)
            work[:3 * u] += 1                        # 2·sigmoid for i, f, o
            i, f, o, g = work[:u], work[u:2 * u], work[2 * u:3 * u], work[3 * u:]
            if states is None:                       # 2·c_t = 2f·c_{t-1} + 2i·c̃, into f
                np.multiply(i, g, out=f)
            else:
                f *= states[1]
                g *= i
                f += g
            f *= 0.5
            np.tanh(f, out=g)                        # h_t = o·tanh(c_t), into c̃
            g *= o
            g *= 0.5
            return [g, f]
        i, f, g, o = work[:u], work[u:2 * u], work[2 * u:3 * u], work[3 * u:]
        gate, act = self.config["recurrent_activation"], self.config["activation"]
        halved = gate == "sigmoid" and act == "tanh"
        if halved:
            # sigmoid(a) = (1 + tanh(a / 2)) / 2: one tanh for all four gates; i, f and o
            # then hold 2·sigmoid, and the two halves are applied to c_t and h_t
            work[:2 * u] *= 0.5
            o *= 0.5
            np.tanh(work, out=work)
            work[:2 * u] += 1
            o += 1
        else:
            apply_inplace(gate, i, axis=0)           # each gate alone: softmax-like
            apply_inplace(gate, f, axis=0)           # activations normalise over units
            apply_inplace(act, g, axis=0)            # c̃ (candidate)
            apply_inplace(gate, o, axis=0)
        if states is None:                           # c_t = f * c_{t-1} + i * c̃, into f
            np.multiply(i, g, out=f)
        else:
            f *= states[1]
            g *= i
            f += g
        if halved:
            f *= 0.5
        if act == "tanh":                            # h_t = o * activation(c_t), into c̃
            np.tanh(f, out=g)
        else:
            np.copyto(g, f)
            apply_inplace(act, g, axis=0)
        g *= o
        if halved:
            g *= 0.5
        return [g, f]


class GRU(Recurrent):
    """Gated recurrent unit; Keras gate order z, r, h."""

    kind = "GRU"
    GATES = ("z", "r", "h")
    ARGS = (*_sequence_args(gated=True), Arg("reset_after", boolean, True))
    IGNORED_ARGS = GATED_IGNORED
    STEP_OPS = (
        ("add x_t·W_x and h_{t-1}·W_h for z, r", ADD, 2, None),
        ("recurrent_activation on z, r", ACT, 2, "recurrent_activation"),
        ("r⊙(h_{t-1}·W_h + b_h) (reset after the matmul)", MUL, 1, None),
        ("add x_t·W_x for the candidate", ADD, 1, None),
        ("activation on candidate h̃", ACT, 1, "activation"),
        ("h_t = z⊙h_{t-1} + (1−z)⊙h̃: 1−z", ADD, 1, None),
        ("h_t = z⊙h_{t-1} + (1−z)⊙h̃: products", MUL, 2, None),
        ("h_t = z⊙h_{t-1} + (1−z)⊙h̃: sum", ADD, 1, None),
    )
    BPTT_SAVED = ("h_t", "z", "r", "h̃", "recurrent candidate part")
    TORCH_MODULE = "GRU"
    TORCH_GATES = ("r", "z", "n")

    def step_ops(self) -> tuple[tuple[str, str, int, str | None], ...]:
        if self.config["reset_after"]:
            return self.STEP_OPS
        ops = list(self.STEP_OPS)
        ops[2] = ("r⊙h_{t-1} (reset before the matmul)", MUL, 1, None)
        return tuple(ops)

    def torch_notes(self) -> list[str]:
        c = self.config
        extra = []
        if not c["reset_after"]:
            extra.append("no PyTorch equivalent for reset_after=False: nn.GRU applies the reset "
                         "gate after the recurrent matmul (Keras reset_after=True) and has two "
                         f"biases ({6 * self.units:,} values) where this layer has one "
                         f"({3 * self.units:,})")
        if c["activation"] != "tanh" or c["recurrent_activation"] != "sigmoid":
            extra.append(f"no PyTorch equivalent for activation '{c['activation']}' / "
                         f"recurrent_activation '{c['recurrent_activation']}': nn.GRU "
                         "always uses tanh and sigmoid")
        extra.append("gate order differs: Keras stacks z, r, h; PyTorch r, z, n")
        return [*extra, *super().torch_notes()]

    def fused_prepare(self, weights: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        c = self.config
        if c["recurrent_activation"] != "sigmoid" or c["activation"] != "tanh":
            return None
        return ("gru_after" if c["reset_after"] else "gru_before"), self.prepare(weights)

    def prepare(self, weights: dict[str, Any]) -> dict[str, Any]:
        p = super().prepare(weights)
        p["recurrent_bias"] = None
        if self.config["reset_after"] and p["input_biases"]:
            # bias (2, 3·units): row 0 joins the input part; of row 1 (recurrent) the z, r
            # parts join it too, the candidate's is multiplied by r
            u, bias = self.units, p["input_biases"][0][1]
            p["input_biases"] = [(slice(None), bias[0]), (slice(0, 2 * u), bias[1, :2 * u])]
            p["recurrent_bias"] = bias[1, 2 * u:, None]
        return p

    def step(self, p: dict[str, Any], z: Any, states: list[Any] | None, work: Any) -> list[Any]:
        import numpy as np

        from rnncalc.layers.ops import AXIS_DEPENDENT, apply_inplace

        u = self.units
        h = None if states is None else states[0]
        zr, zg, rg, hh = work[:2 * u], work[:u], work[u:2 * u], work[2 * u:]
        gate, act = self.config["recurrent_activation"], self.config["activation"]

        def gates_zr() -> None:                      # z and r, each normalised alone
            if gate in AXIS_DEPENDENT:
                apply_inplace(gate, zg, axis=0)
                apply_inplace(gate, rg, axis=0)
            else:
                apply_inplace(gate, zr)

        if self.config["reset_after"]:
            if h is not None:                        # h_{t-1} W_h for z, r and the candidate
                np.matmul(p["recurrent"], h, out=work)
                zr += z[:2 * u]
            gates_zr()
            b = p["recurrent_bias"]                  # hh = x W_xh + r * (h W_hh + b_hh)
            if h is not None:
                if b is not None:                    # via z's used rows: a broadcasting
                    np.copyto(z[:u], b)              # add would allocate ufunc buffers
                    hh += z[:u]
                hh *= rg
                hh += z[2 * u:]
            elif b is not None:                      # h_{t-1} = 0: r * b_hh alone
                rg *= b
                hh += rg
        else:
            if h is not None:
                np.matmul(p["recurrent"][:2 * u], h, out=zr)
                zr += z[:2 * u]
            gates_zr()
            if h is not None:                        # hh = x W_xh + (r * h) W_hh
                np.multiply(rg, h, out=hh)
                np.matmul(p["recurrent"][2 * u:], hh, out=rg)
                np.add(z[2 * u:], rg, out=hh)
        apply_inplace(act, hh, axis=0)
        # h_t = z * h_{t-1} + (1 - z) * hh = hh + z * (h_{t-1} - hh), into r's rows
        if h is None:
            np.multiply(zg, hh, out=rg)
            np.subtract(hh, rg, out=rg)
        else:
            np.subtract(h, hh, out=rg)
            rg *= zg
            rg += hh
        return [rg]

    def bias_weights(self) -> list[Weight]:
        if not self.config["reset_after"]:
            return super().bias_weights()
        units = self.units
        return [Weight("bias", (2, 3 * units), self.config["bias_initializer"],
                       role="input bias and recurrent bias (reset_after)",
                       dims=("2 biases (input, recurrent)", self.gates_note()))]
