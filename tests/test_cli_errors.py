"""Bad input ends in one ``error:`` line naming where and what, exit 2."""

from __future__ import annotations

import pytest

CASES = [
    # (spec text, expected fragments)
    ("layers:\n  - LTSM: 3\n", ["x.yaml:2", "layers[0] (LTSM)", "unknown layer type 'LTSM'",
                               "did you mean 'LSTM'?"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - LSTM: {units: -3}\n",
     ["x.yaml:3", "layers[0] (LSTM)", "argument 'units'", "positive integer", "got -3"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - LSTM: {units: 2.5}\n", ["got 2.5"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - LSTM: {units: true}\n", ["got true"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - LSTM: {units: '3'}\n", ["got '3'"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - LSTM: {units: 3, return_sequence: true}\n",
     ["unknown argument 'return_sequence'", "did you mean 'return_sequences'?"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - Dropout: 1.5\n", ["argument 'rate'", "got 1.5"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - Bidirectional: {layer: {LSTM: 3}, merge_mode: cat}\n",
     ["argument 'merge_mode'", "got 'cat'"]),
    ("layers: [\n", ["x.yaml:2:1", "invalid YAML"]),
    ("input: {shape: [30]}\nlayers:\n  - Embedding: [5000, 100]\n  - SimpleRNN: 128\n"
     "  - SimpleRNN: 8\n",
     ["x.yaml:5", "layers[2] (SimpleRNN)",
      "expects input of rank 3 (batch, timesteps, features), got (None, 128)"]),
    ("inputs:\n  a: {shape: [4]}\n  b: {shape: [5]}\nlayers:\n  - Concatenate: {axis: 0}\n"
     "    inputs: [a, b]\n", ["layers[0] (Concatenate)"]),
    ("inputs:\n  a: {shape: [4]}\nlayers:\n  - Dense: 3\n    inputs: aa\n",
     ["unknown reference 'aa'", "did you mean 'a'?"]),
    ("inputs:\n  a: {shape: [4, 2]}\nlayers:\n  - LSTM: {units: 3, return_state: true, "
     "name: enc}\n    inputs: a\n  - Dense: 3\n    inputs: enc[5]\n", ["index 5 is out of range"]),
    ("inputs:\n  a: {shape: [4, 2]}\n  b: {shape: [3]}\nlayers:\n  - LSTM: 3\n    inputs: a\n",
     ["input 'b' is not used"]),
    ("inputs:\n  a: {shape: [4, 2]}\n  s: {shape: [5]}\nlayers:\n  - LSTM: 3\n    inputs: a\n"
     "    initial_state: [s, s]\n", ["initial_state", "expects shape (None, 3), got (None, 5)"]),
    ("inputs:\n  a: {shape: [4]}\n  b: {shape: [4]}\nlayers:\n  - Concatenate: {}\n"
     "    inputs: [a]\n    initial_state: [b]\n",
     ["layers[0] (Concatenate)", "initial_state", "takes no initial state"]),
    ("layers:\n  - LSTM: 3\n", ["no input shape"]),
    ("input: {shape: [4, 5]}\nlayer:\n  - LSTM: 3\n", ["unknown top-level key 'layer'",
                                                    "did you mean 'layers'?"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - 'LSTM(units=n)'\n", ["names are not evaluated"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - \"__import__('os').system('x')\"\n",
     ["only calls of plain names"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - 'LSTM(3, x=__builtins__)'\n", ["dunder"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - LSTM: {units: 3, activation: relux}\n",
     ["argument 'activation'", "did you mean 'relu'?"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - LSTM: {units: 3, kernel_initializer: glorot}\n",
     ["argument 'kernel_initializer'", "unknown initializer"]),
    ("input: {shape: [4, 5]}\nlayers:\n  - LSTM: {units: 3, return_state: true}\n"
     "  - Dense: 2\n", ["has 3 outputs"]),
]


@pytest.mark.parametrize(("text", "fragments"), CASES, ids=range(len(CASES)))
def test_bad_spec_gives_one_error_line(cli, tmp_path, text, fragments):
    path = tmp_path / "x.yaml"
    path.write_text(text)
    result = cli("summary", path)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("error: ")
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in result.err


def test_missing_file_and_directory(cli, tmp_path):
    result = cli("summary", tmp_path / "nope.yaml")
    assert result.code == 2 and "no such file" in result.err
    result = cli("summary", tmp_path)
    assert result.code == 2 and "is a directory" in result.err


def test_binary_and_non_utf8(cli, tmp_path):
    (tmp_path / "b.yaml").write_bytes(b"\x00\x01\x02")
    assert "binary" in cli("summary", tmp_path / "b.yaml").err
    (tmp_path / "c.yaml").write_bytes(b"layers: [\xff]\n")
    assert "not UTF-8" in cli("summary", tmp_path / "c.yaml").err


def test_alias_bomb_is_refused(cli, tmp_path):
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for prev, name in zip("abcde", "bcdef"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("layers: *f")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    result = cli("summary", tmp_path / "bomb.yaml")
    assert result.code == 2 and "aliases" in result.err


def test_unknown_option_is_a_usage_error(cli):
    result = cli("summary", "--nope")
    assert result.code == 2 and result.err.startswith("error: ")



@pytest.mark.parametrize("args", [("summary", "--convention", "torch"), ("export", "--to", "nope"),
                                  ("run", "--cell", "RNN"), ("summary", "--format", "nope")])
def test_bad_choice_names_the_choices(cli, args):
    result = cli(*args)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("error: Invalid value for '") and result.err.count("\n") == 1
    assert "is not one of" in result.err and "Value error" not in result.err

def test_internal_error_exit_1(cli, monkeypatch):
    import rnncalc.reports.summary

    def boom(graph):
        raise RuntimeError("kaput")

    monkeypatch.setattr(rnncalc.reports.summary, "summarize", boom)
    result = cli("summary", "--input-shape", "4,5", "--layer", "LSTM(3)")
    assert result.code == 1
    assert result.err.startswith("error: internal error: RuntimeError: kaput")
    assert "Traceback" not in result.err


def test_version(cli):
    from rnncalc import __version__

    result = cli("--version")
    assert result.code == 0 and result.out.strip() == f"rnncalc {__version__}"


def test_shell_completion_answers(capsys, monkeypatch):
    """Completion asks with no arguments (the words are in the environment): it must get
    the candidates, not the help that a bare ``rnncalc`` prints."""
    from rnncalc.cli import main

    for words, cword, expected in (("rnncalc su", "1", "summary"),
                                   ("rnncalc summary --fo", "2", "--format")):
        monkeypatch.setenv("_RNNCALC_COMPLETE", "complete_bash")
        monkeypatch.setenv("COMP_WORDS", words)
        monkeypatch.setenv("COMP_CWORD", cword)
        capsys.readouterr()
        try:
            main([])
        except SystemExit as exc:
            assert not exc.code
        out = capsys.readouterr().out
        assert expected in out.split() and "Usage" not in out
