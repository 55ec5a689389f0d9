"""The fixture cases of ``scripts/cases/*.yaml``: reading them, and each family's keys.

Kept apart from ``keras_builder`` (which needs Keras) so that the test suite
can check, without Keras, that every case has been recorded with the spec it
has now. The format is documented in ``scripts/cases/README.md``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).resolve().parent / "cases"

Case = dict[str, Any]

# Per family (``<family>_*.yaml``): the optional keys a case may carry, with
# their defaults. Every case also has ``id`` and ``spec``.
FAMILIES: dict[str, dict[str, Any]] = {
    # make_keras_golden.py. error: build | call (Keras refuses while building /
    # when run on zeros).
    "summary": {"error": False},
    # make_keras_numeric.py. timesteps replaces unknown dims at axis 1; data maps
    # input name -> nested list (no drawing); all_masked_row pads the last row.
    "numeric": {
        "batch": 2,
        "timesteps": 5,
        "randomize": True,
        "data": None,
        "all_masked_row": False,
        "note": None,
    },
    # make_keras_interop.py. seed null: CRC32 of the id; big: only to_json and
    # facts; h5: also a legacy .h5; vocab: token inputs drawn below it; T: unknown
    # time dims; mask_steps: zero the last k steps of row 0; keras2: facts only,
    # for the hand-written keras2/<id>.json config.
    "interop": {
        "seed": None,
        "big": False,
        "h5": False,
        "keep_weights": False,
        "vocab": 10,
        "T": 4,
        "mask_steps": 0,
        "keras2": False,
    },
}


# ``[encoder[1], encoder[2]]`` is how specs write references, but YAML forbids
# ``[`` in a plain scalar of a flow list; such references get quoted when the
# text does not parse as it is (as rnncalc's own loader does).
_FLOW_REF = re.compile(r"(?<=[\[,])(\s*)([A-Za-z_][\w.\-/]*\[\d+\])(?=\s*[,\]])")


def read_yaml(path: Path) -> Any:
    """A spec or case file (YAML or JSON), with references in flow lists allowed."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        quoted = _FLOW_REF.sub(r'\1"\2"', text)
        if quoted == text:
            raise
        return yaml.safe_load(quoted)


def load_cases(family: str) -> list[Case]:
    """Every case of ``scripts/cases/<family>_*.yaml``, files in name order.

    A case gets ``id``, ``spec``, every option of its family (defaults filled
    in) and ``file``; unknown keys and duplicate ids are refused.
    """
    options = FAMILIES[family]
    cases: list[Case] = []
    seen: dict[str, str] = {}
    paths = sorted(CASES_DIR.glob(f"{family}_*.yaml"))
    if not paths:
        raise SystemExit(f"no {CASES_DIR}/{family}_*.yaml")
    for path in paths:
        items = read_yaml(path) or []
        if not isinstance(items, list):
            raise SystemExit(f"{path.name}: expected a list of cases")
        for index, item in enumerate(items):
            where = f"{path.name}[{index}]"
            if not isinstance(item, dict) or "id" not in item or "spec" not in item:
                raise SystemExit(f"{where}: a case needs `id:` and `spec:`")
            unknown = sorted(set(item) - {"id", "spec", *options})
            if unknown:
                raise SystemExit(f"{where} ({item['id']}): unknown keys {unknown}")
            if item["id"] in seen:
                raise SystemExit(f"{where}: id {item['id']!r} also in {seen[item['id']]}")
            seen[item["id"]] = path.name
            cases.append(
                {"id": item["id"], "spec": item["spec"], **options, **item, "file": path.name}
            )
    return cases
