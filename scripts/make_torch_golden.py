#!/usr/bin/env python3
"""Generate the PyTorch golden fixtures used by rnncalc's tests and docs.

This script is NOT part of the rnncalc package and PyTorch is NOT a dependency
of rnncalc. It needs a separate virtualenv that has PyTorch in it:

    python3 -m venv ~/torchenv && ~/torchenv/bin/pip install torch==2.13.0

Optionally, for the MAC-convention reference (part 2 below), also install the
two third-party counters whose conventions docs/cost-conventions.md explains:

    ~/torchenv/bin/pip install torchinfo==1.8.0 ptflops==0.7.5

Then, from the repository root:

    ~/torchenv/bin/python scripts/make_torch_golden.py          # (re)write files
    ~/torchenv/bin/python scripts/make_torch_golden.py --check  # verify only

What it writes (JSON, keys sorted, indent 1, no timestamps, so the output is
deterministic for a given torch / torchinfo / ptflops version):

1. tests/golden/torch_modules.json
   For >= 40 torch.nn.RNN (tanh and relu) / LSTM (with and without proj_size)
   / GRU configurations plus a few nn.Embedding and nn.Linear ones: the
   kwargs used, every state_dict entry (name and shape, in state_dict order),
   total and trainable parameter counts, and the output / h_n / c_n shapes of
   one forward pass on a (batch 2, time 5) input. Before writing, every
   recurrent module is checked against the closed-form PyTorch rules in
   `expected_rnn_state_dict` below; a mismatch aborts the script.

2. tests/golden/torch_cost_reference.json  (only if torchinfo and ptflops are
   importable; otherwise this part is skipped with a message)
   For LSTM, GRU and RNN with input_size 128, hidden_size 256, batch 32,
   time 100, batch_first=True: torchinfo's "Total mult-adds", ptflops'
   MACs (pytorch and aten backends), hand-computed per-timestep MAC terms,
   and the closed-form formula each tool's number was verified to equal.
   A few extra probes (bidirectional/projected LSTM, batch_first=False,
   Linear and Embedding on sequence input) document edge cases.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import warnings
from pathlib import Path

import torch
from torch import nn

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = REPO_ROOT / "tests" / "golden"
MODULES_FILE = "torch_modules.json"
COST_FILE = "torch_cost_reference.json"
GENERATED_BY = "scripts/make_torch_golden.py"

FWD_BATCH = 2
FWD_TIME = 5

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


# ---------------------------------------------------------------------------
# Part 1: module fixtures
# ---------------------------------------------------------------------------

# (input_size, hidden_size, num_layers, bias, bidirectional, batch_first)
BASE_SHAPES = [
    (8, 16, 1, True, False, True),
    (8, 16, 1, False, False, True),
    (10, 7, 2, True, False, True),
    (5, 12, 2, True, True, True),
    (3, 4, 3, False, True, True),
    (32, 32, 3, True, False, False),
    (1, 1, 1, True, True, False),
    (6, 9, 2, False, True, False),
]

# LSTM with projection: (input_size, hidden_size, proj_size, num_layers,
#                        bias, bidirectional, batch_first)
PROJ_SHAPES = [
    (8, 16, 4, 1, True, False, True),
    (8, 16, 4, 2, True, False, True),
    (8, 16, 4, 2, True, True, True),
    (7, 12, 5, 3, False, True, True),
    (12, 6, 3, 3, True, False, False),
    (4, 10, 9, 1, True, True, True),
    (20, 8, 1, 2, False, False, True),
    (16, 32, 8, 3, True, True, False),
]

# The sizes used by the cost reference (part 2), as plain module fixtures too.
COST_I, COST_H, COST_B, COST_T = 128, 256, 32, 100


def recurrent_configs():
    """Yield (id, module_name, kwargs) for all recurrent fixtures."""
    def rnn_kwargs(i, h, layers, bias, bidir, bf):
        return {
            "input_size": i,
            "hidden_size": h,
            "num_layers": layers,
            "bias": bias,
            "bidirectional": bidir,
            "batch_first": bf,
        }

    def tag(i, h, layers, bias, bidir, bf, proj=0):
        s = f"i{i}_h{h}"
        if proj:
            s += f"_p{proj}"
        s += f"_l{layers}"
        s += "" if bias else "_nobias"
        s += "_bi" if bidir else ""
        s += "_bf" if bf else "_tf"
        return s

    for nonlin in ("tanh", "relu"):
        for shp in BASE_SHAPES:
            kw = rnn_kwargs(*shp)
            kw["nonlinearity"] = nonlin
            yield f"rnn_{nonlin}_{tag(*shp)}", "RNN", kw
    for shp in BASE_SHAPES:
        yield f"gru_{tag(*shp)}", "GRU", rnn_kwargs(*shp)
    for shp in BASE_SHAPES:
        kw = rnn_kwargs(*shp)
        kw["proj_size"] = 0
        yield f"lstm_{tag(*shp)}", "LSTM", kw
    for i, h, p, layers, bias, bidir, bf in PROJ_SHAPES:
        kw = rnn_kwargs(i, h, layers, bias, bidir, bf)
        kw["proj_size"] = p
        yield f"lstm_{tag(i, h, layers, bias, bidir, bf, p)}", "LSTM", kw
    # cost-reference sizes
    cost = (COST_I, COST_H, 1, True, False, True)
    kw = rnn_kwargs(*cost)
    kw["nonlinearity"] = "tanh"
    yield f"rnn_tanh_{tag(*cost)}", "RNN", kw
    yield f"gru_{tag(*cost)}", "GRU", rnn_kwargs(*cost)
    kw = rnn_kwargs(*cost)
    kw["proj_size"] = 0
    yield f"lstm_{tag(*cost)}", "LSTM", kw


def other_configs():
    """Yield (id, module_name, kwargs) for Embedding / Linear fixtures."""
    yield "embedding_v100_d8", "Embedding", {"num_embeddings": 100, "embedding_dim": 8}
    yield "embedding_v1000_d32_pad0", "Embedding", {
        "num_embeddings": 1000, "embedding_dim": 32, "padding_idx": 0}
    yield "embedding_v50_d4_frozen", "Embedding", {
        "num_embeddings": 50, "embedding_dim": 4, "_freeze": True}
    yield "linear_i16_o4", "Linear", {"in_features": 16, "out_features": 4, "bias": True}
    yield "linear_i16_o4_nobias", "Linear", {"in_features": 16, "out_features": 4, "bias": False}
    yield "linear_i256_o10", "Linear", {"in_features": 256, "out_features": 10, "bias": True}
    yield "linear_i7_o1_nobias", "Linear", {"in_features": 7, "out_features": 1, "bias": False}


def expected_rnn_state_dict(module_name, kw):
    """The PyTorch parameter layout, written out from the rules.

    G = gates (RNN 1, GRU 3, LSTM 4); H = hidden_size; P = proj_size;
    H_out = P if P > 0 else H; dirs = 2 if bidirectional else 1.
    For layer k and direction suffix '' / '_reverse', in this order:
      weight_ih_l{k}{sfx}: (G*H, I if k == 0 else H_out*dirs)
      weight_hh_l{k}{sfx}: (G*H, H_out)
      bias_ih_l{k}{sfx}:   (G*H,)            if bias
      bias_hh_l{k}{sfx}:   (G*H,)            if bias
      weight_hr_l{k}{sfx}: (P, H)            if LSTM and P > 0
    """
    g = GATES[module_name]
    h = kw["hidden_size"]
    p = kw.get("proj_size", 0)
    h_out = p if p > 0 else h
    dirs = 2 if kw["bidirectional"] else 1
    entries = []
    for k in range(kw["num_layers"]):
        in_k = kw["input_size"] if k == 0 else h_out * dirs
        for sfx in ("", "_reverse")[:dirs]:
            entries.append((f"weight_ih_l{k}{sfx}", [g * h, in_k]))
            entries.append((f"weight_hh_l{k}{sfx}", [g * h, h_out]))
            if kw["bias"]:
                entries.append((f"bias_ih_l{k}{sfx}", [g * h]))
                entries.append((f"bias_hh_l{k}{sfx}", [g * h]))
            if p > 0:
                entries.append((f"weight_hr_l{k}{sfx}", [p, h]))
    return entries


def expected_rnn_params(module_name, kw):
    """Closed form: sum_k dirs * (G*H*(in_k + H_out) + 2*G*H*bias + P*H)."""
    g = GATES[module_name]
    h = kw["hidden_size"]
    p = kw.get("proj_size", 0)
    h_out = p if p > 0 else h
    dirs = 2 if kw["bidirectional"] else 1
    total = 0
    for k in range(kw["num_layers"]):
        in_k = kw["input_size"] if k == 0 else h_out * dirs
        total += dirs * (g * h * (in_k + h_out) + (2 * g * h if kw["bias"] else 0) + p * h)
    return total


def expected_rnn_forward(module_name, kw):
    h = kw["hidden_size"]
    p = kw.get("proj_size", 0)
    h_out = p if p > 0 else h
    dirs = 2 if kw["bidirectional"] else 1
    ld = kw["num_layers"] * dirs
    if kw["batch_first"]:
        inp = [FWD_BATCH, FWD_TIME, kw["input_size"]]
        out = [FWD_BATCH, FWD_TIME, dirs * h_out]
    else:
        inp = [FWD_TIME, FWD_BATCH, kw["input_size"]]
        out = [FWD_TIME, FWD_BATCH, dirs * h_out]
    res = {"input_shape": inp, "output_shape": out, "h_n_shape": [ld, FWD_BATCH, h_out]}
    if module_name == "LSTM":
        res["c_n_shape"] = [ld, FWD_BATCH, h]
    return res


def param_counts(module):
    total = sum(p.numel() for p in module.parameters())
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    return int(total), int(trainable)


def state_dict_entries(module):
    return [{"name": k, "shape": list(v.shape)} for k, v in module.state_dict().items()]


def make_recurrent_record(cid, module_name, kw):
    torch.manual_seed(0)
    module = getattr(nn, module_name)(**kw)
    module.eval()
    sd = state_dict_entries(module)
    total, trainable = param_counts(module)

    exp_sd = [{"name": n, "shape": s} for n, s in expected_rnn_state_dict(module_name, kw)]
    if sd != exp_sd:
        raise AssertionError(f"{cid}: state_dict {sd} != rule {exp_sd}")
    if total != expected_rnn_params(module_name, kw):
        rule = expected_rnn_params(module_name, kw)
        raise AssertionError(f"{cid}: params {total} != rule {rule}")

    if kw["batch_first"]:
        x = torch.randn(FWD_BATCH, FWD_TIME, kw["input_size"])
    else:
        x = torch.randn(FWD_TIME, FWD_BATCH, kw["input_size"])
    with torch.no_grad():
        out, state = module(x)
    fwd = {"batch": FWD_BATCH, "time": FWD_TIME, "input_shape": list(x.shape),
           "output_shape": list(out.shape)}
    if module_name == "LSTM":
        h_n, c_n = state
        fwd["h_n_shape"] = list(h_n.shape)
        fwd["c_n_shape"] = list(c_n.shape)
    else:
        fwd["h_n_shape"] = list(state.shape)
    exp_fwd = expected_rnn_forward(module_name, kw)
    for key, val in exp_fwd.items():
        if fwd[key] != val:
            raise AssertionError(f"{cid}: forward {key} {fwd[key]} != rule {val}")

    return {
        "id": cid,
        "module": module_name,
        "config": dict(kw),
        "state_dict": sd,
        "params": total,
        "trainable_params": trainable,
        "forward": fwd,
    }


def make_other_record(cid, module_name, kw):
    torch.manual_seed(0)
    module = getattr(nn, module_name)(**kw)
    module.eval()
    sd = state_dict_entries(module)
    total, trainable = param_counts(module)
    if module_name == "Embedding":
        assert total == kw["num_embeddings"] * kw["embedding_dim"], cid
        x = torch.randint(0, kw["num_embeddings"], (FWD_BATCH, FWD_TIME))
    else:
        assert total == kw["in_features"] * kw["out_features"] + (
            kw["out_features"] if kw["bias"] else 0), cid
        x = torch.randn(FWD_BATCH, FWD_TIME, kw["in_features"])
    with torch.no_grad():
        out = module(x)
    return {
        "id": cid,
        "module": module_name,
        "config": dict(kw),
        "state_dict": sd,
        "params": total,
        "trainable_params": trainable,
        "forward": {"batch": FWD_BATCH, "time": FWD_TIME, "input_shape": list(x.shape),
                    "output_shape": list(out.shape)},
    }


# The CRNN front and small layers: (id, Keras expression, Keras per-sample input shape
# (channels last), torch module, kwargs). The torch module sees the same input
# channels first (batch FWD_BATCH); tests build the Keras expression with rnncalc's
# PyTorch convention and compare state_dict, counts and the output shape.
FAMILY = [
    ("conv2d_k3", "Conv2D(8, 3)", (10, 12, 3), "Conv2d", {
        "in_channels": 3, "out_channels": 8, "kernel_size": 3}),
    ("conv2d_groups_nobias", "Conv2D(6, (3, 2), groups=2, use_bias=False)", (8, 9, 4),
     "Conv2d", {"in_channels": 4, "out_channels": 6, "kernel_size": (3, 2), "groups": 2,
                "bias": False}),
    ("conv2d_same_dilation", "Conv2D(4, 3, padding='same', dilation_rate=2)", (9, 9, 2),
     "Conv2d", {"in_channels": 2, "out_channels": 4, "kernel_size": 3, "padding": "same",
                "dilation": 2}),
    ("conv2d_strides", "Conv2D(4, 3, strides=2)", (9, 10, 2), "Conv2d", {
        "in_channels": 2, "out_channels": 4, "kernel_size": 3, "stride": 2}),
    ("conv3d_groups", "Conv3D(4, 2, groups=2)", (4, 5, 6, 2), "Conv3d", {
        "in_channels": 2, "out_channels": 4, "kernel_size": 2, "groups": 2}),
    ("conv1d_k5", "Conv1D(6, 5, dilation_rate=2)", (20, 3), "Conv1d", {
        "in_channels": 3, "out_channels": 6, "kernel_size": 5, "dilation": 2}),
    ("depthwise_conv1d", "DepthwiseConv1D(3, depth_multiplier=2)", (10, 4), "Conv1d", {
        "in_channels": 4, "out_channels": 8, "kernel_size": 3, "groups": 4}),
    ("separable_conv1d", "SeparableConv1D(5, 3, depth_multiplier=2)", (10, 4), "Separable", {
        "in_channels": 4, "multiplier": 2, "out_channels": 5, "kernel_size": 3}),
    ("maxpool2d", "MaxPooling2D(2)", (8, 9, 3), "MaxPool2d", {"kernel_size": 2}),
    ("maxpool2d_stride1", "MaxPooling2D(3, strides=1)", (8, 9, 3), "MaxPool2d", {
        "kernel_size": 3, "stride": 1}),
    ("avgpool2d_rect", "AveragePooling2D((2, 4))", (8, 9, 3), "AvgPool2d", {
        "kernel_size": (2, 4), "count_include_pad": False}),
    ("maxpool3d", "MaxPooling3D()", (4, 6, 6, 2), "MaxPool3d", {"kernel_size": 2}),
    ("global_max_pool2d", "GlobalMaxPooling2D(keepdims=True)", (5, 6, 3),
     "AdaptiveMaxPool2d", {"output_size": 1}),
    ("global_avg_pool2d", "GlobalAveragePooling2D(keepdims=True)", (5, 6, 3),
     "AdaptiveAvgPool2d", {"output_size": 1}),
    ("prelu_per_channel", "PReLU(shared_axes=[1, 2])", (5, 6, 3), "PReLU", {
        "num_parameters": 3}),
    ("prelu_single", "PReLU(shared_axes=[1])", (5,), "PReLU", {}),
    ("zeropad1d", "ZeroPadding1D((2, 3))", (10, 3), "ZeroPad1d", {"padding": (2, 3)}),
    ("zeropad2d", "ZeroPadding2D(((1, 2), (3, 4)))", (6, 7, 2), "ZeroPad2d", {
        "padding": (3, 4, 1, 2)}),
    ("upsample1d", "UpSampling1D(3)", (4, 2), "Upsample", {
        "scale_factor": 3, "mode": "nearest"}),
    ("upsample2d", "UpSampling2D((2, 3))", (4, 5, 2), "Upsample", {
        "scale_factor": (2, 3), "mode": "nearest"}),
    ("zeropad3d", "ZeroPadding3D(((1, 0), (2, 2), (0, 3)))", (3, 4, 5, 2), "ZeroPad3d", {
        "padding": (0, 3, 2, 2, 1, 0)}),
    ("leaky_relu", "LeakyReLU()", (4, 3), "LeakyReLU", {"negative_slope": 0.3}),
    ("elu", "ELU(alpha=0.5)", (4, 3), "ELU", {"alpha": 0.5}),
    ("softmax", "Softmax(axis=1)", (4, 3), "Softmax", {"dim": 1}),
    ("identity", "Identity()", (4, 3), "Identity", {}),
]


def _family_module(name, kw):
    if name == "Separable":
        c, m, f, k = kw["in_channels"], kw["multiplier"], kw["out_channels"], kw["kernel_size"]
        from collections import OrderedDict
        return nn.Sequential(OrderedDict(
            depthwise=nn.Conv1d(c, c * m, k, groups=c, bias=False),
            pointwise=nn.Conv1d(c * m, f, 1)))
    return getattr(nn, name)(**kw)


def make_family_record(cid, expr, keras_shape, module_name, kw):
    torch.manual_seed(0)
    module = _family_module(module_name, kw)
    module.eval()
    spatial, channels = keras_shape[:-1], keras_shape[-1]
    x = torch.randn(FWD_BATCH, channels, *spatial) if spatial else torch.randn(
        FWD_BATCH, channels)
    with torch.no_grad():
        out = module(x)
    total, trainable = param_counts(module)
    return {"id": cid, "module": module_name, "keras": expr,
            "keras_input_shape": list(keras_shape),
            "config": {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()},
            "state_dict": state_dict_entries(module), "params": total,
            "trainable_params": trainable,
            "forward": {"batch": FWD_BATCH, "input_shape": list(x.shape),
                        "output_shape": list(out.shape)}}


def build_modules_doc():
    records = [make_recurrent_record(*c) for c in recurrent_configs()]
    records += [make_other_record(*c) for c in other_configs()]
    records += [make_family_record(*c) for c in FAMILY]
    ids = [r["id"] for r in records]
    if len(ids) != len(set(ids)):
        raise AssertionError("duplicate fixture ids")
    return {
        "torch_version": torch.__version__,
        "generated_by": GENERATED_BY,
        "modules": records,
    }


# ---------------------------------------------------------------------------
# Part 2: MAC-convention reference (torchinfo, ptflops, by hand)
# ---------------------------------------------------------------------------

def hand_terms(module_name, i, h):
    """Per-sample, per-timestep, per-direction, single-layer work, by hand.

    Matrix terms are multiply-accumulates (MACs). The rest are counted as
    individual element-wise operations (one add, one multiply, or one
    activation-function evaluation per element), following PyTorch's
    gate equations (two bias vectors, b_ih and b_hh).
    """
    g = GATES[module_name]
    t = {
        "gates": g,
        "input_projection_macs": i * g * h,      # W_ih @ x_t
        "recurrent_macs": h * g * h,             # W_hh @ h_{t-1}
        "bias_adds_pytorch_two_biases": 2 * g * h,  # + b_ih + b_hh
        "bias_adds_one_bias": g * h,            # Keras LSTM/SimpleRNN, GRU reset_after=False
    }
    if module_name == "LSTM":
        # ih + hh pre-activation sum: 4H adds; i,f,o sigmoid 3H; g tanh H;
        # c = f*c + i*g: 2H mul + H add; h = o * tanh(c): H tanh + H mul
        t["elementwise"] = {"adds": 4 * h + h, "mults": 3 * h, "activations": 5 * h}
    elif module_name == "GRU":
        # r,z: ih+hh sum 2H adds, sigmoid 2H; n = tanh(xn + r*(hn)): H mul, H add, H tanh;
        # h = (1-z)*n + z*h: H sub, 2H mul, H add
        t["elementwise"] = {"adds": 2 * h + h + 2 * h, "mults": h + 2 * h, "activations": 3 * h}
    else:
        # ih + hh sum: H adds; tanh/relu: H
        t["elementwise"] = {"adds": h, "mults": 0, "activations": h}
    t["elementwise_total"] = sum(t["elementwise"].values())
    t["matmul_macs"] = t["input_projection_macs"] + t["recurrent_macs"]
    return t


def ptflops_rnn_formula(module_name, kw, sizes_bt):
    """Re-statement of ptflops 0.7.5 pytorch_ops.rnn_flops + rnn_flops_counter_hook.

    Per layer (forward-direction weights only):
      w_ih.numel() + w_hh.numel()                      (rnn_flops, matrix terms)
      + elementwise: RNN H; GRU H + 3H + 3H; LSTM 4H + 3H + 3H   (rnn_flops)
      + b_ih.numel() + b_hh.numel()  if bias          (rnn_flops_counter_hook)
    summed over layers, x input.shape[0] x input.shape[1], x 2 if bidirectional.
    weight_hr_l{k} (proj_size) is never counted. The module total is then
    divided by len(first positional input of the top model) in
    compute_average_flops_cost (the "batch counter").
    """
    g = GATES[module_name]
    h = kw["hidden_size"]
    p = kw.get("proj_size", 0)
    h_out = p if p > 0 else h
    dirs = 2 if kw["bidirectional"] else 1
    elem = {"RNN": h, "GRU": 7 * h, "LSTM": 10 * h}[module_name]
    per = 0
    for k in range(kw["num_layers"]):
        in_k = kw["input_size"] if k == 0 else h_out * dirs
        per += g * h * in_k + g * h * h_out + elem + (2 * g * h if kw["bias"] else 0)
    return per * sizes_bt[0] * sizes_bt[1] * dirs


def run_torchinfo(module, input_size=None, dtypes=None):
    from torchinfo import summary
    kwargs = {"input_size": input_size, "verbose": 0}
    if dtypes is not None:
        kwargs["dtypes"] = dtypes
    stats = summary(module, **kwargs)
    return int(stats.total_mult_adds), int(stats.total_params)


def run_ptflops(module, shape, dtype=torch.float32, backend="pytorch", mkldnn=None):
    from ptflops import get_model_complexity_info

    def ctor(_res):
        if dtype == torch.long:
            return torch.zeros(*shape, dtype=torch.long)
        return torch.zeros(*shape)

    ctx = (torch.backends.mkldnn.flags(enabled=mkldnn) if mkldnn is not None
           else contextlib.nullcontext())
    sink = io.StringIO()
    with ctx, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        macs, params = get_model_complexity_info(
            module, tuple(shape[1:]), input_constructor=ctor, as_strings=False,
            print_per_layer_stat=False, backend=backend, ost=sink)
    return (int(macs) if macs is not None else None), int(params)


def cost_record(module_name, kw, input_shape):
    torch.manual_seed(0)
    module = getattr(nn, module_name)(**kw)
    module.eval()
    params, _ = param_counts(module)
    bf = kw.get("batch_first", False)
    b, t = (input_shape[0], input_shape[1]) if bf else (input_shape[1], input_shape[0])
    dirs = 2 if kw["bidirectional"] else 1

    ti_macs, ti_params = run_torchinfo(module, input_size=tuple(input_shape))
    assert ti_params == params
    ti_formula = b * t * params
    if ti_macs != ti_formula:
        raise AssertionError(f"torchinfo {ti_macs} != B*T*params {ti_formula}")

    pf_macs, _ = run_ptflops(module, input_shape)
    pf_module_total = ptflops_rnn_formula(module_name, kw, input_shape)
    divisor = input_shape[0]  # len(input[0]) in ptflops' batch_counter_hook
    if pf_macs != pf_module_total // divisor:
        raise AssertionError(f"ptflops {pf_macs} != formula {pf_module_total}/{divisor}")

    aten_default, _ = run_ptflops(module, input_shape, backend="aten")
    aten_no_mkldnn, _ = run_ptflops(module, input_shape, backend="aten", mkldnn=False)

    hand = hand_terms(module_name, kw["input_size"], kw["hidden_size"])
    per_step = {
        "matmul_macs": hand["matmul_macs"],
        "matmul_plus_two_biases": hand["matmul_macs"] + hand["bias_adds_pytorch_two_biases"],
        "matmul_plus_two_biases_plus_elementwise": (
            hand["matmul_macs"] + hand["bias_adds_pytorch_two_biases"] + hand["elementwise_total"]),
    }
    single_layer_unidir = kw["num_layers"] == 1 and dirs == 1 and not kw.get("proj_size", 0)
    rec = {
        "module": module_name,
        "config": dict(kw),
        "input_shape": list(input_shape),
        "batch": b,
        "time": t,
        "params": params,
        "torchinfo": {
            "total_mult_adds": ti_macs,
            "formula": ("batch * time * params "
                        "(every weight AND bias element, all layers/directions)"),
            "formula_value": ti_formula,
        },
        "ptflops": {
            "backend": "pytorch",
            "macs_reported": pf_macs,
            "module_total_before_batch_division": pf_module_total,
            "batch_counter_divisor": divisor,
            "formula": ("sum over layers of [w_ih + w_hh + b_ih + b_hh"
                        " + elementwise(RNN H, GRU 7H, LSTM 10H)]"
                        " * input.shape[0] * input.shape[1] * dirs, then / len(input[0]);"
                        " weight_hr ignored"),
        },
        "ptflops_aten": {
            "macs_reported_default": aten_default,
            "macs_reported_mkldnn_disabled": aten_no_mkldnn,
            "note": ("counts only aten mm/addmm/bmm/matmul/convolution ops actually dispatched; "
                     "not divided by batch; kernel-dependent"),
        },
    }
    if single_layer_unidir:
        rec["hand_per_sample_per_step"] = hand
        rec["hand_totals_batch_time"] = {k: v * b * t for k, v in per_step.items()}
        rec["hand_per_sample_per_step_sums"] = per_step
    return rec


def build_cost_doc():
    try:
        import ptflops  # noqa: F401
        import torchinfo  # noqa: F401
    except ImportError as exc:
        print(f"skipping {COST_FILE}: torchinfo/ptflops not importable ({exc}); "
              f"pip install torchinfo==1.8.0 ptflops==0.7.5 into the torch venv",
              file=sys.stderr)
        return None
    from importlib.metadata import version

    base = {"input_size": COST_I, "hidden_size": COST_H, "num_layers": 1, "bias": True,
            "bidirectional": False, "batch_first": True}
    bf_shape = (COST_B, COST_T, COST_I)
    models = []
    for name in ("LSTM", "GRU", "RNN"):
        kw = dict(base)
        if name == "RNN":
            kw["nonlinearity"] = "tanh"
        rec = cost_record(name, kw, bf_shape)
        rec["id"] = name.lower()
        models.append(rec)

    extras = []
    # multi-layer, bidirectional, projected LSTM: torchinfo counts weight_hr,
    # ptflops does not.
    kw = dict(base, num_layers=2, bidirectional=True, proj_size=64)
    rec = cost_record("LSTM", kw, bf_shape)
    rec["id"] = "lstm_l2_bi_proj64"
    extras.append(rec)
    # batch_first=False: ptflops divides by len(input[0]) == time, not batch.
    kw = dict(base, batch_first=False)
    rec = cost_record("LSTM", kw, (COST_T, COST_B, COST_I))
    rec["id"] = "lstm_time_major"
    extras.append(rec)

    # Linear applied to a (B, T, F) sequence.
    torch.manual_seed(0)
    lin = nn.Linear(COST_H, 10)
    ti_macs, _ = run_torchinfo(lin, input_size=(COST_B, COST_T, COST_H))
    pf_macs, _ = run_ptflops(lin, (COST_B, COST_T, COST_H))
    lin_params = COST_H * 10 + 10
    assert ti_macs == COST_B * lin_params, ti_macs
    assert pf_macs == COST_T * (COST_H * 10 + 10), pf_macs
    extras.append({
        "id": "linear_on_sequence",
        "module": "Linear",
        "config": {"in_features": COST_H, "out_features": 10, "bias": True},
        "input_shape": [COST_B, COST_T, COST_H],
        "params": lin_params,
        "torchinfo": {"total_mult_adds": ti_macs,
                      "formula": "output.shape[0] * params (time axis NOT counted for Linear)",
                      "formula_value": COST_B * lin_params},
        "ptflops": {"backend": "pytorch", "macs_reported": pf_macs,
                    "formula": "(in*out + out) * prod(input.shape[:-1]) / len(input[0])",
                    "module_total_before_batch_division": COST_B * COST_T * (COST_H * 10 + 10),
                    "batch_counter_divisor": COST_B},
        "true_total_macs_plus_bias_adds": COST_B * COST_T * (COST_H * 10 + 10),
    })
    # Embedding applied to (B, T) token ids.
    torch.manual_seed(0)
    emb = nn.Embedding(1000, 64)
    ti_macs, _ = run_torchinfo(emb, input_size=(COST_B, COST_T), dtypes=[torch.long])
    pf_macs, _ = run_ptflops(emb, (COST_B, COST_T), dtype=torch.long)
    assert ti_macs == COST_B * 1000 * 64, ti_macs
    extras.append({
        "id": "embedding_on_sequence",
        "module": "Embedding",
        "config": {"num_embeddings": 1000, "embedding_dim": 64},
        "input_shape": [COST_B, COST_T],
        "params": 1000 * 64,
        "torchinfo": {"total_mult_adds": ti_macs,
                      "formula": "output.shape[0] * params (a lookup counted as batch * V * D)",
                      "formula_value": COST_B * 1000 * 64},
        "ptflops": {"backend": "pytorch", "macs_reported": pf_macs,
                    "formula": "0 (nn.Embedding has no ptflops hook)"},
    })

    return {
        "generated_by": GENERATED_BY,
        "torch_version": torch.__version__,
        "torchinfo_version": version("torchinfo"),
        "ptflops_version": version("ptflops"),
        "setup": {"input_size": COST_I, "hidden_size": COST_H, "batch": COST_B,
                  "time": COST_T, "batch_first": True},
        "models": models,
        "extras": extras,
    }


# ---------------------------------------------------------------------------

def dump(doc):
    return json.dumps(doc, sort_keys=True, indent=1) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", type=Path, default=GOLDEN_DIR)
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if a file differs from what would be written")
    args = ap.parse_args(argv)

    torch.set_num_threads(1)
    # Harmless, environment-specific notices from torch (oneDNN fallbacks, TF32).
    warnings.filterwarnings("ignore", message=".*oneDNN.*")
    outputs = {MODULES_FILE: dump(build_modules_doc())}
    cost = build_cost_doc()
    if cost is not None:
        outputs[COST_FILE] = dump(cost)

    status = 0
    for fname, text in outputs.items():
        path = args.out_dir / fname
        if args.check:
            old = path.read_text() if path.exists() else None
            if old != text:
                print(f"{path}: out of date", file=sys.stderr)
                status = 1
            else:
                print(f"{path}: up to date")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
