"""The C ABI (include/leasehold.h) through cffi's ABI mode: no compiler at
install time, and the same library every other language uses.

The declarations are read from the header itself (shipped as
``leasehold/leasehold.h`` in the wheel, else the repository's
``include/leasehold.h``), so they cannot drift from the library. The library
is ``$LEASEHOLD_LIBRARY`` when set, else the one beside this file (the
wheel: ``libleasehold.so``, ``.dylib`` or ``leasehold.dll``), else the
system's.
"""

from __future__ import annotations

import ctypes.util
import os
import re
from pathlib import Path

from cffi import FFI

_HERE = Path(__file__).resolve().parent


def _header_text() -> str:
    for candidate in (_HERE / "leasehold.h", _HERE.parents[2] / "include" / "leasehold.h"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise ImportError("leasehold.h not found: install the leasehold wheel, or run from the repository")


def _cdef(header: str) -> str:
    """The header's declarations as cffi reads them: no comments, no
    preprocessor lines, macros for array sizes replaced by their values."""
    defines = dict(re.findall(r"^#define\s+(\w+)\s+(\d+)\s*$", header, flags=re.M))
    text = re.sub(r"/\*.*?\*/", "", header, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    kept = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or stripped in ('extern "C" {', "}"):
            continue
        kept.append(line)
    body = "\n".join(kept)
    for name, value in defines.items():
        body = re.sub(rf"\b{name}\b", value, body)
    return body


def _library_path() -> str:
    explicit = os.environ.get("LEASEHOLD_LIBRARY")
    if explicit:
        return explicit
    for name in ("libleasehold.so", "libleasehold.dylib", "leasehold.dll"):
        bundled = _HERE / name
        if bundled.is_file():
            return str(bundled)
    found = ctypes.util.find_library("leasehold")
    if found:
        return found
    raise ImportError(
        "libleasehold not found: set LEASEHOLD_LIBRARY to its path, or install the leasehold wheel"
    )


ffi = FFI()
ffi.cdef(_cdef(_header_text()))
lib = ffi.dlopen(_library_path())
