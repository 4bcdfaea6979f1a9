"""The resumable store: one SQLite file per output folder.

Why SQLite: each finished reply is one committed transaction (WAL, synchronous=FULL), so a
SIGKILL loses at most the requests in flight and never leaves half a record; lookups by
(image sha256, prompt id, model id) stay fast at 200k frames; batch ids and their items
live in the same file, so an interrupted batch is collected after a restart. It is in the
standard library, and a reader can open the file with any SQLite tool.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .client import redact
from .errors import LabelError

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
  sha256 TEXT NOT NULL, prompt TEXT NOT NULL, model TEXT NOT NULL,
  reply TEXT NOT NULL, input_tokens INTEGER, output_tokens INTEGER, cost REAL,
  mode TEXT NOT NULL, request_id TEXT, retries INTEGER, at TEXT NOT NULL,
  PRIMARY KEY (sha256, prompt, model));
CREATE TABLE IF NOT EXISTS failures (
  sha256 TEXT NOT NULL, prompt TEXT NOT NULL, model TEXT NOT NULL,
  mode TEXT NOT NULL, error TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
  id TEXT PRIMARY KEY, model TEXT NOT NULL, requests INTEGER NOT NULL,
  state TEXT NOT NULL, created TEXT NOT NULL, collected TEXT);
CREATE TABLE IF NOT EXISTS batch_items (
  batch_id TEXT NOT NULL, custom_id TEXT NOT NULL,
  sha256 TEXT NOT NULL, prompt TEXT NOT NULL, model TEXT NOT NULL,
  PRIMARY KEY (batch_id, custom_id));
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Key:
    sha256: str  # of the crop JPEG bytes that were sent
    prompt: str
    model: str


@dataclass(frozen=True)
class Result:
    key: Key
    reply: str
    input_tokens: int
    output_tokens: int
    cost: float
    mode: str  # sync | batch
    request_id: str = ""
    retries: int = 0


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: Path) -> None:
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise LabelError(
                f"the store '{path}' is unreadable ({exc}); move it aside or choose another --out"
            ) from exc
        self.path = path

    def close(self) -> None:
        self.db.close()

    def check_settings(self, settings: dict[str, object]) -> None:
        """Crops in one folder must all be made the same way, or a reused crop would differ from a new one."""
        for name, value in settings.items():
            text = json.dumps(value)
            row = self.db.execute("SELECT value FROM settings WHERE key=?", (name,)).fetchone()
            if row is None:
                self.db.execute("INSERT INTO settings VALUES (?, ?)", (name, text))
            elif row[0] != text:
                raise LabelError(
                    f"--out folder was labelled with {name}={row[0]}, not {text}; use the same setting or another --out"
                )

    def put_result(self, r: Result) -> None:
        with self.db:  # one transaction per reply: committed (and fsynced) before the next
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    r.key.sha256,
                    r.key.prompt,
                    r.key.model,
                    redact(r.reply),
                    r.input_tokens,
                    r.output_tokens,
                    r.cost,
                    r.mode,
                    redact(r.request_id),
                    r.retries,
                    _now(),
                ),
            )

    def put_failure(self, key: Key, mode: str, error: str) -> None:
        self.db.execute(
            "INSERT INTO failures VALUES (?,?,?,?,?,?)",
            (key.sha256, key.prompt, key.model, mode, redact(error), _now()),
        )

    def done(self, model: str) -> set[Key]:
        rows = self.db.execute("SELECT sha256, prompt FROM results WHERE model=?", (model,))
        return {Key(sha, prompt, model) for sha, prompt in rows}

    def results(self, keys: set[Key]) -> dict[Key, Result]:
        found: dict[Key, Result] = {}
        for model in {k.model for k in keys}:
            for row in self.db.execute("SELECT * FROM results WHERE model=?", (model,)):
                key = Key(row[0], row[1], row[2])
                if key in keys:
                    found[key] = Result(
                        key, row[3], row[4] or 0, row[5] or 0, row[6] or 0.0, row[7], row[8] or "", row[9] or 0
                    )
        return found

    def failures(self, keys: set[Key]) -> dict[Key, str]:
        """The latest error of each key that failed and has no result yet."""
        out: dict[Key, str] = {}
        for sha, prompt, model, error in self.db.execute(
            "SELECT sha256, prompt, model, error FROM failures ORDER BY rowid"
        ):
            key = Key(sha, prompt, model)
            if key in keys:
                out[key] = error
        return out

    def add_batch(self, batch_id: str, model: str, items: dict[str, Key]) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT INTO batches VALUES (?,?,?,?,?,NULL)", (batch_id, model, len(items), "open", _now())
            )
            self.db.executemany(
                "INSERT INTO batch_items VALUES (?,?,?,?,?)",
                [(batch_id, cid, k.sha256, k.prompt, k.model) for cid, k in items.items()],
            )

    def open_batches(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM batches WHERE state='open' ORDER BY created, id")]

    def batch_items(self, batch_id: str) -> dict[str, Key]:
        rows = self.db.execute("SELECT custom_id, sha256, prompt, model FROM batch_items WHERE batch_id=?", (batch_id,))
        return {cid: Key(sha, prompt, model) for cid, sha, prompt, model in rows}

    def in_open_batches(self) -> set[Key]:
        rows = self.db.execute(
            "SELECT i.sha256, i.prompt, i.model FROM batch_items i JOIN batches b ON b.id=i.batch_id WHERE b.state='open'"
        )
        return {Key(*row) for row in rows}

    def close_batch(self, batch_id: str) -> None:
        self.db.execute("UPDATE batches SET state='collected', collected=? WHERE id=?", (_now(), batch_id))

    def batch_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM batches").fetchone()[0])
