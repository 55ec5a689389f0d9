"""Fuzzing: whatever the input, rnncalc answers with exit 0, or 2 and one ``error:`` line.

Hypothesis drives the spec parser (raw text and bytes, YAML and JSON built
from layer-ish data, mutations of valid specs), the expression parser
(``--layer``), the graph builder (functional graphs with random references)
and the ``--input``/``--weights`` loaders (random and damaged .npy/.npz/.json).
Every example must finish in ``TIME_LIMIT`` seconds, print no traceback and,
with ``--json``, leave stdout empty or one valid JSON document.

Example counts are bounded for CI (the whole file runs in well under a minute
on two cores); set ``RNNCALC_FUZZ_EXAMPLES`` to scale them up locally.
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnncalc.layers import LAYER_KINDS

pytestmark = [pytest.mark.slow,  # `pytest -m "not slow"` skips the fuzz suite
              pytest.mark.filterwarnings("ignore::RuntimeWarning")]  # NaN casts in strategies
SCALE = float(os.environ.get("RNNCALC_FUZZ_EXAMPLES", "1"))
TIME_LIMIT = 3.0


def fuzz_settings(examples: int):
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large],
                    derandomize=True, database=None)


def check(result, elapsed: float, *, json_out: bool = False) -> None:
    assert result.code in (0, 2), f"exit {result.code}: {result.err}"
    assert "Traceback" not in result.err
    if result.code == 2:
        assert result.err.startswith("error: "), result.err
        assert result.err.count("\n") == 1, result.err
        assert result.out == "", result.out[:200]
    if json_out and result.out:
        json.loads(result.out)
    assert elapsed < TIME_LIMIT, f"took {elapsed:.2f}s"


def timed(cli, *args):
    start = time.perf_counter()
    result = cli(*args)
    return result, time.perf_counter() - start


# -- building blocks -------------------------------------------------------------------

KINDS = sorted(LAYER_KINDS)
ARG_NAMES = sorted({a.name for kind in LAYER_KINDS.values() for a in kind.ARGS}
                   | {"name", "trainable", "dtype", "input_shape", "batch_input_shape",
                      "input_dim", "input_length", "batch_size", "inputs", "initial_state"})
NAMES = ["a", "b", "enc", "dec", "x", "lstm", "dense", "input_layer"]
REFS = st.sampled_from(NAMES) | st.builds("{}[{}]".format, st.sampled_from(NAMES),
                                          st.integers(0, 4))

small_ints = st.integers(-3, 12)
scalars = st.one_of(
    st.none(), st.booleans(), small_ints, st.integers(-10**40, 10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-2, 2),
    st.sampled_from(["relu", "tanh", "same", "valid", "causal", "sum", "concat", "cat", "ave",
                     "glorot_uniform", "zeros", "orthogonal", "int32", "float16", "LSTM(3)",
                     "channels_first", "", "x", "enc[1]"]),
    st.text(max_size=8),
)
dims = st.lists(st.one_of(st.none(), st.integers(-1, 7), st.just(10**30)), max_size=4)
values = st.recursive(scalars | dims, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(ARG_NAMES + KINDS), inner, max_size=3)), max_leaves=12)


@st.composite
def layer_entries(draw):
    kind = draw(st.sampled_from(KINDS + ["LTSM", "lstm", "Nope"]))
    kwargs = draw(st.dictionaries(st.sampled_from(ARG_NAMES), values, max_size=3))
    form = draw(st.integers(0, 5))
    if form == 0:
        entry = {kind: kwargs}
    elif form == 1:
        entry = {kind: draw(st.lists(values, max_size=3))}
    elif form == 2:
        entry = {kind: draw(scalars)}
    elif form == 3:
        entry = {"type": kind, **kwargs}
    elif form == 4:
        entry = kind
    else:
        args = [repr(v) for v in draw(st.lists(scalars, max_size=2))]
        args += [f"{k}={v!r}" for k, v in kwargs.items() if k.isidentifier()]
        entry = f"{kind}({', '.join(args)})"
    if isinstance(entry, dict) and draw(st.booleans()):
        entry["inputs"] = draw(REFS | st.lists(REFS, max_size=3))
    if isinstance(entry, dict) and draw(st.integers(0, 5)) == 0:
        entry["initial_state"] = draw(st.lists(REFS, max_size=3))
    return entry


@st.composite
def specs(draw):
    spec: dict = {}
    if draw(st.booleans()):
        spec["inputs"] = draw(st.dictionaries(
            st.sampled_from(["a", "b", "enc", "x"]),
            st.fixed_dictionaries({"shape": dims}, optional={"dtype": st.sampled_from(
                ["int32", "float32", "float33"])}), min_size=1, max_size=3))
    elif draw(st.booleans()):
        spec["input"] = {"shape": draw(dims)}
    spec["layers"] = draw(st.lists(layer_entries(), min_size=0, max_size=5))
    if draw(st.integers(0, 4)) == 0:
        spec["outputs"] = draw(st.lists(REFS, max_size=2))
    if draw(st.integers(0, 6)) == 0:
        spec[draw(st.sampled_from(["layer", "name", "extra"]))] = draw(values)
    return spec


def _write_and_summarize(cli, tmp_path, name: str, content: str | bytes, *extra: str):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return timed(cli, "summary", path, *extra)


# -- the spec parser -------------------------------------------------------------------

@fuzz_settings(150)
@given(text=st.text(max_size=300), suffix=st.sampled_from([".yaml", ".json", ""]))
def test_any_text_as_spec(cli, tmp_path, text, suffix):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    result, elapsed = _write_and_summarize(cli, tmp_path, f"spec{suffix}", text, "--json")
    check(result, elapsed, json_out=True)


@fuzz_settings(80)
@given(data=st.binary(max_size=300))
def test_any_bytes_as_spec(cli, tmp_path, data):
    result, elapsed = _write_and_summarize(cli, tmp_path, "spec.yaml", data)
    check(result, elapsed)


YAML_PIECES = ["layers:", "input:", "inputs:", "  - ", "- ", "LSTM", "Dense: 3", "{", "}", "[",
               "]", ":", ", ", "\n", "  ", "&a ", "*a", "!!python/object:os.system ", "'",
               '"', "#", "shape: [4, 5]", "units: -3", "null", "~", "? ", "|", ">", "\t",
               "<<: *a", "---", "...", "%YAML 1.2", "!!binary ", "LSTM(3, x=[1, {2: 3}])"]


@fuzz_settings(200)
@given(pieces=st.lists(st.sampled_from(YAML_PIECES), max_size=30))
def test_yaml_fragments(cli, tmp_path, pieces):
    result, elapsed = _write_and_summarize(cli, tmp_path, "spec.yaml", "".join(pieces), "--json")
    check(result, elapsed, json_out=True)


@fuzz_settings(300)
@given(spec=specs(), as_json=st.booleans(), fmt=st.sampled_from(["json", "table", "markdown"]))
def test_structured_specs(cli, tmp_path, spec, as_json, fmt):
    if as_json:
        text, name = json.dumps(spec, allow_nan=True), "spec.json"
    else:
        text, name = yaml.safe_dump(spec, allow_unicode=True), "spec.yaml"
    result, elapsed = _write_and_summarize(cli, tmp_path, name, text, "--format", fmt)
    check(result, elapsed, json_out=fmt == "json")


# -- the expression parser -------------------------------------------------------------

EXPR_PIECES = ["LSTM", "Dense", "Bidirectional", "tf.keras.layers.", "os.", "__import__",
               "__class__", "lambda: ", "(", ")", "[", "]", "{", "}", ", ", "=", "3", "-3",
               "2.5", "1e400", "True", "None", "'relu'", "units", "return_sequences", "*",
               "**", ".", ":", " for x in y", " if 1 else 2", "f'{x}'", "Constant(0.1)",
               "merge_mode='cat'", "9" * 50, "x", ";", "\\", "@", "...", ":="]


@fuzz_settings(250)
@given(expr=st.one_of(st.lists(st.sampled_from(EXPR_PIECES), max_size=20).map("".join),
                      st.text(max_size=60)))
def test_layer_expressions(cli, expr):
    result, elapsed = timed(cli, "summary", "--input-shape", "4,5", "--layer", expr, "--json")
    check(result, elapsed, json_out=True)


@fuzz_settings(150)
@given(kind=st.sampled_from(KINDS),
       args=st.lists(scalars, max_size=3),
       kwargs=st.dictionaries(st.sampled_from(ARG_NAMES), scalars, max_size=3))
def test_layer_calls(cli, kind, args, kwargs):
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    expr = f"{kind}({', '.join(parts)})"
    result, elapsed = timed(cli, "summary", "--input-shape", "4,5", "--layer", expr)
    check(result, elapsed)


# -- the graph builder -----------------------------------------------------------------

GRAPH_LAYERS = [{"LSTM": {"units": 3, "return_state": True}}, {"LSTM": 3}, {"GRU": 2},
                {"SimpleRNN": {"units": 3, "return_sequences": True}}, {"Dense": 3},
                {"Concatenate": {}}, {"Add": None}, {"Multiply": None}, {"Flatten": None},
                {"Bidirectional": {"layer": {"LSTM": 2}, "merge_mode": None}},
                {"Bidirectional": {"layer": {"GRU": {"units": 3, "return_state": True}}}},
                {"RepeatVector": 2}, {"Subtract": None}, {"Average": None}]


@st.composite
def graphs(draw):
    inputs = draw(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.sampled_from(
        [{"shape": [4, 3]}, {"shape": [None, 3]}, {"shape": [3]}, {"shape": [2]},
         {"shape": [4, 2]}]), min_size=1, max_size=3))
    names = list(inputs)
    layers = []
    for i in range(draw(st.integers(1, 6))):
        body = json.loads(json.dumps(draw(st.sampled_from(GRAPH_LAYERS))))
        kind = next(iter(body))
        if isinstance(body[kind], dict) and kind not in ("Bidirectional",):
            body[kind]["name"] = f"n{i}"
        elif kind != "Bidirectional":
            body[kind] = {"name": f"n{i}"} if body[kind] is None else {
                "name": f"n{i}", **({"units": body[kind]} if isinstance(body[kind], int)
                                    and kind != "RepeatVector" else {"n": body[kind]})}
        else:
            body[kind]["name"] = f"n{i}"
        pool = names + [f"n{j}" for j in range(i + 2)]      # n{i}, n{i+1}: self, later
        refs = draw(st.lists(st.sampled_from(pool).flatmap(
            lambda n: st.sampled_from([n, f"{n}[0]", f"{n}[1]", f"{n}[3]"])),
            min_size=1, max_size=3))
        body["inputs"] = refs if len(refs) > 1 else refs[0]
        if draw(st.integers(0, 4)) == 0:
            body["initial_state"] = draw(st.lists(st.sampled_from(pool), max_size=4))
        layers.append(body)
    spec = {"inputs": inputs, "layers": layers}
    if draw(st.booleans()):
        spec["outputs"] = draw(st.lists(st.sampled_from(
            [f"n{j}" for j in range(len(layers) + 1)] + names), min_size=1, max_size=2))
    return spec


@fuzz_settings(300)
@given(spec=graphs())
def test_functional_graphs(cli, tmp_path, spec):
    result, elapsed = _write_and_summarize(cli, tmp_path, "graph.json", json.dumps(spec),
                                           "--json")
    check(result, elapsed, json_out=True)


# -- the --input / --weights loaders ---------------------------------------------------

MODEL = "input: {shape: [3]}\nlayers:\n  - Dense: 2\n"
TOKENS = "input: {shape: [5], dtype: int32}\nlayers:\n  - Embedding: [10, 3]\n"
DTYPES = ["float32", "float64", "int32", "int64", "uint8", "bool", "float16", "complex64",
          "<U2", "S3", "int8"]


def _npy(arr) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _npz(arrays: dict) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


arrays = st.builds(
    lambda shape, dtype, fill: np.full(shape, fill).astype(dtype, casting="unsafe")
    if dtype not in ("<U2", "S3") else np.full(shape, "ab", dtype=dtype),
    st.lists(st.integers(0, 6), max_size=3).map(tuple), st.sampled_from(DTYPES),
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-20, 20)))


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """Truncate, flip bytes in or append junk to valid file contents."""
    op = draw(st.integers(0, 3))
    if op == 0 or not data:
        return data[: draw(st.integers(0, max(len(data) - 1, 0)))]
    if op == 1:
        buf = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            buf[draw(st.integers(0, len(buf) - 1))] = draw(st.integers(0, 255))
        return bytes(buf)
    if op == 2:
        return data + draw(st.binary(max_size=20))
    return data


@st.composite
def input_files(draw):
    kind = draw(st.sampled_from(["npy", "npz", "json", "bytes", "zip"]))
    arr = draw(arrays)
    if kind == "npy":
        return "x.npy", draw(damaged(_npy(arr)))
    if kind == "npz":
        key = draw(st.sampled_from(["input_layer", "arr_0", "x", "input/input_layer"]))
        return "x.npz", draw(damaged(_npz({key: arr})))
    if kind == "json":
        value = draw(st.recursive(st.one_of(st.integers(-5, 15), st.floats(), st.none(),
                                            st.booleans(), st.text(max_size=3)),
                                  lambda inner: st.lists(inner, max_size=5), max_leaves=20))
        return "x.json", json.dumps(value).encode()
    if kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            archive.writestr(draw(st.sampled_from(["input_layer.npy", "a/b.npy", "x.txt"])),
                             draw(damaged(_npy(arr))))
        return "x.npz", buf.getvalue()
    return draw(st.sampled_from(["x.npy", "x.npz", "x.json"])), draw(st.binary(max_size=200))


@fuzz_settings(150)
@given(file=input_files(), tokens=st.booleans())
def test_input_files(cli, tmp_path, file, tokens):
    name, data = file
    (tmp_path / name).write_bytes(data)
    (tmp_path / "m.yaml").write_text(TOKENS if tokens else MODEL)
    result, elapsed = timed(cli, "run", tmp_path / "m.yaml", "--input", tmp_path / name,
                            "--json")
    check(result, elapsed, json_out=True)


@st.composite
def weight_files(draw):
    kernel = draw(st.sampled_from([(3, 2), (2, 3), (3,), (), (3, 2, 1)]))
    bias = draw(st.sampled_from([(2,), (3,), (2, 1)]))
    dtype = draw(st.sampled_from(DTYPES))
    fill = draw(st.floats(allow_nan=True, allow_infinity=True))
    made = [np.full(kernel, fill).astype(dtype, casting="unsafe") if dtype not in ("<U2", "S3")
            else np.full(kernel, "a", dtype=dtype), np.zeros(bias, np.float32)]
    keys = draw(st.sampled_from([["arr_0", "arr_1"], ["dense/kernel", "dense/bias"],
                                 ["arr_1", "arr_2"], ["dense/kernal", "dense/bias"],
                                 ["weights/dense/kernel", "weights/dense/bias"]]))
    count = draw(st.integers(0, 2))
    data = _npz(dict(zip(keys[:count], made[:count])))
    return draw(damaged(data))


@fuzz_settings(120)
@given(data=weight_files())
def test_weight_files(cli, tmp_path, data):
    (tmp_path / "w.npz").write_bytes(data)
    (tmp_path / "m.yaml").write_text(MODEL)
    result, elapsed = timed(cli, "run", tmp_path / "m.yaml", "--weights", tmp_path / "w.npz",
                            "--json")
    check(result, elapsed, json_out=True)


@pytest.mark.parametrize("shape", ["10**30", "10**60,10**40", "1,10**99"])
def test_absurd_dims_summary_exact_and_run_refused(cli, shape):
    dims = ",".join(str(eval(d)) for d in shape.split(","))  # noqa: S307 - test literals
    result, elapsed = timed(cli, "summary", "--input-shape", dims, "--layer", "Dense(3)",
                            "--json")
    check(result, elapsed, json_out=True)
    assert result.code == 0
    doc = json.loads(result.out)
    assert doc["total_params"] == sum(layer["params"] for layer in doc["layers"])
    result, elapsed = timed(cli, "run", "--input-shape", dims, "--layer", "Dense(3)")
    check(result, elapsed)
    assert result.code == 2 and "estimated" in result.err


# -- arguments: a kind's valid Keras arguments mixed with other kinds' ------------------

KERAS_ARGS = json.loads((Path(__file__).parent / "golden" / "keras_layer_args.json")
                        .read_text(encoding="utf-8"))["layers"]
# rnncalc's documented additions (Keras 2 first-layer spellings, --convention pytorch options).
ALSO_ACCEPTED = {"batch_input_shape", "batch_size", "input_length", "input_shape", "num_layers",
                 "bidirectional", "proj_size", "rms_scaling"}
# A call each kind accepts, and an input shape it builds on.
BASE_CALLS = {
    "Dense": ("Dense(3", "4,5"), "LSTM": ("LSTM(3", "4,5"), "GRU": ("GRU(3", "4,5"),
    "SimpleRNN": ("SimpleRNN(3", "4,5"), "Embedding": ("Embedding(10, 3", "4"),
    "Conv1D": ("Conv1D(4, 2", "6,3"), "Dropout": ("Dropout(0.5", "4,5"),
    "SpatialDropout1D": ("SpatialDropout1D(0.5", "4,5"), "Masking": ("Masking(0.0", "4,5"),
    "LayerNormalization": ("LayerNormalization(-1", "4,5"),
    "BatchNormalization": ("BatchNormalization(-1", "4,5"), "Flatten": ("Flatten(None", "4,5"),
    "Activation": ("Activation('relu'", "4,5"), "MaxPooling1D": ("MaxPooling1D(2", "6,3"),
    "AveragePooling1D": ("AveragePooling1D(2", "6,3"),
    "GlobalMaxPooling1D": ("GlobalMaxPooling1D(None", "6,3"),
    "GlobalAveragePooling1D": ("GlobalAveragePooling1D(None", "6,3"),
    "RepeatVector": ("RepeatVector(2", "5"), "Reshape": ("Reshape((20,)", "4,5"),
    "Permute": ("Permute((2, 1)", "4,5"),
    "Bidirectional": ("Bidirectional(LSTM(2)", "4,5"),
    "TimeDistributed": ("TimeDistributed(Dense(2)", "4,5"),
}
ALL_KERAS_ARGS = sorted({n for v in KERAS_ARGS.values() for n in v["keywords"]})
ARG_VALUES = st.one_of(st.none(), st.booleans(), st.integers(0, 4), st.just(0.5),
                       st.sampled_from(["'relu'", "'zeros'", "'same'", "'float32'", "'x'"]))


@st.composite
def mixed_arguments(draw):
    """A kind's call with some of its own Keras arguments and maybe some of other kinds'."""
    kind = draw(st.sampled_from(sorted(BASE_CALLS)))
    keras = KERAS_ARGS[kind]
    given = keras["positional"][:2 if kind in ("Embedding", "Conv1D") else 1]
    takes = set(keras["keywords"]) | set(keras["positional"])
    own = sorted(takes - set(given))
    chosen = draw(st.lists(st.sampled_from(own), max_size=3, unique=True))
    foreign = draw(st.lists(st.sampled_from(ALL_KERAS_ARGS), max_size=2, unique=True))
    foreign = [a for a in foreign if a not in takes and a not in ALSO_ACCEPTED]
    names = list(dict.fromkeys(chosen + foreign))
    values = [draw(ARG_VALUES) for _ in names]
    return kind, names, values, foreign


@fuzz_settings(250)
@given(case=mixed_arguments())
def test_arguments_of_other_layers_are_refused(cli, case):
    """An argument Keras' layer does not take is refused ("Unrecognized keyword
    arguments"), whatever valid arguments come with it; the layer's own never are."""
    kind, names, values, foreign = case
    head, shape = BASE_CALLS[kind]
    expr = head + "".join(f", {n}={'None' if v is None else v}" for n, v in zip(names, values))
    expr += ")"
    result, elapsed = timed(cli, "summary", "--input-shape", shape, "--layer", expr)
    check(result, elapsed)
    if foreign:
        assert result.code == 2
        assert "unknown argument" in result.err, result.err
    else:
        assert "unknown argument" not in result.err, result.err


# -- file-system paths for --save, --input, --weights ----------------------------------

PATH_PIECES = ["", ".", "..", "/", "out", "out.npz", "in.npy", "in.json", "w.npz", "dir",
               "dir/", "fifo", "link", "dev", "missing/x.npz", "a" * 300, "x\x00y", " ",
               "out.npz/", "./out", "dir/out", "link/out", "-"]


def _fs_setup(tmp: Path) -> None:
    (tmp / "dir").mkdir()
    (tmp / "dir.npz").mkdir()
    os.mkfifo(tmp / "fifo")
    (tmp / "link").symlink_to(tmp / "dir")
    (tmp / "dev").symlink_to("/dev/null")
    (tmp / "dev.npz").symlink_to("/dev/zero")
    (tmp / "in.npy").write_bytes(_npy(np.zeros((1, 3), np.float32)))
    (tmp / "in.json").write_text("[[1, 2, 3]]")
    (tmp / "w.npz").write_bytes(_npz({"arr_0": np.zeros((3, 2), np.float32),
                                      "arr_1": np.zeros(2, np.float32)}))
    (tmp / "m.yaml").write_text(MODEL)


@st.composite
def fs_paths(draw):
    """A path relative to the test folder (or an absolute oddity), built from pieces."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(["/dev/null", "/dev/zero", "/", "/proc"]))
    return "/".join(draw(st.lists(st.sampled_from(PATH_PIECES), min_size=1, max_size=3)))


def _tree(folder: Path) -> dict[str, int]:
    out = {}
    for root, dirs, files in os.walk(folder):
        for entry in dirs + files:
            path = os.path.join(root, entry)
            out[os.path.relpath(path, folder)] = os.lstat(path).st_mode
    return out


@fuzz_settings(200)
@given(option=st.sampled_from(["--save", "--input", "--weights"]), path=fs_paths())
def test_file_system_paths(cli, tmp_path, monkeypatch, option, path):
    """Any path: exit 0 or one error line; --save never writes anything but the
    regular file it names (NAME or NAME.npz), and nothing on refusal."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    for child in list(work.iterdir()):   # a fresh folder for every example
        if child.is_dir() and not child.is_symlink():
            import shutil

            shutil.rmtree(child)
        else:
            child.unlink()
    _fs_setup(work)
    monkeypatch.chdir(work)
    if path == "-" and option != "--save":
        monkeypatch.setattr("sys.stdin", io.StringIO("[[1, 2, 3]]"))
    if option == "--save" and path not in ("/dev/null", "/dev/zero", "/", "/proc"):
        # stay inside the test folder: a relative path below it
        path = "/".join(p for p in path.split("/") if p != "..").lstrip("/") or "."
        if path.startswith("/"):
            path = "." + path
    before = _tree(work)
    result, elapsed = timed(cli, "run", "m.yaml", option, path)
    check(result, elapsed)
    after = _tree(work)
    added = {k: v for k, v in after.items() if k not in before}
    changed = {k for k in before if k in after and before[k] != after[k]}
    assert not changed, changed
    if option != "--save" or result.code != 0:
        assert not added, added
    else:
        named = path if path.endswith(".npz") else path + ".npz"
        target = os.path.relpath(os.path.realpath(named), os.path.realpath(work))
        assert set(added) <= {target}, (path, added)
        import stat

        assert stat.S_ISREG(after[target])
