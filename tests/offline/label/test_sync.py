"""Sync mode end to end: the real command, the real SDK, a local server that misbehaves on script."""

from __future__ import annotations

import time

from .conftest import (
    assert_key_absent,
    crop_sha,
    env_for,
    expected_label,
    read_labels,
    read_meta,
    run_label,
    start_label,
    stored_keys,
)
from .fake_api import DROP, slow, status

FRAMES = ("--every", "24", "--max-per-video", "8")


def test_labels_retries_and_training_set(api, video, tmp_path):
    api.faults = [
        status(429, retry_after="0.05"),
        status(500, retry_after_ms="10"),
        status(529, retry_after_ms="10"),
        DROP,
    ]
    r = run_label(
        str(video), "--out", str(tmp_path), *FRAMES, "--concurrency", "2", "--fill-within", "100", env=env_for(api)
    )
    assert r.code == 0, r.stderr
    rows = read_labels(tmp_path)
    assert len(rows) == 8 and [int(x["frame"]) for x in rows] == sorted(int(x["frame"]) for x in rows)
    answered = {(s.sha256, s.prompt) for s in api.answered()}
    assert len(answered) == len(api.answered()) == 8, "each crop asked once, once answered"
    assert {s.outcome for s in api.seen} == {"answered", "429", "500", "529", "drop"}
    for s in api.seen:  # the server decoded every image the SDK sent
        assert (s.width, s.height) == (224, 224) and s.model == "claude-sonnet-4-5"
    labelled = {}
    for row in rows:
        sha = crop_sha(tmp_path, row["crop"])
        assert (sha, next(iter({p for _, p in answered}))) in answered
        assert (
            row["source"] == "WolfgangLanger_Pexels"
            and row["prompt"] == "paper1"
            and row["model"] == "claude-sonnet-4-5"
        )
        assert row["crop"] == f"crops/WolfgangLanger_Pexels/{int(row['frame']):06d}.jpg"
        if row["filled"] == "false":
            want = expected_label(sha)
            assert row["label"] == ("" if want is None else str(want))
            if want is not None:
                labelled[int(row["frame"])] = row["label"]
    for row in rows:
        if row["filled"] == "true":  # took the nearest labelled frame's label (ties: the earlier frame)
            frame = int(row["frame"])
            nearest = min(labelled, key=lambda f: (abs(f - frame), f))
            assert row["label"] == labelled[nearest] and expected_label(crop_sha(tmp_path, row["crop"])) is None
    meta = read_meta(tmp_path)
    assert meta["producer"].startswith("cer-live") and meta["settings"]["model"] == "claude-sonnet-4-5"
    requests = meta["counts"]["requests"]
    assert requests["answered"] == 8 and requests["retries"] == 4 and requests["http_attempts"] == len(api.seen) == 12
    assert meta["counts"]["cost"]["input_tokens"] == 8 * 120
    assert "retries 4" in r.stdout and "Happily Surprised" in r.stdout
    assert_key_absent(tmp_path, r.stdout, r.stderr)


def test_slow_answer_past_the_timeout_is_retried(api, sample, tmp_path):
    api.faults = [slow(2.5)]
    r = run_label(str(sample("single_face.jpg")), "--out", str(tmp_path), "--timeout", "1", env=env_for(api))
    assert r.code == 0, r.stderr
    assert read_meta(tmp_path)["counts"]["requests"]["retries"] == 1
    assert len(read_labels(tmp_path)) == 1


def test_a_request_that_keeps_failing_is_kept_for_the_next_run(api, sample, tmp_path):
    api.faults = [status(500, retry_after_ms="1")] * 3
    image = str(sample("single_face.jpg"))
    r = run_label(image, "--out", str(tmp_path), "--max-retries", "2", env=env_for(api))
    assert r.code == 3, r.stderr
    assert "rerun" in r.stderr + r.stdout
    (row,) = read_labels(tmp_path)
    assert row["label"] == "" and "pending" in (tmp_path / "frames.csv").read_text()
    again = run_label(image, "--out", str(tmp_path), env=env_for(api))
    assert again.code == 0, again.stderr
    assert len(api.answered()) == 1 and len(api.seen) == 4
    assert read_labels(tmp_path)[0]["label"] == str(expected_label(crop_sha(tmp_path, row["crop"])) or "")


def test_sigkill_then_resume_repeats_no_finished_request(api, video, tmp_path):
    api.hold_after = 3  # the fourth request waits, so the kill lands mid-run
    proc = start_label(str(video), "--out", str(tmp_path), *FRAMES, "--concurrency", "1", env=env_for(api))
    try:
        deadline = time.monotonic() + 60
        while len(stored_keys(tmp_path)) < 3:
            assert proc.poll() is None and time.monotonic() < deadline, "the run ended early"
            time.sleep(0.05)
    finally:
        proc.kill()  # SIGKILL: no handler runs
        out, err = proc.communicate()
    finished = stored_keys(tmp_path)
    assert len(finished) == 3
    api.hold_after = 10**9
    api.hold.set()
    time.sleep(0.3)  # the held request finishes on the dead connection
    before = len(api.seen)
    r = run_label(str(video), "--out", str(tmp_path), *FRAMES, env=env_for(api))
    assert r.code == 0, r.stderr
    second = [(s.sha256, s.prompt) for s in api.seen[before:]]
    assert not set(second) & finished, "a finished image was asked again"
    assert len(second) == 8 - 3
    assert len(read_labels(tmp_path)) == 8 and len(stored_keys(tmp_path)) == 8
    assert_key_absent(tmp_path, out, err, r.stdout, r.stderr)


def test_consensus_keeps_only_agreeing_labels(video, tmp_path):
    from .conftest import KEY, answer_for
    from .fake_api import FakeAnthropic

    def answer(sha: str, prompt: str) -> str:
        return answer_for(sha) if prompt.startswith("Which of the following") else "Happily Surprised."

    with FakeAnthropic(KEY, answer) as api:
        r = run_label(
            str(video), "--out", str(tmp_path), *FRAMES, "--consensus", "--fill-within", "0", env=env_for(api)
        )
    assert r.code == 0, r.stderr
    assert len(api.answered()) == 16 and len({s.prompt for s in api.seen}) == 2
    for row in read_labels(tmp_path):
        assert row["prompt"] == "paper1+paper2"
        sha = crop_sha(tmp_path, row["crop"])
        assert row["label"] == ("1" if expected_label(sha) == 1 else "")
    counts = read_meta(tmp_path)["counts"]
    assert counts["agreement"]["agree"] + counts["agreement"]["disagree"] + counts["status"].get("no_name", 0) == 8
    replies = (tmp_path / "replies.jsonl").read_text().splitlines()
    assert len(replies) == 16  # both raw answers are kept, agreeing or not


def test_max_cost_stops_before_the_budget_is_passed(api, video, tmp_path):
    r = run_label(
        str(video), "--out", str(tmp_path), *FRAMES, "--concurrency", "1", "--max-cost", "0.003", env=env_for(api)
    )
    assert r.code == 3, r.stderr
    meta = read_meta(tmp_path)
    assert meta["counts"]["requests"]["stopped_by_budget"] is True
    assert 0 < meta["counts"]["cost"]["usd"] <= 0.003
    assert 0 < len(api.answered()) < 8
    assert "--max-cost" in r.stdout


def test_dry_run_sends_nothing_and_needs_no_key(api, video, tmp_path):
    r = run_label(str(video), "--out", str(tmp_path), *FRAMES, "--consensus", "--dry-run", env=env_for(api, key=None))
    assert r.code == 0, r.stderr
    assert api.paths == []
    assert "16 request(s)" in r.stdout and "batch: about $" in r.stdout


def test_select_uncertain_ranks_with_the_pack(video, tmp_path):
    r = run_label(
        str(video),
        "--out",
        str(tmp_path),
        "--every",
        "12",
        "--max-per-video",
        "5",
        "--select",
        "uncertain",
        "--dry-run",
        env=env_for(None, key=None),
    )
    assert r.code == 0, r.stderr
    crops = sorted((tmp_path / "crops" / "WolfgangLanger_Pexels").glob("*.jpg"))
    assert len(crops) == 5 and "5 request(s)" in r.stdout
    assert all(int(p.stem) % 12 == 0 for p in crops)


def test_a_photo_folder_is_labelled_as_independent_pictures(sample, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    names = ("single_face.jpg", "0-f1-su-ph.jpg", "45-m7-di-ph.jpg")
    for name in names:
        (photos / name).write_bytes(sample(name).read_bytes())
    out = tmp_path / "out"
    r = run_label(str(photos), "--out", str(out), "--every", "5", "--dry-run", env=env_for(None, key=None))
    assert r.code == 0, r.stderr
    # --every counts frames of a video: each photo is its own picture, and its crop is named after it
    crops = sorted(p.relative_to(out / "crops").as_posix() for p in (out / "crops").rglob("*.jpg"))
    assert crops == sorted(f"photos/{name[:-4]}/000000.jpg" for name in names)
