"""Helpers shared by tests: the real CLI in a subprocess, and output readers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str


def cli(*args: str, timeout: float = 300) -> CliResult:
    """The real `cer-live` command in its own process, as a user runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "cer_live.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=_env(),
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def start_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """The real `cer-live` command started in the background, for tests that stop it mid-run."""
    return subprocess.Popen(
        [sys.executable, "-m", "cer_live.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["COLUMNS"] = "200"  # rich wraps at the terminal width; keep one-line errors on one line
    return env


def read_jsonl(path: Path) -> list[dict]:
    """Every line parsed; a partial or invalid line fails the test."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def count_video_frames(path: Path) -> int:
    import cv2

    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n
