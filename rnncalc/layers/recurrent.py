"""SimpleRNN, LSTM and GRU: the recurrent layers and their weight layouts.

The three kinds share one sequence wrapper (:class:`Recurrent`); each
declares only its gates, its states and the bias layout. Weight layouts are
Keras 3's: ``kernel (input_dim, gates·units)``, ``recurrent_kernel (units,
gates·units)``, gate order i, f, c, o for LSTM and z, r, h for GRU.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rnncalc.activations import activation
from rnncalc.arguments import Arg, boolean, non_negative_int, optional, positive_int, rate
from rnncalc.counting import (
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
from rnncalc.errors import SpecError
from rnncalc.initializers import init_arg
from rnncalc.layers.base import Layer, Weight, require_known, require_rank
from rnncalc.shapes import Shape, dims_compatible, format_shape
from rnncalc.torch_layout import TorchModule, TorchParam, rnn_state_dict

# Options of torch.nn.RNN/LSTM/GRU with no Keras counterpart. Accepted (keyword
# only) so `--convention pytorch` can describe such modules; rejected under the
# default Keras convention by Recurrent.check_convention.
TORCH_ARGS = (
    Arg("num_layers", optional(positive_int), None, positional=False),
    Arg("bidirectional", optional(boolean), None, positional=False),
    Arg("proj_size", optional(non_negative_int), None, positional=False),
)


def _sequence_args(*, gated: bool, extra: tuple[Arg, ...] = ()) -> tuple[Arg, ...]:
    """Keras 3 recurrent-layer arguments in signature order."""
    head = [Arg("units", positive_int), Arg("activation", activation, "tanh")]
    if gated:
        head.append(Arg("recurrent_activation", activation, "sigmoid"))
    head += [
        Arg("use_bias", boolean, True),
        init_arg("kernel_initializer", "glorot_uniform"),
        init_arg("recurrent_initializer", "orthogonal"),
        init_arg("bias_initializer", "zeros"),
        *extra,
        Arg("dropout", rate, 0.0),
        Arg("recurrent_dropout", rate, 0.0),
        Arg("return_sequences", boolean, False),
        Arg("return_state", boolean, False),
        Arg("go_backwards", boolean, False),
        Arg("stateful", boolean, False),
        Arg("unroll", boolean, False),
    ]
    return (*head, *TORCH_ARGS)


class Recurrent(Layer):
    """A recurrent layer: one cell stepped over the time axis of (batch, time, features)."""

    ACCEPTS_INPUT_DIM = True
    MAX_INPUTS = None
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

    def build_weights(self, inputs: list[Shape]) -> list[Weight]:
        x = inputs[0]
        self.check_sequence(x)
        features = require_known(x[-1], "last (features)", x)
        n, units = len(self.GATES), self.units
        if self.torch_options() != (1, False, 0):
            return self.stacked_weights(features)
        weights = [
            Weight("kernel", (features, n * units), self.config["kernel_initializer"],
                   role="input kernel (W_x)", dims=(f"{features} input features",
                                                    self.gates_note())),
            Weight("recurrent_kernel", (units, n * units), self.config["recurrent_initializer"],
                   role="recurrent kernel (W_h)", dims=(f"{units} units", self.gates_note())),
        ]
        if self.config["use_bias"]:
            weights += self.bias_weights()
        return weights

    def check_sequence(self, x: Shape) -> None:
        require_rank(x, 3, "(batch, timesteps, features)")
        if self.config["stateful"] and x[0] is None:
            raise SpecError("a stateful layer needs a fixed batch size: give batch_size in the "
                            "input block, batch_input_shape, or --batch-size")

    def state_shapes(self, x: Shape) -> list[Shape]:
        return [(x[0], self.units) for _ in self.STATES]

    def output_shapes(self, inputs: list[Shape]) -> list[Shape]:
        x, initial = inputs[0], inputs[1:]
        self.check_sequence(x)
        self.check_initial_state(x, initial)
        width = self.output_width
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

    def cell_config(self) -> dict[str, Any]:
        """The config a Bidirectional clone starts from."""
        return dict(self.config)

    # -- PyTorch-only options (num_layers, bidirectional, proj_size) ---------------

    def torch_options(self) -> tuple[int, bool, int]:
        """``(num_layers, bidirectional, proj_size)``, PyTorch's defaults when not given."""
        c = self.config
        return (c.get("num_layers") or 1, bool(c.get("bidirectional")), c.get("proj_size") or 0)

    @property
    def output_width(self) -> int:
        """Features of the output: ``units``, or ``(proj_size or units) · directions``."""
        _, bidirectional, proj = self.torch_options()
        return (proj or self.units) * (2 if bidirectional else 1)

    def check_convention(self, convention: str) -> None:
        given = [a.name for a in TORCH_ARGS if self.config.get(a.name) is not None]
        if not given:
            return
        if convention != "pytorch":
            raise SpecError(
                f"argument '{given[0]}' is a PyTorch option (torch.nn.{self.TORCH_MODULE}) with "
                "no Keras equivalent; it is accepted only with --convention pytorch (in Keras, "
                "stack layers or wrap the layer in Bidirectional)")
        _, _, proj = self.torch_options()
        if proj and self.TORCH_MODULE != "LSTM":
            raise SpecError(f"argument 'proj_size': only torch.nn.LSTM has proj_size, "
                            f"not torch.nn.{self.TORCH_MODULE}")
        if proj and proj >= self.units:
            raise SpecError(f"argument 'proj_size': expected a value smaller than units "
                            f"({self.units}), got {proj}")
        if self.config["return_state"] and self.torch_options() != (1, False, 0):
            raise SpecError("return_state cannot be combined with num_layers, bidirectional or "
                            "proj_size (PyTorch returns h_n/c_n for every layer and direction)")

    def stack(self, features: int) -> list[tuple[str, int, int]]:
        """``(scope, input width, recurrent width)`` per layer and direction that runs.

        One entry for a Keras layer; ``num_layers × directions`` with PyTorch options.
        """
        layers, bidirectional, proj = self.torch_options()
        h_out = proj or self.units
        sides = ("forward", "backward") if bidirectional else ("",)
        entries = []
        for k in range(layers):
            width = features if k == 0 else h_out * len(sides)
            for side in sides:
                scope = " ".join(s for s in (f"layer {k}" if layers > 1 else "", side) if s)
                entries.append((scope, width, h_out))
        return entries

    def stacked_weights(self, features: int) -> list[Weight]:
        """Keras-layout weights of the stack PyTorch options describe (projection: W_hr)."""
        layers, bidirectional, proj = self.torch_options()
        weights = []
        for scope, width, h_out in self.stack(features):
            parts = scope.split()
            prefix = "".join(f"l{p}/" if p.isdigit() else "" for p in parts)
            prefix += f"{parts[-1]}/" if parts and not parts[-1].isdigit() else ""
            n, units = len(self.GATES), self.units
            weights += [
                Weight(f"{prefix}kernel", (width, n * units), self.config["kernel_initializer"],
                       role=f"{scope} input kernel (W_x)".strip(),
                       dims=(f"{width} input features", self.gates_note())),
                Weight(f"{prefix}recurrent_kernel", (h_out, n * units),
                       self.config["recurrent_initializer"],
                       role=f"{scope} recurrent kernel (W_h)".strip(),
                       dims=(f"{h_out} {'projected ' if proj else ''}units", self.gates_note())),
            ]
            if self.config["use_bias"]:
                weights += [Weight(f"{prefix}{b.name}", b.shape, b.initializer,
                                   role=f"{scope} {b.role}".strip(), dims=b.dims)
                            for b in self.bias_weights()]
            if proj:
                weights.append(Weight(f"{prefix}projection", (units, proj),
                                      self.config["kernel_initializer"],
                                      role=f"{scope} projection (W_hr; PyTorch only)".strip(),
                                      dims=(f"{units} units", f"{proj} projected")))
        return weights

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
        """Bias values added per step: the declared bias weights, or PyTorch's two."""
        if not self.config["use_bias"]:
            return 0
        if convention == "pytorch":
            return 2 * len(self.GATES) * self.units
        return sum(w.params for w in self.bias_weights())

    def cost(self, inputs: list[Shape], outputs: list[Shape],
             convention: str = "keras") -> list[CostTerm]:
        """Per sample and timestep, times ``B·T``: the two matmuls, biases, gate work."""
        x = inputs[0]
        steps, where = positions(x), describe_dims(x)
        g, units = len(self.GATES), self.units
        gu, gun = (f"{g}U", f"{g}·{units}") if g > 1 else ("U", f"{units}")
        _, _, proj = self.torch_options()
        terms: list[CostTerm] = []
        for scope, width, h_out in self.stack(x[-1]):
            part = [
                CostTerm("input matmul x_t·W_x", MAC, width * g * units, steps,
                         f"I·{gu}", f"{width}·{gun}", where),
                CostTerm("recurrent matmul h_{t-1}·W_h", MAC, h_out * g * units, steps,
                         f"{'P' if proj else 'U'}·{gu}", f"{h_out}·{gun}", where),
            ]
            if proj:
                part.append(CostTerm("projection h_t = c-path·W_hr", MAC, units * proj, steps,
                                     "U·P", f"{units}·{proj}", where))
            bias = self.bias_values(convention)
            if bias:
                k = bias // (g * units)
                part.append(CostTerm("bias add" + (" (input and recurrent biases)" if k == 2
                                                   else ""), ADD, bias, steps,
                                     f"{k}·{gu}" if k > 1 else gu,
                                     f"{k}·{gun}" if k > 1 else gun, where))
            for what, op, mult, act in self.step_ops():
                name = self.config.get(act) if act else None
                if name == "linear":
                    continue
                part.append(CostTerm(f"{what} ({name})" if name else what, op, mult * units,
                                     steps, f"{mult}U" if mult > 1 else "U",
                                     f"{mult}·{units}" if mult > 1 else f"{units}", where))
            terms += [t.scoped(scope) if scope else t for t in part]
        return terms

    def memory(self, inputs: list[Shape], outputs: list[Shape]) -> list[MemoryTerm]:
        """Working set of one step (inference) and every step's saved vectors (BPTT)."""
        x = inputs[0]
        n = len(self.stack(x[-1]))
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

    # -- PyTorch ----------------------------------------------------------------

    def torch_call_args(self) -> list[str]:
        """Extra keyword arguments of the torch module (nonlinearity for nn.RNN)."""
        return []

    def torch_notes(self) -> list[str]:
        """Where this layer's settings have no exact PyTorch counterpart."""
        c = self.config
        g = len(self.GATES)
        notes = []
        keras_bias = sum(w.params for w in self.bias_weights()) if c["use_bias"] else 0
        if c["use_bias"] and keras_bias == g * self.units:
            notes.append(
                f"PyTorch keeps two bias vectors (bias_ih, bias_hh, {g * self.units} each) per "
                f"layer and direction where Keras has one, so it counts {g * self.units:,} more "
                "params per direction; bias=False drops both and there is no switch for one "
                "(zero bias_hh and freeze it to match Keras)")
        notes.append("weights are transposed: weight_ih is (gates·units, input) where Keras' "
                     "kernel is (input, gates·units)")
        if c["go_backwards"]:
            notes.append("no go_backwards in PyTorch: flip the input along time "
                         "(torch.flip(x, [1]))")
        if c["recurrent_dropout"]:
            notes.append("recurrent_dropout has no PyTorch equivalent (nn dropout applies "
                         "only between stacked layers)")
        if not c["return_sequences"]:
            notes.append("PyTorch always returns the whole sequence: take output[:, -1]")
        return notes

    def torch_modules(self, inputs: list[Shape], *, bidirectional: bool = False,
                      notes: tuple[str, ...] = ()) -> list[TorchModule]:
        x = inputs[0]
        features = require_known(x[-1], "last (features)", x)
        layers, bidi, proj = self.torch_options()
        bidi = bidi or bidirectional
        kwargs = ([f"num_layers={layers}"] if layers > 1 else []) + self.torch_call_args()
        kwargs += ([] if self.config["use_bias"] else ["bias=False"]) + ["batch_first=True"]
        kwargs += (["bidirectional=True"] if bidi else []) + (
            [f"proj_size={proj}"] if proj else [])
        call = f"nn.{self.TORCH_MODULE}({', '.join([str(features), str(self.units), *kwargs])})"
        state = rnn_state_dict(self.TORCH_GATES, features, self.units, num_layers=layers,
                               bidirectional=bidi, bias=self.config["use_bias"],
                               proj_size=proj)
        if not self.trainable:
            state = [TorchParam(p.name, p.shape, p.role, p.dims, trainable=False)
                     for p in state]
        return [TorchModule(call, tuple(state), (*self.torch_notes(), *notes))]

    # -- forward pass: one sequence loop for every cell --------------------------

    SUPPORTS_MASKING = True

    def compute_mask(self, inputs: list[Any], masks: list[Any]) -> list[Any]:
        # Keras: the sequence keeps the input's time mask; the states are unmasked.
        out = masks[0] if self.config["return_sequences"] else None
        return [out] + [None] * (len(self.STATES) if self.config["return_state"] else 0)

    def forward_steps(self, inputs: list[Shape]) -> int:
        return inputs[0][1] or 1

    def scratch_values(self, inputs: list[Shape], outputs: list[Shape]) -> int:
        batch, steps = inputs[0][0] or 1, inputs[0][1] or 1
        gates = len(self.GATES) * self.units
        # the (batch, steps, gates·units) input projection plus per-step buffers
        return batch * steps * gates + 3 * batch * gates

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        return self.run(inputs[0], inputs[1:], weights, mask)

    def run(self, x: Any, initial: list[Any], weights: dict[str, Any], mask: Any = None, *,
            zero_output_for_mask: bool = False) -> list[Any]:
        """Step the cell over ``x`` (batch, steps, features) as Keras' ``backend.rnn``.

        The input projection of all timesteps is one matrix product before the
        loop (``xz``, the one (batch, steps, gates·units) buffer); each step then
        does one (batch, units) × (units, gates·units) product into the slot of
        ``xz`` the previous step has used up, and computes its gates in place in
        its own slot: no per-step allocation. A masked timestep keeps the
        previous states and repeats the previous output (zeros with
        ``zero_output_for_mask``, which Bidirectional sets when returning
        sequences). With ``go_backwards`` the output sequence is in processing
        (reversed) order, as in Keras.
        """
        import numpy as np

        from rnncalc.engine.progress import ticker

        c = self.config
        batch, steps, features = x.shape
        units, dtype = self.units, np.float32
        p = self.prepare(weights)
        # xz: (batch, steps, gates·units), the input part of every gate at every step
        xz = np.matmul(x.reshape(batch * steps, features).astype(dtype, copy=False),
                       p["kernel"]).reshape(batch, steps, -1)
        if p.get("input_bias") is not None:
            xz += p["input_bias"]
        if initial:
            states = [np.array(s, dtype=dtype, copy=True) for s in initial]
        else:   # h is only read, so a zero-stride view will do; other states are updated
            states = [np.broadcast_to(np.zeros((), dtype), (batch, units)),
                      *(np.zeros((batch, units), dtype) for _ in self.STATES[1:])]
        # With zero initial states the first recurrent product is zero: skip it.
        scratch = None if not initial else np.empty((batch, xz.shape[2]), dtype)
        # time-major so each step writes one contiguous (batch, units) block
        seq = np.empty((steps, batch, units), dtype) if c["return_sequences"] else None
        spare = None if seq is not None else [np.empty((batch, units), dtype) for _ in "ab"]
        output = np.zeros((batch, units), dtype) if mask is not None else None
        order = range(steps - 1, -1, -1) if c["go_backwards"] else range(steps)
        tick = ticker()
        # Small ufunc buffers: NumPy's default 8192-element ones cost memory and time on
        # the strided gate slices.
        bufsize = np.setbufsize(1024)
        try:
            states, output = self._loop(p, xz, scratch, states, seq, spare, output, order, mask,
                                        zero_output_for_mask, tick)
        finally:
            np.setbufsize(bufsize)
        if output is None:               # no timesteps at all
            output = states[0]
        result = seq.transpose(1, 0, 2) if seq is not None else output
        return [result, *states] if c["return_state"] else [result]

    def _loop(self, p: dict[str, Any], xz: Any, scratch: Any, states: list[Any], seq: Any,
              spare: Any, output: Any, order: range, mask: Any, zero_output_for_mask: bool,
              tick: Any) -> tuple[list[Any], Any]:
        """The time loop of :meth:`run`; returns the final states and last output."""
        import numpy as np

        dtype = xz.dtype
        for k, t in enumerate(order):
            h_out = seq[k] if seq is not None else spare[k % 2]
            if mask is None:
                states = self.step(p, xz[:, t], scratch, states, h_out)
                output = states[0]
            else:
                keep = [s.copy() for s in states]
                new = self.step(p, xz[:, t], scratch, states, h_out)
                m = mask[:, t, None]
                states = [np.where(m, n, o) for n, o in zip(new, keep)]
                output = np.where(m, new[0], 0 if zero_output_for_mask else output).astype(dtype)
                if seq is not None:
                    seq[k] = output
            scratch = xz[:, t]           # this step's slot is free for the next product
            if tick is not None:
                tick()
        return states, output

    def prepare(self, weights: dict[str, Any]) -> dict[str, Any]:
        """Weights as :meth:`step` uses them (views, no copies for float32)."""
        import numpy as np

        bias = weights.get("bias")
        return {"kernel": np.asarray(weights["kernel"], np.float32),
                "recurrent": np.asarray(weights["recurrent_kernel"], np.float32),
                "input_bias": None if bias is None else np.asarray(bias, np.float32)}

    def step(self, p: dict[str, Any], z: Any, scratch: Any, states: list[Any],
             h_out: Any) -> list[Any]:
        """One timestep; returns the new states, the new ``h`` written into ``h_out``.

        ``z`` is this step's input projection (bias included), (batch,
        gates·units), and may be overwritten; ``scratch`` is a free buffer of
        the same shape, or ``None`` when ``h`` is all zeros (the first step
        without initial state). The given states other than ``h`` may be
        updated in place.
        """
        raise NotImplementedError

class SimpleRNN(Recurrent):
    """Fully connected RNN: ``h_t = activation(x_t W_x + h_{t-1} W_h + b)``."""

    kind = "SimpleRNN"
    GATES = ("h",)
    ARGS = _sequence_args(gated=False)
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
    def step(self, p: dict[str, Any], z: Any, scratch: Any, states: list[Any],
             h_out: Any) -> list[Any]:
        import numpy as np

        from rnncalc.engine.ops import apply_inplace

        # h_t = activation(x_t W_x + b + h_{t-1} W_h)
        if scratch is None:
            np.copyto(h_out, z)
        else:
            np.matmul(states[0], p["recurrent"], out=h_out)
            h_out += z
        apply_inplace(self.config["activation"], h_out)
        return [h_out]

class LSTM(Recurrent):
    """Long short-term memory; Keras gate order i, f, c, o."""

    kind = "LSTM"
    aliases = ("CuDNNLSTM",)
    GATES = ("i", "f", "c", "o")
    STATES = ("h", "c")
    ARGS = _sequence_args(gated=True, extra=(Arg("unit_forget_bias", boolean, True),))
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

    def step(self, p: dict[str, Any], z: Any, scratch: Any, states: list[Any],
             h_out: Any) -> list[Any]:
        import numpy as np

        from rnncalc.engine.ops import apply_inplace

        h, c = states
        u = self.units
        if scratch is not None:                      # z += h_{t-1} W_h
            np.matmul(h, p["recurrent"], out=scratch)
            z += scratch
        gate, act = self.config["recurrent_activation"], self.config["activation"]
        apply_inplace(gate, z[:, :2 * u])            # i, f
        apply_inplace(act, z[:, 2 * u:3 * u])        # c̃ (candidate)
        apply_inplace(gate, z[:, 3 * u:])            # o
        i, f, g, o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
        c *= f                                       # c_t = f * c_{t-1} + i * c̃
        g *= i
        c += g
        np.copyto(g, c)                              # h_t = o * activation(c_t)
        apply_inplace(act, g)
        np.multiply(o, g, out=h_out)
        return [h_out, c]

class GRU(Recurrent):
    """Gated recurrent unit; Keras gate order z, r, h."""

    kind = "GRU"
    aliases = ("CuDNNGRU",)
    GATES = ("z", "r", "h")
    ARGS = (*_sequence_args(gated=True), Arg("reset_after", boolean, True))
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
    def prepare(self, weights: dict[str, Any]) -> dict[str, Any]:
        p = super().prepare(weights)
        bias = p["input_bias"]
        p["recurrent_bias"] = None
        if self.config["reset_after"] and bias is not None:
            # bias (2, 3·units): row 0 joins the input part, row 1 the recurrent part
            p["input_bias"], p["recurrent_bias"] = bias[0], bias[1]
        return p

    def step(self, p: dict[str, Any], z: Any, scratch: Any, states: list[Any],
             h_out: Any) -> list[Any]:
        import numpy as np

        from rnncalc.engine.ops import apply_inplace

        h = states[0]
        u = self.units
        zr, hh = z[:, :2 * u], z[:, 2 * u:]          # gates z, r and the candidate
        gate, act = self.config["recurrent_activation"], self.config["activation"]
        if self.config["reset_after"]:
            inner = scratch                          # h_{t-1} W_h + b_rec
            if scratch is not None:
                np.matmul(h, p["recurrent"], out=inner)
                if p["recurrent_bias"] is not None:
                    inner += p["recurrent_bias"]
            elif p["recurrent_bias"] is not None:
                inner = np.broadcast_to(p["recurrent_bias"], z.shape)
            if inner is not None:
                zr += inner[:, :2 * u]
            apply_inplace(gate, zr)
            if inner is not None:                    # hh = x W_xh + r * (h W_hh + b_hh)
                if scratch is not None:
                    np.multiply(zr[:, u:], inner[:, 2 * u:], out=inner[:, 2 * u:])
                    hh += inner[:, 2 * u:]
                else:
                    hh += zr[:, u:] * inner[:, 2 * u:]
        else:
            if scratch is not None:
                np.matmul(h, p["recurrent"][:, :2 * u], out=scratch[:, :2 * u])
                zr += scratch[:, :2 * u]
            apply_inplace(gate, zr)
            if scratch is not None:                  # hh = x W_xh + (r * h) W_hh
                rh = scratch[:, 2 * u:]
                np.multiply(zr[:, u:], h, out=rh)
                np.matmul(rh, p["recurrent"][:, 2 * u:], out=scratch[:, :u])
                hh += scratch[:, :u]
        apply_inplace(act, hh)
        # h_t = z * h_{t-1} + (1 - z) * hh, written as hh + z * (h_{t-1} - hh)
        np.subtract(h, hh, out=h_out)
        h_out *= zr[:, :u]
        h_out += hh
        return [h_out]

    def bias_weights(self) -> list[Weight]:
        if not self.config["reset_after"]:
            return super().bias_weights()
        units = self.units
        return [Weight("bias", (2, 3 * units), self.config["bias_initializer"],
                       role="input bias and recurrent bias (reset_after)",
                       dims=("2 biases (input, recurrent)", self.gates_note()))]
