"""Output that never breaks: widths, pipes, NO_COLOR, help, and errors that teach."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SPECS

RNNCALC = [sys.executable, "-m", "rnncalc"]
WIDEST = SPECS / "seq2seq.yaml"      # multi-output shapes and a Connected to list


def _numbers(doc) -> set[str]:
    """Every count in a summary document, written as the table writes it."""
    found = {f"{doc['total_params']:,}"}
    for layer in doc["layers"]:
        found.add(f"{layer['params']:,}")
        for shape in layer["output_shapes"]:
            found.add("(" + ", ".join("None" if d is None else str(d) for d in shape)
                      + ("," if len(shape) == 1 else "") + ")")
        found.add(layer["name"])
    return found


@pytest.mark.parametrize("width", [40, 60, 200])
@pytest.mark.parametrize("path", sorted(SPECS.rglob("*.yaml")), ids=lambda p: p.name)
def test_numbers_shapes_and_names_stay_whole(cli, path, width):
    doc = json.loads(cli("summary", path, "--json").out)
    text = cli("summary", path, "--width", str(width)).out
    assert max(len(line) for line in text.splitlines()) <= width
    unwrapped = text.replace("\n", " ")
    for item in _numbers(doc):
        assert item in text or item in unwrapped.replace("  ", " "), item
        # never split: the item is on one line
        assert any(item in line for line in text.splitlines()), (item, width)


def test_columns_piped_keep_numbers_whole():
    cols = "output_shape,params,params_percent,macs,flops,trainable,connected_to,weights"
    out = subprocess.run([*RNNCALC, "summary", str(WIDEST), "--columns", cols],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert "335,872" in out and "358,400" in out
    assert not re.search(r"\b335,87\s*$", out, re.MULTILINE)


def test_ascii_tables(cli):
    out = cli("summary", WIDEST, "--ascii", "--width", "120").out
    assert out.isascii() and "+---" in out and "358,400" in out


def test_csv_and_latex(cli):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(cli("summary", WIDEST, "--format", "csv").out)))
    assert rows[0] == ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    by_name = {r[0]: r for r in rows[1:] if not r[0].startswith("#")}
    assert by_name["decoder (LSTM)"][2] == "358400"          # a plain number for spreadsheets
    latex = cli("summary", WIDEST, "--format", "latex").out
    assert r"\begin{tabular}{llrl}" in latex and r"decoder\_dense (Dense) &" in latex
    assert r"\texttt{(None, None, 93)}" in latex and "358,400" in latex


def test_head_closes_the_pipe_quietly():
    for args in (["run", "--timesteps", "2000", "--units", "32"],
                 ["summary", str(WIDEST), "--json"], ["explain", str(WIDEST)]):
        proc = subprocess.Popen([*RNNCALC, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=ROOT)
        proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait() == 0, (args, err)
        assert b"Traceback" not in err and b"error" not in err


def test_no_color_heatmap_on_a_terminal():
    """On a real terminal with NO_COLOR the heatmap spells sign and shade, not blank cells."""
    import pty

    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    pid, fd = pty.fork()
    if pid == 0:                                          # the child: rnncalc on the pty
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "rnncalc", "run", "--timesteps", "6",
                                   "--heatmap"], env)
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    out = b"".join(chunks).decode()
    assert "\x1b[48" not in out                            # no background colours
    assert re.search(r"[+-][░▒▓█]", out)                   # cells spell sign and shade
    assert re.search(r"-[░▒▓█] -?\d", out)                  # the legend has swatches


def test_bare_rnncalc_prints_the_help():
    proc = subprocess.run(RNNCALC, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0
    assert proc.stdout.startswith("Usage: rnncalc") and "\n  summary" in proc.stdout
    assert proc.stderr == ""


def test_debug_anywhere(cli):
    assert cli("summary", WIDEST, "--debug").code == 0
    assert cli("--debug", "summary", WIDEST).code == 0


def test_completion_is_offered(cli):
    out = cli("--help").out
    assert "--install-completion" in out and "--show-completion" in out


def test_python_m_from_a_folder_holding_a_clone(tmp_path):
    """A folder named rnncalc in the working directory (a clone) must not shadow the package."""
    (tmp_path / "rnncalc" / "rnncalc").mkdir(parents=True)
    proc = subprocess.run([sys.executable, "-m", "rnncalc", "--version"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("rnncalc ")


def test_json_with_another_format_is_a_conflict(cli):
    for command in ("summary", "explain"):
        res = cli(command, WIDEST, "--json", "--format", "markdown")
        assert res.code == 2 and "two formats" in res.err


def test_rank_error_teaches_return_sequences(cli):
    res = cli("summary", "--input-shape", "10,5", "--layer", "LSTM(64)", "--layer", "LSTM(3)")
    assert res.code == 2
    assert "set return_sequences=True on 'lstm' (LSTM)" in res.err
    res = cli("summary", "--input-shape", "10,5", "--layer", "Bidirectional(GRU(4))",
              "--layer", "SimpleRNN(2)")
    assert "set return_sequences=True on 'bidirectional'" in res.err


@pytest.mark.parametrize(("expr", "keras"), [
    ("nn.LSTM(5, 3)", "LSTM(3, return_sequences=True) on input of shape (timesteps, 5)"),
    ("torch.nn.GRU(8, 16, bidirectional=True)", "Bidirectional(GRU(16"),
    ("nn.Linear(128, 10)", "Dense(10) on 128 input features"),
    ("nn.Embedding(5000, 100)", "Embedding(5000, 100)"),
])
def test_pytorch_expressions_are_explained(cli, expr, keras):
    res = cli("summary", "--input-shape", "4,5", "--layer", expr)
    assert res.code == 2
    assert "is a PyTorch module; rnncalc reads Keras layers" in res.err
    assert keras in res.err and "--convention pytorch" in res.err


def test_every_documented_option_exists(cli):
    """Each `rnncalc <command> ... --option` written in the README is an option of it."""
    readme = (ROOT / "README.md").read_text()
    blocks, inside = [], False
    for line in readme.splitlines():
        if line.startswith("```"):
            inside = not inside
        elif inside:
            blocks.append(line)
    code = "\n".join(blocks)
    helps: dict[str, str] = {}
    checked = 0
    for line in code.replace("\\\n", " ").splitlines():
        m = re.match(r"\s*(?:\.venv/bin/)?rnncalc (\w+)(.*)", line)
        if not m:
            continue
        command, rest = m.groups()
        if command not in helps:
            res = cli(command, "--help")
            assert res.code == 0, f"README names a command that does not exist: {command}"
            helps[command] = res.out
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", rest.split("#")[0]):
            assert option in helps[command], f"README: rnncalc {command} {option}"
            checked += 1
    assert checked > 20


def test_help_texts_name_only_real_options(cli):
    """No help text points at an option its command does not have (``--format`` on run)."""
    for command in ("summary", "run", "explain", "export", "schema"):
        out = cli(command, "--help").out
        options = set(re.findall(r"^\s+(--[a-z][a-z-]*)", out, re.MULTILINE))
        for mentioned in re.findall(r"(--[a-z][a-z-]*)", out):
            assert mentioned in options, f"rnncalc {command} --help mentions {mentioned}"
        assert "<list[str]>" not in out


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    lines, inside, lang = [], False, ""
    for line in readme.splitlines():
        if line.startswith("```"):
            lang = line[3:] if not inside else lang
            inside = not inside
        elif inside and lang in ("sh", "bash"):
            lines.append(line)
    code = "\n".join(lines).replace("\\\n", " ")
    return [line.split("|")[0].split("  #")[0].strip() for line in code.splitlines()
            if re.match(r"\s*(?:\.venv/bin/)?rnncalc ", line)]


README_COMMANDS = _readme_commands()


@pytest.fixture
def readme_files(tmp_path, seed_notebook, monkeypatch):
    """The files the README's examples name, made real in a scratch folder."""
    import shutil

    import numpy as np

    golden = ROOT / "tests" / "golden" / "interop"
    for src, dst in (("batchnorm_gru.json", "model.json"), ("batchnorm_gru.keras", "model.keras"),
                     ("batchnorm_gru.h5", "legacy_model.h5"), ("batchnorm_gru.in.npy", "x.npy")):
        shutil.copy(golden / src, tmp_path / dst)
    shutil.copytree(SPECS, tmp_path / "specs")
    shutil.copy(SPECS / "sentiment.yaml", tmp_path / "spec.yaml")
    shutil.copy(seed_notebook, tmp_path / "notebook.ipynb")
    (tmp_path / "model.yaml").write_text(
        "input: {shape: [20, 8]}\nlayers:\n  - LSTM: {units: 16, return_sequences: true}\n"
        "  - Dense: 4\n")
    (tmp_path / "train.py").write_text(
        "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
        "model = keras.Sequential()\nmodel.add(layers.GRU(8, input_shape=(10, 3)))\n"
        "model.add(layers.Dense(1))\n")
    rng = np.random.default_rng(0)
    (tmp_path / "x.json").write_text(json.dumps(rng.random((4, 5)).tolist()))
    np.savez(tmp_path / "x.npz", input_layer=rng.random((2, 20, 8)))
    np.savez(tmp_path / "keras.npz", *[rng.random(s) for s in
                                       ((8, 64), (16, 64), (64,), (16, 4), (4,))])
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("line", README_COMMANDS)
def test_readme_examples_run(cli, readme_files, line):
    import shlex

    args = shlex.split(line)
    args = args[1:] if args[0].endswith("rnncalc") else args
    res = cli(*args)
    assert res.code == 0, res.err
    assert res.out or "--save" in args or "-o" in args      # -o FILE: written there
