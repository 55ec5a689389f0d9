"""SimpleRNN, LSTM and GRU: the recurrent layers and their weight layouts.

The three kinds share one sequence wrapper (:class:`Recurrent`); each
declares only its gates, its states and the bias layout. Weight layouts are
Keras 3's: ``kernel (input_dim, gates·units)``, ``recurrent_kernel (units,
gates·units)``, gate order i, f, c, o for LSTM and z, r, h for GRU.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rnncalc.activations import activation
from rnncalc.arguments import Arg, boolean, positive_int, rate
from rnncalc.errors import SpecError
from rnncalc.initializers import init_arg
from rnncalc.layers.base import Layer, Weight, require_known, require_rank
from rnncalc.shapes import Shape, dims_compatible, format_shape


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
    return tuple(head)


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
        out: Shape = (x[0], x[1], self.units) if self.config["return_sequences"] else (
            x[0], self.units)
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
        loop; each step is then one (batch, units) × (units, gates·units)
        product into preallocated buffers (:meth:`step`). A masked timestep
        keeps the previous states and repeats the previous output (zeros with
        ``zero_output_for_mask``, which Bidirectional sets when returning
        sequences). With ``go_backwards`` the output sequence is in processing
        (reversed) order, as in Keras.
        """
        import numpy as np

        from rnncalc.engine.progress import ticker

        c = self.config
        batch, steps, features = x.shape
        units, dtype = self.units, np.float32
        p = self.prepare(weights, batch, dtype)
        # xz: (batch, steps, gates·units), the input part of every gate at every step
        xz = np.matmul(x.reshape(batch * steps, features).astype(dtype, copy=False),
                       p["kernel"]).reshape(batch, steps, -1)
        if p.get("input_bias") is not None:
            xz += p["input_bias"]
        if initial:
            states = [np.array(s, dtype=dtype, copy=True) for s in initial]
        else:
            states = [np.zeros((batch, units), dtype) for _ in self.STATES]
        # time-major so each step writes one contiguous (batch, units) block
        seq = np.empty((steps, batch, units), dtype) if c["return_sequences"] else None
        spare = [np.empty((batch, units), dtype), np.empty((batch, units), dtype)]
        output = np.zeros((batch, units), dtype)
        order = range(steps - 1, -1, -1) if c["go_backwards"] else range(steps)
        tick = ticker()
        for k, t in enumerate(order):
            h_out = seq[k] if seq is not None else spare[k % 2]
            if mask is None:
                states = self.step(p, xz[:, t], states, h_out)
                output = states[0]
            else:
                keep = [s.copy() for s in states]
                new = self.step(p, xz[:, t], states, h_out)
                m = mask[:, t, None]
                states = [np.where(m, n, o) for n, o in zip(new, keep)]
                output = np.where(m, new[0], 0 if zero_output_for_mask else output).astype(dtype)
                if seq is not None:
                    seq[k] = output
            if tick is not None:
                tick()
        if steps == 0:
            states = [np.array(s) for s in states]
        result = seq.transpose(1, 0, 2) if seq is not None else output
        return [result, *states] if c["return_state"] else [result]

    def prepare(self, weights: dict[str, Any], batch: int, dtype: Any) -> dict[str, Any]:
        """Weights in the layout :meth:`step` uses, plus its step buffers."""
        import numpy as np

        gates = len(self.GATES) * self.units
        return {
            "kernel": np.asarray(weights["kernel"], dtype),
            "recurrent": np.ascontiguousarray(weights["recurrent_kernel"], dtype),
            "input_bias": (np.asarray(weights["bias"], dtype) if "bias" in weights else None),
            "z": np.empty((batch, gates), dtype),
        }

    def step(self, p: dict[str, Any], xz: Any, states: list[Any], h_out: Any) -> list[Any]:
        """One timestep: new states (the new ``h`` written into ``h_out``).

        ``xz`` is this step's input projection (bias included). May overwrite
        the given states other than ``h``.
        """
        raise NotImplementedError


class SimpleRNN(Recurrent):
    """Fully connected RNN: ``h_t = activation(x_t W_x + h_{t-1} W_h + b)``."""

    kind = "SimpleRNN"
    GATES = ("h",)
    ARGS = _sequence_args(gated=False)
    def step(self, p: dict[str, Any], xz: Any, states: list[Any], h_out: Any) -> list[Any]:
        import numpy as np

        from rnncalc.engine.ops import apply_inplace

        # h_t = activation(x_t W_x + b + h_{t-1} W_h)
        np.matmul(states[0], p["recurrent"], out=h_out)
        h_out += xz
        apply_inplace(self.config["activation"], h_out)
        return [h_out]


class LSTM(Recurrent):
    """Long short-term memory; Keras gate order i, f, c, o."""

    kind = "LSTM"
    aliases = ("CuDNNLSTM",)
    GATES = ("i", "f", "c", "o")
    STATES = ("h", "c")
    ARGS = _sequence_args(gated=True, extra=(Arg("unit_forget_bias", boolean, True),))
    def initial_value(self, weight: Weight, sample: Any) -> Any:
        if weight.name != "bias" or not self.config["unit_forget_bias"]:
            return super().initial_value(weight, sample)
        import numpy as np

        # Keras: bias_initializer for i, ones for f, bias_initializer for c and o.
        units, init = self.units, self.config["bias_initializer"]
        ones = np.ones((units,), dtype="float32")
        return np.concatenate([sample(init, (units,)), ones, sample(init, (2 * units,))])

    def prepare(self, weights: dict[str, Any], batch: int, dtype: Any) -> dict[str, Any]:
        import numpy as np

        p = super().prepare(weights, batch, dtype)
        u = self.units
        # Columns reordered i, f, o, c so the three sigmoid gates are one block.
        order = np.r_[0:2 * u, 3 * u:4 * u, 2 * u:3 * u]
        p["kernel"] = p["kernel"][:, order]
        p["recurrent"] = np.ascontiguousarray(p["recurrent"][:, order])
        if p["input_bias"] is not None:
            p["input_bias"] = p["input_bias"][order]
        p["act_c"] = np.empty((batch, u), dtype)
        return p

    def step(self, p: dict[str, Any], xz: Any, states: list[Any], h_out: Any) -> list[Any]:
        import numpy as np

        from rnncalc.engine.ops import apply_inplace

        h, c = states
        u = self.units
        z = p["z"]                                   # (batch, 4·units), order i, f, o, c
        np.matmul(h, p["recurrent"], out=z)
        z += xz
        apply_inplace(self.config["recurrent_activation"], z[:, :3 * u])
        apply_inplace(self.config["activation"], z[:, 3 * u:])
        i, f, o, g = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
        c *= f                                       # c_t = f * c_{t-1} + i * g
        g *= i
        c += g
        act_c = p["act_c"]
        np.copyto(act_c, c)
        apply_inplace(self.config["activation"], act_c)
        np.multiply(o, act_c, out=h_out)             # h_t = o * activation(c_t)
        return [h_out, c]


class GRU(Recurrent):
    """Gated recurrent unit; Keras gate order z, r, h."""

    kind = "GRU"
    aliases = ("CuDNNGRU",)
    GATES = ("z", "r", "h")
    ARGS = (*_sequence_args(gated=True), Arg("reset_after", boolean, True))
    def prepare(self, weights: dict[str, Any], batch: int, dtype: Any) -> dict[str, Any]:
        import numpy as np

        p = super().prepare(weights, batch, dtype)
        u = self.units
        p["zr"] = np.empty((batch, 2 * u), dtype)
        p["hh"] = np.empty((batch, u), dtype)
        bias = p["input_bias"]
        if self.config["reset_after"]:
            # bias (2, 3·units): row 0 joins the input part, row 1 the recurrent part
            p["input_bias"] = None if bias is None else bias[0]
            p["recurrent_bias"] = None if bias is None else bias[1]
        else:
            p["recurrent_zr"] = np.ascontiguousarray(p["recurrent"][:, :2 * u])
            p["recurrent_h"] = np.ascontiguousarray(p["recurrent"][:, 2 * u:])
            p["rh"] = np.empty((batch, u), dtype)
        return p

    def step(self, p: dict[str, Any], xz: Any, states: list[Any], h_out: Any) -> list[Any]:
        import numpy as np

        from rnncalc.engine.ops import apply_inplace

        h = states[0]
        u = self.units
        zr, hh = p["zr"], p["hh"]
        if self.config["reset_after"]:
            inner = p["z"]                           # h_{t-1} W_h + b_rec, gates z, r, h
            np.matmul(h, p["recurrent"], out=inner)
            if p["recurrent_bias"] is not None:
                inner += p["recurrent_bias"]
            np.add(xz[:, :2 * u], inner[:, :2 * u], out=zr)
            apply_inplace(self.config["recurrent_activation"], zr)
            np.multiply(zr[:, u:], inner[:, 2 * u:], out=hh)   # r * (h_{t-1} W_hh + b_hh)
        else:
            np.matmul(h, p["recurrent_zr"], out=zr)
            zr += xz[:, :2 * u]
            apply_inplace(self.config["recurrent_activation"], zr)
            rh = p["rh"]
            np.multiply(zr[:, u:], h, out=rh)                  # (r * h_{t-1}) W_hh
            np.matmul(rh, p["recurrent_h"], out=hh)
        hh += xz[:, 2 * u:]
        apply_inplace(self.config["activation"], hh)
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
