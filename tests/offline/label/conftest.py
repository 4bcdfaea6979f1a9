"""The real `cer-live label` in a subprocess, speaking through the real anthropic SDK to a local server."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ...helpers import ROOT, CliResult
from .fake_api import FakeAnthropic

pytest.importorskip("anthropic")

KEY = "sk-ant-test-" + "Xq9vR2" * 8  # a distinctive string: it must appear in no output
ANSWERS = (
    ("Happily Surprised", 1),
    ("I'd say the expression is sadly ANGRY, judging by the brow.", 6),
    ("Sadly Fearful, or perhaps Sadly Angry.", 5),  # the reference rule: Sadly Fearful wins
    ("I cannot tell from this image.", None),
)


def answer_for(sha: str) -> str:
    return ANSWERS[int(sha[:8], 16) % len(ANSWERS)][0]


def expected_label(sha: str) -> int | None:
    return ANSWERS[int(sha[:8], 16) % len(ANSWERS)][1]


@pytest.fixture
def api():
    with FakeAnthropic(KEY, lambda sha, prompt: answer_for(sha)) as server:
        yield server


@pytest.fixture(scope="session")
def video(sample) -> Path:
    return sample("WolfgangLanger_Pexels.mp4")


def env_for(api: FakeAnthropic | None, key: str | None = KEY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["COLUMNS"] = "200"
    if key is not None:
        env["ANTHROPIC_API_KEY"] = key
    if api is not None:
        env["ANTHROPIC_BASE_URL"] = api.url
    return env


def label_args(*args: str) -> list[str]:
    return [sys.executable, "-m", "cer_live.cli", "label", *args]


def run_label(*args: str, env: dict[str, str], timeout: float = 120) -> CliResult:
    done = subprocess.run(label_args(*args), capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    return CliResult(done.returncode, done.stdout, done.stderr)


def start_label(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        label_args(*args), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def read_labels(out: Path) -> list[dict[str, str]]:
    text = (out / "labels.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "crop,label,label_name,source,frame,filled,prompt,model"
    return list(csv.DictReader(text.splitlines()))


def read_meta(out: Path) -> dict:
    return json.loads((out / "labels.meta.json").read_text(encoding="utf-8"))


def stored_keys(out: Path) -> set[tuple[str, str]]:
    """(sha256, prompt) of every reply committed to the store, read as any SQLite reader would."""
    if not (out / "labels.sqlite").exists():
        return set()
    db = sqlite3.connect(f"file:{out / 'labels.sqlite'}?mode=ro", uri=True)
    try:
        return {(sha, prompt) for sha, prompt in db.execute("SELECT sha256, prompt FROM results")}
    except sqlite3.OperationalError:
        return set()
    finally:
        db.close()


def crop_sha(out: Path, rel: str) -> str:
    return hashlib.sha256((out / rel).read_bytes()).hexdigest()


def assert_key_absent(out: Path, *texts: str) -> None:
    secret = KEY.encode()
    for text in texts:
        assert KEY not in text
    for path in out.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), f"the key leaked into {path}"
