"""`--sources FILE.toml`: many sources with a name and options each, read and checked at once.

    [[source]]
    name = "door"                      # optional: the stem of its output files
    url = "rtsp://10.0.0.5:554/live"   # or: path = "clips/monday.mp4"
    policy = "latest"                  # optional: latest | all
    transport = "tcp"                  # optional: tcp | udp (RTSP)
    timeout = 5.0                      # optional: seconds to open / wait for a frame
    reconnect_limit = 10               # optional: attempts per outage (default: never give up)

Every problem is one line naming the file, the entry and the fix.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CerLiveError
from ..validate import TIMEOUT, Range, check
from .queues import POLICIES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TRANSPORTS = ("tcp", "udp")
_KEYS = {"name", "url", "path", "policy", "transport", "timeout", "reconnect_limit"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class SourceListError(CerLiveError):
    """A --sources file that cannot be read or holds a bad entry."""


@dataclass(frozen=True)
class SourceEntry:
    """One source as a list names it; None means the run's own setting."""

    spec: str
    name: str | None = None
    policy: str | None = None
    transport: str | None = None
    timeout: float | None = None
    reconnect_limit: int | None = None


def read_source_list(path: Path) -> tuple[SourceEntry, ...]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceListError(f"no such --sources file: '{path}'; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceListError(f"cannot read --sources file '{path}' ({exc}); give a readable UTF-8 TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceListError(f"--sources file '{path}' is not valid TOML: {exc}; fix the syntax") from None
    extra = sorted(set(data) - {"source"})
    if extra:
        raise SourceListError(
            f"--sources file '{path}': unknown table '{extra[0]}'; list streams as [[source]] entries"
        )
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise SourceListError(f"--sources file '{path}' lists no [[source]] entries; add one per stream or file")
    parsed = tuple(_entry(path, i + 1, raw, path.parent) for i, raw in enumerate(entries))
    _check_names(path, parsed)
    return parsed


def _entry(path: Path, n: int, raw: Any, base: Path) -> SourceEntry:
    where = f"--sources file '{path}', source {n}"
    if not isinstance(raw, dict):
        raise SourceListError(f"{where} is not a table; write it as [[source]] with url = ... or path = ...")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise SourceListError(f"{where}: unknown key '{unknown[0]}'; use: {', '.join(sorted(_KEYS))}")
    if ("url" in raw) == ("path" in raw):
        raise SourceListError(f'{where}: give exactly one of url = "rtsp://..." or path = "file-or-folder"')
    spec = raw.get("url", raw.get("path"))
    if not isinstance(spec, str) or not spec.strip():
        raise SourceListError(f"{where}: url/path must be a non-empty string")
    if "path" in raw and not Path(spec).expanduser().is_absolute() and not spec.isdigit():
        spec = str(base / spec)  # relative to the list, so that a list works from any folder
    name = _typed(raw, "name", str, where)
    if name is not None and not _NAME.match(name):
        raise SourceListError(f"{where}: name '{name}' must be letters, digits, '.', '_' or '-' (at most 64)")
    entry = SourceEntry(
        spec=spec,
        name=name,
        policy=_choice(raw, "policy", POLICIES, where),
        transport=_choice(raw, "transport", TRANSPORTS, where),
        timeout=_typed(raw, "timeout", (int, float), where),
        reconnect_limit=_typed(raw, "reconnect_limit", int, where),
    )
    check("timeout", entry.timeout, TIMEOUT, SourceListError, where)
    check(
        "reconnect_limit", entry.reconnect_limit, Range(0, 1_000_000, "attempts", integer=True), SourceListError, where
    )
    return entry


def _typed(raw: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, kind):
        wanted = "a number" if kind == (int, float) else "an integer" if kind is int else "a string"
        raise SourceListError(f"{where}: {key} = {value!r} must be {wanted}")
    return value


def _choice(raw: dict[str, Any], key: str, choices: tuple[str, ...], where: str) -> str | None:
    value = raw.get(key)
    if value is not None and value not in choices:
        raise SourceListError(f"{where}: {key} = {value!r}; choose one of: {', '.join(choices)}")
    return value


def _check_names(path: Path, entries: tuple[SourceEntry, ...]) -> None:
    seen: set[str] = set()
    for entry in entries:
        if entry.name is None:
            continue
        if entry.name in seen:
            raise SourceListError(
                f"--sources file '{path}': the name '{entry.name}' is used twice; give each source its own"
            )
        seen.add(entry.name)
