"""Integrity of pack files: a file is read only through its sha256, and trusted only when it matches."""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.machinery
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import PackError


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_sha256(data: bytes, expected: str, origin: str) -> str:
    """The digest of `data`; PackError naming `origin` when it is not the manifest's."""
    actual = sha256(data)
    if actual != expected:
        raise PackError(
            f"{origin} sha256 is {actual[:12]}..., the manifest says {expected[:12]}...; "
            "the file was changed: restore it or re-export the pack"
        )
    return actual


class Verified(Protocol):
    """Model bytes that are checked against their sha256 each time they are read."""

    @property
    def sha256(self) -> str: ...

    def read(self) -> bytes: ...


@dataclass(frozen=True)
class VerifiedFile:
    """A file a pack names with its sha256; read and checked only when a backend needs it."""

    path: Path
    sha256: str

    @property
    def label(self) -> str:
        return self.path.name

    def read(self) -> bytes:
        if not self.path.is_file():
            raise PackError(f"'{self.path}' is missing; restore it or re-export the pack")
        data = self.path.read_bytes()
        check_sha256(data, self.sha256, f"'{self.path.name}'")
        return data


@dataclass(frozen=True)
class VerifiedBytes:
    """Bytes already in memory (a model built or converted in this process)."""

    data: bytes
    label: str = "model"

    @property
    def sha256(self) -> str:
        return sha256(self.data)

    def read(self) -> bytes:
        return self.data


@dataclass(frozen=True)
class VerifiedPythonBytes:
    """Model bytes held as a bytes literal in an installed module (`module:ATTR`).

    The module is never imported: its source is found on sys.path and the literal read from
    the syntax tree, so no code a manifest names runs, before or after the sha256 check.
    """

    ref: str
    sha256: str

    def read(self) -> bytes:
        data = python_bytes_literal(self.ref)
        check_sha256(data, self.sha256, self.ref)
        return data


def python_bytes_literal(ref: str) -> bytes:
    """The bytes literal assigned to ATTR at the top level of MODULE's source file."""
    module, _, attr = ref.partition(":")
    origin = _module_file(module)
    if origin is None or not attr:
        raise PackError(f"cannot find '{ref}' (module not installed); reinstall cer-live")
    try:
        stat = os.stat(origin)
        return _literal(origin, attr, stat.st_mtime_ns, stat.st_size)
    except (OSError, SyntaxError, ValueError) as exc:
        raise PackError(f"cannot read '{ref}' ({exc}); reinstall cer-live") from exc


@functools.lru_cache(maxsize=4)
def _literal(origin: str, attr: str, mtime_ns: int, size: int) -> bytes:
    """Parsing a multi-megabyte literal takes a third of a second: once per file version."""
    ref = f"{origin}:{attr}"
    tree = ast.parse(Path(origin).read_bytes())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == attr for t in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, bytes):
                return node.value.value
    raise PackError(f"'{ref}' is not a bytes literal in {origin}; reinstall cer-live")


def _module_file(module: str) -> str | None:
    """Finds a module's source without importing it or any parent package."""
    spec = None
    path: list[str] | None = None
    for part in module.split("."):
        spec = importlib.machinery.PathFinder.find_spec(part, path)
        if spec is None:
            return None
        path = list(spec.submodule_search_locations or [])
    return spec.origin if spec is not None else None
