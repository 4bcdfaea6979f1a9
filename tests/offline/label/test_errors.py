"""Known failures end in one line naming the problem and the fix; the key is never printed."""

from __future__ import annotations

import sqlite3

import pytest

from cer_live.install import install_hint

from .conftest import KEY, assert_key_absent, env_for, run_label


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_missing_key(api, sample, tmp_path):
    r = run_label(str(sample("single_face.jpg")), "--out", str(tmp_path / "o"), env=env_for(api, key=None))
    assert r.code == 2
    assert "ANTHROPIC_API_KEY is not set" in _one_error_line(r.stderr)
    assert not (tmp_path / "o").exists(), "nothing is written before the checks pass"
    assert api.paths == []


def test_rejected_key(api, sample, tmp_path):
    wrong = KEY[:-4] + "nope"
    r = run_label(str(sample("single_face.jpg")), "--out", str(tmp_path), env=env_for(api, key=wrong))
    assert r.code == 2
    assert "rejected the key" in _one_error_line(r.stderr) and "(401)" in r.stderr
    assert wrong not in r.stdout + r.stderr
    assert api.count("POST", "/v1/messages") == 1, "a rejected key is not retried"


def test_unknown_model(api, sample, tmp_path):
    r = run_label(
        str(sample("single_face.jpg")), "--out", str(tmp_path), "--model", "claude-3-sonnet-20240229", env=env_for(api)
    )
    assert r.code == 2
    line = _one_error_line(r.stderr)
    assert "claude-3-sonnet-20240229" in line and "(404)" in line and "--model" in line
    assert KEY not in r.stdout + r.stderr


def test_missing_sdk_names_the_extra(api, sample, tmp_path):
    shadow = tmp_path / "shadow" / "anthropic"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError(\"No module named 'anthropic'\", name='anthropic')\n")
    env = env_for(api)
    env["PYTHONPATH"] = str(tmp_path / "shadow")
    r = run_label(str(sample("single_face.jpg")), "--out", str(tmp_path / "o"), env=env)
    assert r.code == 2
    assert install_hint("label") in _one_error_line(r.stderr)


def test_bad_settings_fail_before_any_output(sample, tmp_path):
    r = run_label(
        str(sample("single_face.jpg")), "--out", str(tmp_path / "o"), "--select", "uncertain", env=env_for(None)
    )
    assert r.code == 2 and "--max-per-video" in _one_error_line(r.stderr)
    r = run_label(str(tmp_path / "missing.mp4"), "--out", str(tmp_path / "o"), env=env_for(None))
    assert r.code == 2 and "no such file" in _one_error_line(r.stderr)
    assert not (tmp_path / "o").exists()


def test_an_error_body_that_echoes_the_key_reaches_no_output(api, sample, tmp_path):
    """Sync mode stores the failure and logs it; batch mode stops with one line: the key is in neither."""
    api.echo_status = 500
    image = str(sample("single_face.jpg"))
    sync = run_label(image, "--out", str(tmp_path / "sync"), "--max-retries", "0", env=env_for(api))
    assert sync.code == 3, sync.stderr
    db = sqlite3.connect(tmp_path / "sync" / "labels.sqlite")
    (error,) = db.execute("SELECT error FROM failures").fetchone()
    db.close()
    assert "upstream failed for request" in error and "***" in error, error  # the echo was there, redacted
    batch = run_label(image, "--out", str(tmp_path / "batch"), "--batch", "--max-retries", "0", env=env_for(api))
    assert batch.code == 2 and "upstream failed for request" in _one_error_line(batch.stderr), batch.stderr
    assert_key_absent(tmp_path, sync.stdout, sync.stderr, batch.stdout, batch.stderr)


def test_the_key_is_redacted_before_an_error_is_cut_short():
    from cer_live.offline.label.client import REDACTOR, describe

    REDACTOR.secret = KEY
    try:
        text = describe(RuntimeError("x" * 290 + KEY))
    finally:
        REDACTOR.secret = ""
    assert KEY[:8] not in text and text.endswith("***")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--max-cost", "nan", "bad --max-cost nan; give a finite number of US dollars"),
        ("--rate", "inf", "bad --rate inf; give a finite number of requests per minute, more than 0"),
        ("--timeout", "nan", "bad --timeout nan; give a finite number of seconds"),
        ("--det-size", "0", "bad --det-size 0; give a whole number of pixels (the long side), at least 64"),
        ("--crop-size", "100000", "bad --crop-size 100000; give a whole number of pixels, at least 32 and at most"),
    ],
)
def test_bad_numbers_fail_in_one_line_before_any_output(sample, tmp_path, option, value, message):
    r = run_label(str(sample("single_face.jpg")), "--out", str(tmp_path / "o"), option, value, env=env_for(None))
    assert r.code == 2 and message in _one_error_line(r.stderr)
    assert not (tmp_path / "o").exists()
