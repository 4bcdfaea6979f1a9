"""The detection schedule on a video of real faces: auto against full, entries, a scene cut."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.scenes import agreement, build_scene, face_rows, layout
from cer_live.errors import CerLiveError
from cer_live.faces.track import iou_matrix
from cer_live.run.run import Run, RunConfig
from tests.helpers import read_jsonl

FRAMES = 96  # scene cut at 48; six faces enter at once at 72
CUT = FRAMES // 2
WIDTH, HEIGHT = 640, 360  # faces 20-75 px tall (the 1280x720 layout at half scale)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same video through the real run, `--detect full` at full resolution and `--detect auto`."""
    root = tmp_path_factory.mktemp("detect_schedule")
    video = build_scene(root / "scene.mp4", WIDTH, HEIGHT, FRAMES, face_scale=0.5)
    out = {}
    for mode, extra in (("full", {"det_size": WIDTH}), ("auto", {})):
        summary = Run(
            RunConfig(sources=(str(video),), out=root / mode, video=False, detect=mode, threads=1, **extra)
        ).execute()
        records = read_jsonl(root / mode / "scene.jsonl")
        out[mode] = (summary, records, json.loads((root / mode / "summary.json").read_text()))
    return out


def test_auto_keeps_the_face_rows_of_full_detection(runs):
    full, auto = face_rows(runs["full"][1]), face_rows(runs["auto"][1])
    agree = agreement(full, auto)
    assert agree.reference_rows > 300
    assert agree.kept_share >= 0.98, agree
    assert agree.extra <= 0.02 * agree.reference_rows, agree
    assert agree.landmark_rel_p95 < 0.12, agree  # the largest of five points, over the face height
    kinds = {r["det"] for rows in auto.values() for r in rows}
    assert kinds >= {"full", "region"}, kinds  # most rows come from regions, not from full scans


def test_the_summary_counts_rows_per_detection_kind(runs):
    for mode in ("full", "auto"):
        _, records, saved = runs[mode]
        (source,) = saved["sources"]
        counted = {}
        for r in records:
            if r["type"] == "face" and not r["fallback"]:
                counted[r["det"]] = counted.get(r["det"], 0) + 1
        assert source["det_rows"] == counted
        assert saved["settings"]["detect"] == mode
    assert set(runs["full"][2]["sources"][0]["det_rows"]) == {"full"}
    auto = runs["auto"][2]["sources"][0]
    assert auto["det_rows"]["region"] > auto["det_rows"]["full"]
    assert auto["latency_ms"]["detect_region"]["n"] > auto["latency_ms"]["detect_full"]["n"]


def _entries(rows: dict[int, list[dict]]) -> list[tuple[int, list[float]]]:
    """(frame, box) where a face appears that the previous frame did not have."""
    out = []
    for frame in sorted(rows):
        before = np.array([r["box"] for r in rows.get(frame - 1, [])], float).reshape(-1, 4)
        for r in rows[frame]:
            if not len(before) or iou_matrix(np.array([r["box"]], float), before).max() < 0.3:
                out.append((frame, r["box"]))
    return out


@pytest.mark.parametrize("within", [3])
def test_a_face_that_enters_is_found_within_a_few_frames(runs, within):
    full, auto = face_rows(runs["full"][1]), face_rows(runs["auto"][1])
    entries = [(f, box) for f, box in _entries(full) if f > 0]
    assert len(entries) >= 8  # pop-ins, a slide-in, the cut's new faces, six entering at once
    for frame, box in entries:
        found = [
            f
            for f in range(frame, frame + within + 1)
            for r in auto.get(f, [])
            if iou_matrix(np.array([box], float), np.array([r["box"]], float))[0, 0] >= 0.3
        ]
        assert found, f"face entering at frame {frame} ({[round(v) for v in box]}) not found within {within} frames"


def test_no_track_survives_a_scene_cut(runs):
    _, records, _ = runs["auto"]
    rows = face_rows(records)
    before = {r["track"] for f, rs in rows.items() if f < CUT for r in rs}
    after = {r["track"] for f, rs in rows.items() if f >= CUT for r in rs}
    assert before and after and not before & after
    # Not vacuous: a new person stands where the largest face stood, so IoU alone would carry it on.
    last = np.array([r["box"] for r in rows[CUT - 1]], float)
    first = np.array([r["box"] for r in rows[CUT]], float)
    assert iou_matrix(last, first).max() > 0.3
    assert {r["det"] for r in rows[CUT]} == {"full"}


def test_the_layout_has_the_cases_the_tests_rely_on():
    specs = layout()
    assert any(0 < s.t_in < 0.5 for s in specs) and any(s.t_out < 0.5 for s in specs)
    assert sum(s.t_in == 0.75 for s in specs) == 6


@pytest.mark.parametrize(
    ("options", "words"),
    [({"detect": "sometimes"}, "bad detect 'sometimes'"), ({"full_every": 0}, "bad full_every 0")],
)
def test_bad_detect_options_are_one_line_errors(options, words):
    with pytest.raises(CerLiveError, match=words):
        RunConfig(sources=("x.mp4",), **options)


def test_images_of_another_size_start_afresh(sample):
    from cer_live.faces.detect_schedule import DetectionSchedule, DetectScheduleConfig
    from cer_live.models.packs import load_pack
    from cer_live.run.analyser import Analyser, AnalyserOptions
    from cer_live.sources.images import read_image

    detector = Analyser(load_pack("default"), AnalyserOptions(threads=1)).detector
    schedule = DetectionSchedule(DetectScheduleConfig())
    group, single = read_image(sample("multi_face.jpg")), read_image(sample("single_face.jpg"))
    first = schedule.detect(group, detector)
    again = schedule.detect(group, detector)
    other = schedule.detect(single, detector)
    assert set(first.kinds) == {"full"} and len(first.detections) == 5
    # five known faces, the budget's re-detected in their regions, the others predicted from their last detection
    budget = schedule.config.regions_per_frame
    assert sorted(again.kinds) == ["predicted"] * (5 - budget) + ["region"] * budget
    assert len(again.detections) == 5 and not again.cut
    assert other.cut and other.kinds == ("full",)
