#!/usr/bin/env python3
"""Write tests/golden/torch_attention.json: MultiHeadAttention beside nn.MultiheadAttention.

Why: ``--convention pytorch`` shows a Keras MultiHeadAttention as the
``nn.MultiheadAttention`` PyTorch would use, with its state_dict (the packed
``in_proj_weight`` when key and value have the query's width, separate
``q/k/v_proj_weight`` when ``kdim``/``vdim`` differ). This script records real
torch's state_dict names, shapes and parameter counts for several configurations,
and checks the weight mapping the notes describe: Keras' kernels, reshaped to
``(E, H·K)``, transposed and stacked, make torch compute Keras' outputs (within
1e-5). Run where Keras (torch backend) and torch are installed::

    KERAS_BACKEND=torch ~/kerasenv/bin/python scripts/make_torch_attention.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

OUT = Path(__file__).resolve().parent.parent / "tests" / "golden" / "torch_attention.json"
# (query width E, key width, value width, heads, bias, causal)
CONFIGS = [(16, 16, 16, 2, True, False), (16, 16, 16, 4, False, False),
           (32, 32, 32, 8, True, True), (16, 12, 10, 2, True, False),
           (8, 8, 6, 1, True, False), (24, 24, 24, 3, True, True)]


def main() -> int:
    import keras
    import numpy as np
    import torch

    rng = np.random.default_rng(0)
    records = []
    for e, ek, ev, h, bias, causal in CONFIGS:
        keras.backend.clear_session()
        head = e // h
        q_in = keras.Input((5, e))
        v_in = keras.Input((7, ev))
        k_in = keras.Input((7, ek))
        layer = keras.layers.MultiHeadAttention(h, head, use_bias=bias)
        out = layer(q_in, v_in, key=k_in, use_causal_mask=causal)
        model = keras.Model([q_in, v_in, k_in], out)
        model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32")
                           for w in model.get_weights()])
        weights = {w.path.split("/", 1)[1]: keras.ops.convert_to_numpy(w) for w in layer.weights}
        torch_mha = torch.nn.MultiheadAttention(e, h, bias=bias, kdim=ek, vdim=ev,
                                                batch_first=True)
        state = {k: tuple(v.shape) for k, v in torch_mha.state_dict().items()}
        packed = {"query": weights["query/kernel"].reshape(e, e).T,
                  "key": weights["key/kernel"].reshape(ek, e).T,
                  "value": weights["value/kernel"].reshape(ev, e).T}
        new = {}
        if "in_proj_weight" in state:
            new["in_proj_weight"] = np.concatenate([packed["query"], packed["key"],
                                                    packed["value"]])
        else:
            new.update(q_proj_weight=packed["query"], k_proj_weight=packed["key"],
                       v_proj_weight=packed["value"])
        if bias:
            new["in_proj_bias"] = np.concatenate([weights[f"{n}/bias"].reshape(e)
                                                  for n in ("query", "key", "value")])
            new["out_proj.bias"] = weights["attention_output/bias"]
        new["out_proj.weight"] = weights["attention_output/kernel"].reshape(e, e).T
        torch_mha.load_state_dict({k: torch.tensor(v) for k, v in new.items()})
        q = rng.normal(size=(2, 5, e)).astype("float32")
        v = rng.normal(size=(2, 7, ev)).astype("float32")
        k = rng.normal(size=(2, 7, ek)).astype("float32")
        want = keras.ops.convert_to_numpy(model([q, v, k]))
        mask = torch.triu(torch.ones(5, 7, dtype=torch.bool), 1) if causal else None
        got, _ = torch_mha(torch.tensor(q), torch.tensor(k), torch.tensor(v), attn_mask=mask,
                           need_weights=False)
        diff = float(np.max(np.abs(got.detach().numpy() - want)))
        if diff > 1e-5:
            raise SystemExit(f"mapping check failed for {(e, ek, ev, h, bias)}: {diff}")
        records.append({
            "spec": {"inputs": {"q": {"shape": [5, e]}, "v": {"shape": [7, ev]},
                                "k": {"shape": [7, ek]}},
                     "layers": [{"MultiHeadAttention": {"num_heads": h, "key_dim": head,
                                                        "use_bias": bias},
                                 "inputs": ["q", "v", "k"], "use_causal_mask": causal}]},
            "keras_params": int(model.count_params()),
            "torch_params": int(sum(p.numel() for p in torch_mha.parameters())),
            "state_dict": [[name, list(shape)] for name, shape in state.items()],
            "max_abs_diff_after_mapping": diff,
        })
    OUT.write_text(json.dumps({"torch_version": torch.__version__,
                               "keras_version": keras.__version__,
                               "generated_by": "scripts/make_torch_attention.py",
                               "models": records}, indent=1) + "\n")
    print(f"wrote {OUT} ({len(records)} configurations)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
