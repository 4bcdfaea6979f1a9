"""Batch mode end to end: split batches, errored and expired results asked again, a batch collected after a kill."""

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

FRAMES = ("--every", "24", "--max-per-video", "8")
BATCH = ("--batch", "--poll", "0.05")


def test_split_batches_and_errored_expired_results_are_asked_again(api, video, tmp_path):
    api.batch_outcomes = ["errored", "expired"]
    r = run_label(str(video), "--out", str(tmp_path), *FRAMES, *BATCH, "--batch-max-requests", "3", env=env_for(api))
    assert r.code == 3, r.stderr  # two requests are left for the next run
    assert [len(b.requests) for b in api.batches.values()] == [3, 3, 2]
    first = {s.sha256 for s in api.seen}
    assert len(first) == 6 and len(stored_keys(tmp_path)) == 6
    again = run_label(str(video), "--out", str(tmp_path), *FRAMES, *BATCH, env=env_for(api))
    assert again.code == 0, again.stderr
    last = list(api.batches.values())[-1]
    assert len(api.batches) == 4 and len(last.requests) == 2
    assert not {s.sha256 for s in api.seen[6:]} & first, "a succeeded request was sent again"
    for row in read_labels(tmp_path):
        if row["filled"] == "false":
            want = expected_label(crop_sha(tmp_path, row["crop"]))
            assert row["label"] == ("" if want is None else str(want))
    meta = read_meta(tmp_path)
    assert meta["counts"]["cost"]["usd_by_mode"]["batch"] > 0
    assert api.count("POST", "/v1/messages") == 0
    assert_key_absent(tmp_path, r.stdout, r.stderr, again.stdout, again.stderr)


def test_a_batch_is_collected_after_a_kill_not_sent_again(api, video, tmp_path):
    api.batch_polls = 10**6  # in progress until the test says otherwise
    proc = start_label(str(video), "--out", str(tmp_path), *FRAMES, *BATCH, env=env_for(api))
    try:
        deadline = time.monotonic() + 60
        while api.count("GET", r"/v1/messages/batches/[\w-]+") < 2:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        proc.kill()
        out, err = proc.communicate()
    (batch,) = api.batches.values()
    batch.polls_left = 0  # the batch ends while nobody is watching
    r = run_label(str(video), "--out", str(tmp_path), *FRAMES, *BATCH, env=env_for(api))
    assert r.code == 0, r.stderr
    assert api.count("POST", "/v1/messages/batches") == 1, "the interrupted batch was sent again"
    assert len(stored_keys(tmp_path)) == 8 and len(read_labels(tmp_path)) == 8
    assert read_meta(tmp_path)["counts"]["requests"]["batches_collected"] == [batch.id]
    assert_key_absent(tmp_path, out, err, r.stdout, r.stderr)


def test_no_wait_then_cancel_then_resend(api, sample, tmp_path):
    api.batch_polls = 10**6
    image = str(sample("single_face.jpg"))
    r = run_label(image, "--out", str(tmp_path), *BATCH, "--no-wait", env=env_for(api))
    assert r.code == 3 and "rerun to collect" in r.stdout, r.stderr
    cancel = run_label(image, "--out", str(tmp_path), *BATCH, "--cancel-batches", env=env_for(api))
    assert cancel.code == 3, cancel.stderr
    assert api.count("POST", r"/v1/messages/batches/[\w-]+/cancel") == 1 and len(api.batches) == 1
    api.batch_polls = 0
    done = run_label(image, "--out", str(tmp_path), *BATCH, env=env_for(api))
    assert done.code == 0, done.stderr
    assert len(api.batches) == 2 and len(stored_keys(tmp_path)) == 1
