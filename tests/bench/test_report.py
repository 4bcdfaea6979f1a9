"""The bench report's targets: each figure against its goal, from the run's own rows."""

from __future__ import annotations

from cer_live.bench.report import targets


def _row(faces: int, fps: float, sinks: float) -> dict:
    return {"faces": faces, "fps_median": fps, "stage_p50_ms": {"sinks": sinks}}


def test_targets_are_ratios_of_the_same_run_and_say_whether_they_are_met():
    report = {
        "sweeps": {"faces": [_row(1, 100.0, 6.0), _row(8, 61.0, 10.5), _row(16, 39.0, 14.0)]},
        "ratios": {"pipeline_vs_peer": 4.5, "whole_process_vs_peer": 8.2},
    }
    got = {t["name"]: (t["measured"], t["met"]) for t in targets(report)}
    assert got == {
        "fps_8_faces_over_1": (0.61, True),
        "fps_16_faces_over_1": (0.39, False),
        "sinks_p50_ms_at_8_faces": (10.5, False),
        "vs_peer_whole_process": (8.2, True),
    }
