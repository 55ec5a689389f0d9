#!/usr/bin/env python3
"""Write tests/golden/torch_convention.json: what real torch says for ``--convention pytorch``.

Why: the PyTorch convention must show names torch can produce and counts torch
gives. For each case this script builds, with real torch, the ``nn.Module``
a torch user would write for the Keras layers (one submodule per Keras layer,
named after it; ``requires_grad_(False)`` where Keras has ``trainable=False``)
and records its ``state_dict`` keys, parameter count and trainable count.
Layout cases check, with real Keras and torch, which ``permute`` makes
torch's normalization equal Keras' (same numbers within float32 rounding, 5e-5).
Also recorded: ``dir(nn.Module())``, the names ``add_module`` refuses.

    KERAS_BACKEND=numpy ~/kerasenv/bin/python scripts/make_torch_convention_golden.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# numpy: the torch backend cannot run LayerNormalization over a non-trailing axis
os.environ.setdefault("KERAS_BACKEND", "numpy")

OUT = Path(__file__).resolve().parent.parent / "tests" / "golden" / "torch_convention.json"


def module_cases() -> list[dict]:
    """(rnncalc layers, input shape) and the torch modules a user would write for them."""
    from torch import nn

    def frozen(module: nn.Module) -> nn.Module:
        return module.requires_grad_(False)

    def two(fw: nn.Module, bw: nn.Module) -> nn.Module:
        pair = nn.Module()
        pair.add_module("forward_layer", fw)
        pair.add_module("backward_layer", bw)
        return pair

    def named(**parts: nn.Module) -> nn.Module:
        holder = nn.Module()
        for key, module in parts.items():
            holder.add_module(key, module)
        return holder

    gru = dict(batch_first=True, bidirectional=True)
    return [
        (["Bidirectional(GRU(2), trainable=False)"], [3, 5],
         [("bidirectional", frozen(nn.GRU(5, 2, **gru)))]),
        (["Bidirectional(LSTM(3), trainable=False, merge_mode='sum')"], [4, 2],
         [("bidirectional", frozen(nn.LSTM(2, 3, **gru)))]),
        (["TimeDistributed(Dense(4), trainable=False)"], [3, 5],
         [("time_distributed", frozen(nn.Linear(5, 4)))]),
        (["Bidirectional(SimpleRNN(2), trainable=False)", "Dense(1)"], [3, 5],
         [("bidirectional", frozen(nn.RNN(5, 2, **gru))), ("dense", nn.Linear(4, 1))]),
        (["Bidirectional(LSTM(2), backward_layer=GRU(2, go_backwards=True))"], [3, 5],
         [("bidirectional", two(nn.LSTM(5, 2, batch_first=True),
                                nn.GRU(5, 2, batch_first=True)))]),
        (["Bidirectional(LSTM(2), backward_layer=LSTM(3, go_backwards=True), "
          "merge_mode='concat', trainable=False)"], [3, 5],
         [("bidirectional", frozen(two(nn.LSTM(5, 2, batch_first=True),
                                       nn.LSTM(5, 3, batch_first=True))))]),
        (["Dense(3, name='forward')"], [5], [("forward_", nn.Linear(5, 3))]),
        (["Dense(3, name='training')", "Dense(2, name='a.b')"], [5],
         [("training_", nn.Linear(5, 3)), ("a_b", nn.Linear(3, 2))]),
        (["LSTM(2, name='parameters', trainable=False)"], [3, 5],
         [("parameters_", frozen(nn.LSTM(5, 2, batch_first=True)))]),
        (["Embedding(10, 4, name='to', trainable=False)", "GRU(3, name='eval')"], [6],
         [("to_", frozen(nn.Embedding(10, 4))), ("eval_", nn.GRU(4, 3, batch_first=True))]),
        (["TimeDistributed(Dense(2), name='cuda')"], [3, 5], [("cuda_", nn.Linear(5, 2))]),
        (["Conv1D(4, 3, trainable=False)"], [8, 2], [("conv1d", frozen(nn.Conv1d(2, 4, 3)))]),
        (["RNN([LSTMCell(2, name='forward'), GRUCell(3, name='a.b')])"], [4, 5],
         [("rnn", named(forward_=nn.LSTM(5, 2, batch_first=True),
                        a_b=nn.GRU(2, 3, batch_first=True)))]),
        (["RNN([SimpleRNNCell(2, name='train'), SimpleRNNCell(2)], trainable=False)"], [4, 5],
         [("rnn", frozen(named(train_=nn.RNN(5, 2, batch_first=True),
                               simple_rnn_cell=nn.RNN(2, 2, batch_first=True))))]),
    ]


def record_modules() -> list[dict]:
    from torch import nn

    out = []
    for layers, shape, parts in module_cases():
        model = nn.Module()
        for name, module in parts:
            model.add_module(name, module)   # raises if torch refuses the name
        params = list(model.parameters())
        out.append({"layers": layers, "input_shape": shape,
                    "state_dict": [k for k, v in model.state_dict().items()
                                   if any(v is p or v.data_ptr() == p.data_ptr()
                                          for p in params)],
                    "params": sum(p.numel() for p in params),
                    "trainable_params": sum(p.numel() for p in params if p.requires_grad)})
    return out


def record_layouts() -> list[dict]:
    """Which permute makes torch's LayerNorm / BatchNorm1d give Keras' numbers."""
    import keras
    import numpy as np
    import torch
    from torch import nn

    cases = [("LayerNormalization(axis=1)", [3, 5]),
             ("LayerNormalization(axis=[1])", [2, 3, 4]),
             ("LayerNormalization(axis=[1, 2])", [3, 5]),
             ("LayerNormalization(axis=-1)", [3, 5]),
             ("LayerNormalization(axis=[1, 3])", [2, 3, 4]),
             ("BatchNormalization()", [3, 5]),
             ("BatchNormalization(axis=1)", [3, 5]),
             ("BatchNormalization(axis=-1)", [4])]
    out = []
    rng = np.random.default_rng(0)
    for text, shape in cases:
        keras.backend.clear_session()
        layer = eval(text, {n: getattr(keras.layers, n) for n in dir(keras.layers)})  # noqa: S307
        x = rng.normal(size=(2, *shape)).astype("float32")
        rank = x.ndim
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.build(x.shape)
            for w in layer.weights:
                w.assign(rng.uniform(0.5, 1.5, size=w.shape).astype("float32"))
        expected = np.asarray(layer(x, training=False))
        axes = layer.axis if isinstance(layer.axis, list) else [layer.axis]
        axes = sorted(a % rank for a in axes)
        rest = [a for a in range(rank) if a not in axes]
        if isinstance(layer, keras.layers.LayerNormalization):
            order = rest + axes
            module = nn.LayerNorm([x.shape[a] for a in axes], eps=layer.epsilon,
                                  elementwise_affine=False)
        else:
            order = [0, axes[0], *rest[1:]]
            module = nn.BatchNorm1d(x.shape[axes[0]], eps=layer.epsilon).eval()
            gamma, beta, mean, var = (np.asarray(w) for w in layer.weights)
            with torch.no_grad():
                module.weight.copy_(torch.tensor(gamma))
                module.bias.copy_(torch.tensor(beta))
                module.running_mean.copy_(torch.tensor(mean))
                module.running_var.copy_(torch.tensor(var))
        back = [order.index(a) for a in range(rank)]
        with torch.no_grad():
            got = module(torch.tensor(x).permute(*order)).permute(*back).numpy()
        if isinstance(layer, keras.layers.LayerNormalization):
            gamma = np.asarray(layer.gamma).reshape([x.shape[a] if a in axes else 1
                                                     for a in range(rank)])
            beta = np.asarray(layer.beta).reshape(gamma.shape)
            got = got * gamma + beta
        assert np.allclose(got, expected, atol=5e-5), text   # float32 rounding only
        out.append({"layers": [text], "input_shape": shape,
                    "permute": order if order != list(range(rank)) else None,
                    "back": back if order != list(range(rank)) else None})
    return out


def main() -> int:
    import torch
    from torch import nn

    result = {"torch_version": torch.__version__,
              "module_attributes": sorted(dir(nn.Module())),
              "modules": record_modules(), "layouts": record_layouts()}
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(result['modules'])} module cases, "
          f"{len(result['layouts'])} layout cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
