"""Load YAML or JSON spec text safely, remembering where each item came from.

YAML is composed into nodes with PyYAML's safe loader and walked by hand so
that (1) every mapping and list item keeps its line for error messages and
(2) anchors and aliases are expanded under a size budget: an alias bomb is
refused after a bounded amount of work instead of eating memory.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from typing import Any

from rnncalc.errors import SpecError

MAX_SPEC_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

Path = tuple[Any, ...]


@dataclass
class Document:
    """Parsed spec data plus the line of each path (``("layers", 2)`` -> 7)."""

    data: Any
    source: str
    lines: dict[Path, int] = field(default_factory=dict)

    def where(self, path: Path) -> str:
        """``file:line`` for a path, falling back to the nearest known parent."""
        if not self.lines:      # JSON and dict specs keep no lines
            return self.source
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return f"{self.source}:{line}"
        return self.source


def read_text(path: str, *, stdin_text: str | None = None,
              limit: int = MAX_SPEC_BYTES) -> tuple[str, str]:
    """Read a spec file (or ``-`` for stdin) as UTF-8 text; return ``(text, source)``.

    ``limit`` is the largest size accepted (notebooks, with their outputs, may be larger
    than any spec)."""
    if path == "-":
        if stdin_text is not None:
            return stdin_text, "<stdin>"
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:  # a text stream (tests): already decoded
            return _bounded(sys.stdin.read(MAX_SPEC_BYTES + 1), "<stdin>"), "<stdin>"
        return decode_text(_bounded(buffer.read(MAX_SPEC_BYTES + 1), "<stdin>"), "<stdin>"), \
            "<stdin>"
    if "\0" in path:
        raise SpecError(f"{path!r}: a file name cannot hold a NUL character")
    if os.path.isdir(path):
        raise SpecError(f"{path}: is a directory, expected a YAML or JSON spec file")
    try:
        info = os.stat(path)
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) or \
                stat.S_ISSOCK(info.st_mode):
            raise SpecError(f"{path}: is a device, expected a YAML or JSON spec file")
        if info.st_size > limit:
            raise SpecError(f"{path}: file is {info.st_size:,} bytes; files over "
                            f"{limit:,} bytes are refused")
        with _open_bytes(path, info) as handle:  # pipes (<(...)) have no size: read bounded
            raw = _bounded(handle.read(limit + 1), path, limit)
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except OSError as err:
        raise SpecError(f"{path}: cannot read: {err.strerror or err}") from None
    return decode_text(raw, path), path


def _open_bytes(path: str, info: os.stat_result) -> Any:
    """Open for reading; a named pipe nobody writes to reads as empty instead of hanging."""
    if not stat.S_ISFIFO(info.st_mode) or not hasattr(os, "O_NONBLOCK"):
        return open(path, "rb")
    import fcntl

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    return os.fdopen(fd, "rb")


def _bounded(data: Any, source: str, limit: int = MAX_SPEC_BYTES) -> Any:
    if len(data) > limit:
        raise SpecError(f"{source}: more than {limit:,} bytes; larger files are refused")
    return data


def decode_text(raw: bytes, source: str) -> str:
    """Spec bytes as text: refuse binary data and anything that is not UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpecError(f"{source}: is UTF-16 text; save it as UTF-8")
    if b"\x00" in raw:
        raise SpecError(f"{source}: looks like a binary file, expected a YAML or JSON spec")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SpecError(f"{source}: not UTF-8 text (byte {err.start})") from None


def parse_text(text: str, source: str) -> Document:
    """Parse spec text; JSON when the file says so or the text starts like JSON."""
    if not text.strip():
        raise SpecError(f"{source}: the spec is empty")
    looks_json = source.endswith(".json") or (
        not source.endswith((".yaml", ".yml")) and text.lstrip()[:1] in "{[")
    return _parse_json(text, source) if looks_json else _parse_yaml(text, source)


def load(path: str, *, stdin_text: str | None = None) -> Document:
    """Read and parse a spec path."""
    text, source = read_text(path, stdin_text=stdin_text)
    return parse_text(text, source)


def _no_duplicates(text: str, source: str) -> Any:
    """``object_pairs_hook`` refusing a key given twice, as YAML specs are refused."""

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise SpecError(f"{source}{_json_key_line(text, key)}: duplicate key "
                                f"{show_key(key)}")
            result[key] = value
        return result

    return hook


def show_key(key: str) -> str:
    return repr(key) if len(key) <= 60 else repr(key[:57] + "...")


def _json_key_line(text: str, key: str) -> str:
    """``:line`` of the second ``"key":`` in the text (best effort)."""
    needle = json.dumps(key)
    found = [m.start() for m in re.finditer(re.escape(needle) + r"\s*:", text)]
    return f":{text.count(chr(10), 0, found[1]) + 1}" if len(found) > 1 else ""


def _parse_json(text: str, source: str) -> Document:
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates(text, source))
    except json.JSONDecodeError as err:
        raise SpecError(f"{source}:{err.lineno}:{err.colno}: invalid JSON: {err.msg}") from None
    except RecursionError:
        raise SpecError(f"{source}: JSON nested too deeply") from None
    except ValueError as err:  # e.g. an integer of more than 4,300 digits
        raise SpecError(f"{source}: invalid JSON: {str(err).split(';')[0]}") from None
    _check_size(data, source)
    return Document(data, source)


def _check_size(data: Any, source: str) -> None:
    """The YAML limits (items, nesting) for JSON too, so no later step goes unbounded."""
    stack, count = [(data, 0)], 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise SpecError(f"{source}: the spec has more than {MAX_NODES:,} items; refused")
        if depth > MAX_DEPTH:
            raise SpecError(f"{source}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            stack += [(v, depth + 1) for v in value.values()]
        elif isinstance(value, list):
            stack += [(v, depth + 1) for v in value]


# ``[encoder[1], encoder[2]]`` is how people write references, but YAML
# forbids ``[`` inside a plain scalar of a flow list. When the text does not
# parse, references in flow lists are quoted and the text is tried again
# (quoting adds no lines, so positions stay true).
_FLOW_REF = re.compile(r"(?<=[\[,])(\s*)([A-Za-z_][\w.\-/]*\[\d+\])(?=\s*[,\]])")


def _compose(text: str, loader_cls: type) -> Any:
    loader = loader_cls(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _parse_yaml(text: str, source: str) -> Document:
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        try:
            node = _compose(text, loader_cls)
        except yaml.MarkedYAMLError:
            quoted = _FLOW_REF.sub(r'\1"\2"', text)
            if quoted == text:
                raise
            try:
                node = _compose(quoted, loader_cls)
            except yaml.YAMLError:
                node = _compose(text, loader_cls)  # report the original problem
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = err.problem or err.context or "syntax error"
        if mark and text.splitlines()[mark.line:mark.line + 1] and \
                text.splitlines()[mark.line][mark.column:mark.column + 1] == "\t":
            problem += " (a tab: YAML indents with spaces only)"
        raise SpecError(f"{where}: invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as err:  # a control character, found before parsing
        line = text.count("\n", 0, err.position) + 1
        column = err.position - (text.rfind("\n", 0, err.position) + 1) + 1
        code = err.character if isinstance(err.character, int) else ord(err.character)
        raise SpecError(f"{source}:{line}:{column}: invalid YAML: character U+{code:04X} "
                        f"is not allowed ({err.reason})") from None
    except yaml.YAMLError as err:
        raise SpecError(f"{source}: invalid YAML: {' '.join(str(err).split())}") from None
    except RecursionError:
        raise SpecError(f"{source}: YAML nested too deeply") from None
    doc = Document(None, source)
    if node is None:
        raise SpecError(f"{source}: the spec is empty")
    walker = _Walker(loader_cls, doc)
    doc.data = walker.walk(node, ())
    return doc


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_SCALAR_TAGS = tuple(f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool",
                                                               "null"))
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _kind(node: Any) -> str:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.ScalarNode):
        return f"the value {node.value!r}" if len(node.value) <= 40 else "a value"
    return "a mapping"


class _Walker:
    """Turns composed YAML nodes into plain data, counting every node it expands."""

    def __init__(self, loader_cls: type, doc: Document) -> None:
        import yaml

        self.constructor = loader_cls("")
        self.doc = doc
        self.count = 0
        self.yaml = yaml
        # Plain scalars (strings, numbers, booleans, null) go straight to their
        # constructor: ``construct_object``'s bookkeeping (alias and recursion
        # tables) serves containers and cost about a third of a big spec's reading.
        constructors = self.constructor.yaml_constructors
        self.scalars = {tag: constructors[tag] for tag in _SCALAR_TAGS if tag in constructors}

    def _merge(self, merged: dict[Any, Any], node: Any, path: Path) -> None:
        """``<<: *base`` or ``<<: [*a, *b]``: add keys not merged yet (earlier wins)."""
        import yaml

        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                line = source.start_mark.line + 1
                raise SpecError(f"{self.doc.source}:{line}: the YAML merge key '<<' expects a "
                                f"mapping or a list of mappings, got {_kind(source)}")
            for key, value in self.walk(source, path).items():
                merged.setdefault(key, value)

    def walk(self, node: Any, path: Path) -> Any:
        yaml = self.yaml
        self.count += 1
        if self.count > MAX_NODES:
            raise SpecError(f"{self.doc.source}: the spec expands to more than {MAX_NODES:,} "
                            "items (YAML aliases?); refused")
        if len(path) > MAX_DEPTH:
            raise SpecError(f"{self.doc.where(path)}: nested more than {MAX_DEPTH} levels deep")
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise SpecError(f"{self.doc.where(path)}: YAML tag '{tag}' is not allowed; "
                            "specs are plain mappings, lists and values")
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            merged: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    self._merge(merged, value_node, path)
                    continue
                key = self.walk(key_node, path)
                if isinstance(key, (list, dict)):
                    raise SpecError(f"{self.doc.source}:{key_node.start_mark.line + 1}: "
                                    "a mapping key must be a plain value")
                if key in result:
                    raise SpecError(f"{self.doc.source}:{key_node.start_mark.line + 1}: "
                                    f"duplicate key '{key}'")
                self.doc.lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = self.walk(value_node, (*path, key))
            # YAML merge: keys written in the mapping override merged ones.
            return {**merged, **result} if merged else result
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag == _MERGE_TAG:    # '<<' used as a value, not as a key
            raise SpecError(f"{self.doc.where(path)}: the YAML merge key '<<' can only be a "
                            "mapping key")
        try:
            construct = self.scalars.get(node.tag)
            if construct is not None and isinstance(node, yaml.ScalarNode):
                return construct(self.constructor, node)
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as err:
            problem = getattr(err, "problem", None) or " ".join(str(err).split())
            raise SpecError(f"{self.doc.where(path)}: invalid YAML value: {problem}") from None
        except ValueError as err:  # e.g. an integer of more than 4,300 digits
            raise SpecError(f"{self.doc.where(path)}: invalid YAML value: "
                            f"{str(err).split(';')[0]}") from None
