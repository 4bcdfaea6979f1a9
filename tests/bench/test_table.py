"""The bench tables never show a stage that did not run as 0 ms."""

from __future__ import annotations

from cer_live.bench.table import stage_cell


def test_a_stage_that_did_not_run_is_said_so():
    row = {"frames": 48, "stage_p50_ms": {"detect": 4.0, "infer": 1.25}, "stage_runs": {"detect": 48, "infer": 6}}
    assert stage_cell(row, "detect") == "4.00"
    assert stage_cell(row, "infer") == "1.25 (6/48)"  # --every 8: over the frames it ran on
    assert stage_cell(row, "align") == "not run"
