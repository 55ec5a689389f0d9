"""Checks on ``--input``/``--weights`` files before NumPy reads them.

``np.load(..., allow_pickle=False)`` never unpickles, but it trusts the
header: a 100-byte ``.npy`` claiming shape ``(10**12,)`` makes it allocate
terabytes first and fail after. Here every array header (of a ``.npy`` or of
each member of an ``.npz``) is read alone and compared with the bytes that
really follow and with a size cap, so truncated, lying or bomb-like files end
in one clear error before anything large is allocated.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from math import prod
from typing import IO

from rnncalc.errors import SpecError

MAX_FILE_BYTES = 2 * 1024**3     # arrays (and JSON text) larger than this are refused
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def check_path(path: str, where: str) -> None:
    """A readable regular file (or pipe), else a :class:`SpecError` saying what it is."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise SpecError(f"{where}: no such file") from None
    except OSError as err:
        raise SpecError(f"{where}: cannot read: {err.strerror or err}") from None
    except ValueError:   # an embedded NUL: no file can have that name
        raise SpecError(f"{where}: a file name cannot hold a NUL character") from None
    if stat.S_ISDIR(mode):
        raise SpecError(f"{where}: is a directory, expected a file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise SpecError(f"{where}: is a device{_target(path)}, expected a file")
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        raise SpecError(f"{where}: is not a regular file")
    if not os.access(path, os.R_OK):
        raise SpecError(f"{where}: cannot read: permission denied")


def _target(path: str) -> str:
    """`` (a symlink to /dev/null)`` for a symlink, else nothing."""
    if os.path.islink(path):
        return f" (a symlink to {os.path.realpath(path)})"
    return ""


def read_pipe(path: str, where: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A named pipe's bytes (``<(...)``); one nobody writes to reads as empty, never hangs."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    if hasattr(os, "O_NONBLOCK"):
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise SpecError(f"{where}: more than {limit:,} bytes; refused")
    return data


def check_array_file(path: str, where: str, limit: int = MAX_FILE_BYTES, *,
                     numpy_only: bool = False) -> str | io.BytesIO:
    """Validate a ``.npy``/``.npz`` file's headers (and a JSON file's size) against ``limit``.

    With ``numpy_only`` the file must be NumPy's whatever its name (``--weights``).
    Returns what to read: the path, or a pipe's bytes read once (bounded).
    """
    check_path(path, where)
    source: str | io.BytesIO = path
    if not os.path.isfile(path):  # a pipe: read it once, then check the bytes
        try:
            source = io.BytesIO(read_pipe(path, where, limit))
        except OSError as err:
            raise SpecError(f"{where}: cannot read: {err.strerror or err}") from None
    size = os.path.getsize(path) if isinstance(source, str) else len(source.getvalue())
    try:
        with (open(path, "rb") if isinstance(source, str) else _Unclosed(source)) as handle:
            head = handle.read(8)
            handle.seek(0)
            if head.startswith(_NPY_MAGIC):
                _check_npy(handle, size, where, limit)
            elif head.startswith(_ZIP_MAGIC):
                _check_npz(source, where, limit)
            elif size == 0:
                raise SpecError(f"{where}: the file is empty")
            elif numpy_only or path.lower().endswith((".npy", ".npz")):
                raise SpecError(f"{where}: not a NumPy file (no .npy/.npz header); write it "
                                "with np.save or np.savez")
            elif size > limit:
                raise SpecError(f"{where}: file is {size:,} bytes, over the {limit:,} "
                                "bytes rnncalc reads")
    except (OSError, EOFError, zipfile.BadZipFile, ValueError) as err:
        raise SpecError(f"{where}: cannot read it ({err})") from None
    if isinstance(source, io.BytesIO):
        source.seek(0)
    return source


class _Unclosed:
    """``with`` over an in-memory file without closing it (it is read again after)."""

    def __init__(self, buffer: io.BytesIO) -> None:
        self.buffer = buffer

    def __enter__(self) -> io.BytesIO:
        return self.buffer

    def __exit__(self, *exc: object) -> None:
        self.buffer.seek(0)


def _check_npy(handle: IO[bytes], available: int, where: str, limit: int,
               member: str = "") -> int:
    """Read one array header; return the array's byte size after checking it."""
    import numpy as np

    fmt = np.lib.format
    label = f"{where}{': ' + member if member else ''}"
    try:
        version = fmt.read_magic(handle)
        if version == (1, 0):
            shape, _, dtype = fmt.read_array_header_1_0(handle)
        elif version in ((2, 0), (3, 0)):
            shape, _, dtype = fmt.read_array_header_2_0(handle)
        else:
            raise SpecError(f"{label}: unsupported .npy format version {version}")
    except SpecError:
        raise
    except (ValueError, EOFError, OSError, SyntaxError) as err:
        raise SpecError(f"{label}: not a valid .npy array ({err})") from None
    if dtype.hasobject:
        raise SpecError(f"{label}: holds Python objects (a pickle); rnncalc never loads "
                        "those, save plain numeric arrays")
    nbytes = prod(shape) * dtype.itemsize
    if nbytes > limit:
        raise SpecError(f"{label}: array of shape {tuple(shape)} needs {nbytes:,} bytes, "
                        f"over the {limit:,} bytes rnncalc reads")
    remaining = available - handle.tell()
    if nbytes > remaining:
        raise SpecError(f"{label}: truncated: shape {tuple(shape)} needs {nbytes:,} bytes "
                        f"of data, the file has {max(remaining, 0):,}")
    return nbytes


def _check_npz(path: str | io.BytesIO, where: str, limit: int) -> None:
    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            with archive.open(info) as member:
                total += _check_npy(member, info.file_size, where, limit, member=info.filename)
            if total > limit:
                raise SpecError(f"{where}: its arrays need {total:,} bytes or more, over the "
                                f"{limit:,} bytes rnncalc reads")
