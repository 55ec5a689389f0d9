"""Reading code never runs it: payloads that would leave a file if executed leave none."""

from __future__ import annotations

import json

import pytest

PAYLOADS = [
    "open({marker!r}, 'w').write('ran')",
    "__import__('os').system('touch ' + {marker!r})",
    "import os; os.system('touch ' + {marker!r})",
    "import subprocess; subprocess.run(['touch', {marker!r}])",
    "exec(\"open({marker!r}, 'w')\")",
    "eval(\"__import__('os').system('touch {marker}')\")",
    "getattr(__builtins__, 'open')({marker!r}, 'w')",
    "import pathlib; pathlib.Path({marker!r}).touch()",
    "[open({marker!r}, 'w') for _ in range(3)]",
    "(lambda: open({marker!r}, 'w'))()",
    "f\"{{open({marker!r}, 'w')}}\"",
    "'{{0.__class__.__init__.__globals__}}'.format(1)",
    "type('X', (), {{'__del__': lambda self: open({marker!r}, 'w')}})()",
]


def _program(marker: str) -> str:
    lines = [p.format(marker=marker) for p in PAYLOADS]
    body = "\n".join(lines)
    indented = "\n".join("    " + line for line in lines)
    return f"""\
import keras
from keras import layers
{body}

def helper(units=open({marker!r}, 'w')):
{indented}
    return layers.LSTM(units if isinstance(units, int) else 8)

class Evil:
    side = open({marker!r}, 'w')
    def __init__(self):
{"".join("        " + line + chr(10) for line in lines)}
    def __getattr__(self, name):
        return open({marker!r}, 'w')

e = Evil()
e.anything
for k in range(3):
    open({marker!r}, 'w')
model = keras.Sequential([layers.Input((5, 3)), helper(16), layers.Dense(1)])
"""


def test_python_payloads_are_never_run(cli, tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.py"
    path.write_text(_program(str(marker)))
    result = cli("summary", path, "--json")
    assert result.code == 0, result.err
    assert not marker.exists()
    record = json.loads(result.out)
    records = record["models"] if "models" in record else [record]
    assert [x["type"] for x in records[-1]["layers"]] == ["LSTM", "Dense"]


@pytest.mark.parametrize("magic", ["!touch {marker}", "%run {marker}.py", "%%bash\ntouch {marker}",
                                   "%system touch {marker}", "x = !touch {marker}"])
def test_notebook_magics_and_shell_lines_are_never_run(cli, tmp_path, magic):
    marker = tmp_path / "ran"
    (tmp_path / "ran.py").write_text(f"open({str(marker)!r}, 'w')\n")
    cells = [magic.format(marker=marker), _program(str(marker)),
             "model.summary()\n!touch " + str(marker)]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                     "outputs": [], "source": c} for c in cells]}
    path = tmp_path / "evil.ipynb"
    path.write_text(json.dumps(nb))
    result = cli("summary", path, "--json")
    assert result.code == 0, result.err
    assert not marker.exists()


def test_set_values_are_literals_not_code(cli, tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "m.py"
    path.write_text("import keras\nn = len(data)\n"
                    "m = keras.Sequential([keras.Input((n, 2)), keras.layers.GRU(4)])\n")
    value = f"__import__('os').system('touch {marker}')"
    result = cli("summary", path, "--set", f"len(data)={value}")
    assert not marker.exists()
    assert result.code == 2 and "error:" in result.err
