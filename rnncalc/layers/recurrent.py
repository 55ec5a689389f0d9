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
from rnncalc.layers.arguments import (
    Arg,
    boolean,
    non_negative_int,
    optional,
    positive_int,
    rate,
    regularized,
)
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
from rnncalc.reports.torch_layout import TorchModule, TorchParam, rnn_state_dict

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

    MAX_INPUTS = None
    TAKES_INITIAL_STATE = True
    IGNORED = regularized("kernel", "recurrent", "bias") | {"seed", "zero_output_for_mask"}
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
        # the (steps, gates·units, batch) input projection, at most one more step's slot
        # and the states
        return batch * steps * gates + batch * gates + len(self.STATES) * batch * self.units

    def forward(self, inputs: list[Any], weights: dict[str, Any], mask: Any = None) -> list[Any]:
        return self.run(inputs[0], inputs[1:], weights, mask)

    def run(self, x: Any, initial: list[Any], weights: dict[str, Any], mask: Any = None, *,
            zero_output_for_mask: bool = False) -> list[Any]:
        """Step the cell over ``x`` (batch, steps, features) as Keras' ``backend.rnn``.

        Feature-major layout: a state is (units, batch) and a step's gate
        pre-activations one C-contiguous (gates·units, batch) block, so every
        gate is a contiguous block of rows. The input projection of all
        timesteps is one matrix product before the loop, into ``xz`` (steps,
        gates·units, batch), the one input-projection buffer. Each step then
        does one (gates·units, units) × (units, batch) product into a slot of
        ``xz`` an earlier step has used up, and the cell computes its gates and
        new states in place in that slot: no per-step allocation. The first
        step without initial state needs no product and works in its own slot;
        the second parks the states in output rows not yet written to free it.
        Each step's ``h`` is copied (transposed) into the (batch, steps, units)
        output. A masked timestep keeps the previous states and repeats the
        previous output (zeros with ``zero_output_for_mask``, which
        Bidirectional sets when returning sequences). With ``go_backwards`` the
        output sequence is in processing (reversed) order, as in Keras.
        """
        import numpy as np

        from rnncalc.engine.progress import ticker

        c = self.config
        batch, steps, features = x.shape
        units, dtype = self.units, np.float32
        p = self.prepare(weights)
        xs = x.astype(dtype, copy=False)
        # xz[t]: (gates·units, batch), the input part of every gate at step t
        xz = np.empty((steps, p["kernel"].shape[1], batch), dtype)
        if steps:
            np.matmul(p["kernel"].T, xs.transpose(1, 2, 0), out=xz)
        for rows, bias in p["input_biases"]:
            xz[:, rows] += bias[:, None]
        # (units, batch) states; None: all zeros (no initial_state)
        states = [np.array(np.asarray(s, dtype).T, order="C") for s in initial] or None
        seq = np.empty((batch, steps, units), dtype) if c["return_sequences"] else None
        last = np.zeros((batch, units), dtype) if mask is not None and seq is None else None
        still = None if mask is None else np.logical_not(mask)
        order = range(steps - 1, -1, -1) if c["go_backwards"] else range(steps)
        # Small ufunc buffers: the few element-wise operations that broadcast or mix
        # layouts (masking, a first step's bias) would otherwise allocate 8192-element ones.
        bufsize = np.setbufsize(256)
        try:
            states = self._loop(p, xz, states, seq, last, order, mask, still,
                                zero_output_for_mask, ticker())
        finally:
            np.setbufsize(bufsize)
        if states is None:               # no timesteps and no initial state
            states = [np.zeros((units, batch), dtype) for _ in self.STATES]
        del xz
        if seq is not None:
            output = seq
        elif last is not None:
            output = last
        else:
            output = np.ascontiguousarray(states[0].T)
        if not c["return_state"]:
            return [output]
        return [output, *(np.ascontiguousarray(s.T) for s in states)]

    def _loop(self, p: dict[str, Any], xz: Any, states: list[Any] | None, seq: Any, last: Any,
              order: range, mask: Any, still: Any, zero_output_for_mask: bool,
              tick: Any) -> list[Any] | None:
        """The time loop of :meth:`run`; returns the final (units, batch) states."""
        import numpy as np

        free: list[Any] = []   # (gates·units, batch) slots of xz whose step is done
        home = None            # the slot that holds the current states
        for k, t in enumerate(order):
            z = xz[t]
            if states is None:                       # zero states: work in z's own slot
                work = z
            else:
                if not free:
                    parked = self._park(states, seq, k) if home is not None else None
                    if parked is not None:               # frees the states' slot
                        free.append(home)
                        states, home = parked, None
                    else:
                        free.append(np.empty_like(z))
                work = free.pop()
            new = self.step(p, z, states, work)
            if mask is not None:                     # masked samples keep their states
                off = still[:, t]
                for s, old in zip(new, states or [0] * len(new)):
                    np.copyto(s, old, where=off)
            if seq is not None:
                out = seq[:, k]
                np.copyto(out, new[0].T)
                if mask is not None:
                    prev = 0 if zero_output_for_mask or k == 0 else seq[:, k - 1]
                    np.copyto(out, prev, where=still[:, t, None])
            elif last is not None:
                np.copyto(last, new[0].T, where=mask[:, t, None])
                if zero_output_for_mask:
                    np.copyto(last, 0, where=still[:, t, None])
            if home is not None and home is not work and len(free) < 2:
                free.append(home)
            if work is not z and len(free) < 2:
                free.append(z)
            home, states = work, new
            if tick is not None:
                tick()
        return states

    @staticmethod
    def _park(states: list[Any], seq: Any, k: int) -> list[Any] | None:
        """Copies of ``states`` in output memory that step ``k`` and later do not need yet.

        The last sample's rows after step ``k`` are one contiguous run of the
        output, so the copies are C-contiguous (units, batch) arrays like the
        states (element-wise work on mixed layouts would need ufunc buffers).
        ``None`` when there is no output sequence or it is too short.
        """
        import numpy as np

        if seq is None:
            return None
        size = states[0].size
        run = seq[-1, k + 1:].reshape(-1)
        if run.size < len(states) * size:
            return None
        parked = [run[j * size:(j + 1) * size].reshape(states[0].shape)
                  for j in range(len(states))]
        for dst, src in zip(parked, states):
            np.copyto(dst, src)
        return parked

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

    def step(self, p: dict[str, Any], z: Any, states: list[Any] | None, work: Any) -> list[Any]:
        import numpy as np

        from rnncalc.layers.ops import apply_inplace

        # h_t = activation(x_t W_x + b + h_{t-1} W_h)
        if states is not None:
            np.matmul(p["recurrent"], states[0], out=work)
            work += z
        apply_inplace(self.config["activation"], work)
        return [work]


class LSTM(Recurrent):
    """Long short-term memory; Keras gate order i, f, c, o."""

    kind = "LSTM"
    IGNORED = Recurrent.IGNORED | {"use_cudnn"}
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

    def step(self, p: dict[str, Any], z: Any, states: list[Any] | None, work: Any) -> list[Any]:
        import numpy as np

        from rnncalc.layers.ops import apply_inplace

        u = self.units
        if states is not None:                       # z + h_{t-1} W_h
            np.matmul(p["recurrent"], states[0], out=work)
            work += z
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
            apply_inplace(gate, work[:2 * u])        # i, f
            apply_inplace(act, g)                    # c̃ (candidate)
            apply_inplace(gate, o)
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
            apply_inplace(act, g)
        g *= o
        if halved:
            g *= 0.5
        return [g, f]


class GRU(Recurrent):
    """Gated recurrent unit; Keras gate order z, r, h."""

    kind = "GRU"
    IGNORED = Recurrent.IGNORED | {"use_cudnn"}
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

        from rnncalc.layers.ops import apply_inplace

        u = self.units
        h = None if states is None else states[0]
        zr, zg, rg, hh = work[:2 * u], work[:u], work[u:2 * u], work[2 * u:]
        gate, act = self.config["recurrent_activation"], self.config["activation"]
        if self.config["reset_after"]:
            if h is not None:                        # h_{t-1} W_h for z, r and the candidate
                np.matmul(p["recurrent"], h, out=work)
                zr += z[:2 * u]
            apply_inplace(gate, zr)
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
            apply_inplace(gate, zr)
            if h is not None:                        # hh = x W_xh + (r * h) W_hh
                np.multiply(rg, h, out=hh)
                np.matmul(p["recurrent"][2 * u:], hh, out=rg)
                np.add(z[2 * u:], rg, out=hh)
        apply_inplace(act, hh)
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
