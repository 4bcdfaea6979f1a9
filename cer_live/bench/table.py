"""The bench report as rich tables in the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .endtoend import PEER_WHOLE, WHOLE


def _f(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def stages_table(report: dict[str, Any]) -> Table:
    table = Table(
        title=f"Stages, each timed alone ({report['stages']['frames_per_repeat']} frames x {report['config']['repeats']} repeats)",
        title_justify="left",
    )
    for column in ("stage", "ran on", "p50 ms", "p95 ms", "p99 ms", "mean ms", "per s", "repeat spread"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for name, s in report["stages"]["stages"].items():
        table.add_row(
            name,
            f"{s['n']}/{s['of_frames']}" if "of_frames" in s else str(s["n"]),
            _f(s["p50"]),
            _f(s["p95"]),
            _f(s["p99"]),
            _f(s["mean"]),
            _f(s["throughput_per_s"], 0),
            f"{s['repeat_p50']['spread_pct']:.0f}%",
        )
    return table


RATIO_OF = {PEER_WHOLE: "whole_process_vs_peer"}  # a row whose ratio is not pipeline_vs_<row>


def end_to_end_table(report: dict[str, Any]) -> Table:
    e2e = report["end_to_end"]
    table = Table(
        title=f"End to end on {report['config']['video']} ({e2e['pipeline_report']['frames']} frames), same run",
        title_justify="left",
    )
    for column in ("contender", "fps (median)", "repeats", "spread", "pipeline / contender"):
        table.add_column(column, justify="left" if column == "contender" else "right")
    for name, fps in e2e["fps"].items():
        # whole processes compare with each other, not with the pipeline
        r = report["ratios"].get(RATIO_OF.get(name, f"pipeline_vs_{name}"))
        table.add_row(
            name,
            _f(fps["median"], 1),
            " ".join(f"{v:.0f}" for v in fps["values"]),
            f"{fps['spread_pct']:.0f}%",
            "-" if name in ("pipeline", WHOLE) else f"{_f(r)}x",
        )
    if report["peer"]["status"] != "measured" and "peer" not in e2e["fps"]:
        table.add_row(f"peer ({report['peer']['name']})", report["peer"]["status"], "", "", "-")
    return table


def batch_table(report: dict[str, Any]) -> Table:
    table = Table(title="Members against batch size", title_justify="left")
    for column in ("backend", "device", "batch", "ms per batch p50", "faces/s", "note"):
        table.add_column(column, justify="right" if column in ("batch", "ms per batch p50", "faces/s") else "left")
    for entry in report["sweeps"]["batch"]:
        if entry["status"] != "measured":
            table.add_row(entry["backend"], entry["device"], "", "", "", escape(f"skipped: {entry['note']}"))
        for row in entry["rows"]:
            table.add_row(
                entry["backend"],
                entry["device"],
                str(row["batch"]),
                _f(row["ms_per_batch"]["p50"]),
                _f(row["faces_per_s"], 0),
                "",
            )
    return table


def precision_table(report: dict[str, Any]) -> Table | str:
    """INT8 against fp32 per member; a line saying why not when the pack has no INT8 members."""
    section = report.get("precision") or {"status": "absent", "note": "not measured", "members": []}
    if section["status"] != "measured":
        return f"INT8 vs fp32: {section['status']}: {section['note']}"
    growth = section.get("rss_growth_on_load_mb") or {}
    table = Table(
        title=f"Members in fp32 and INT8 on the CPU (batches of {section['batch']}, calls alternating, same run); "
        f"RSS growth on load: fp32 {_f(growth.get('fp32'), 0)} MB, int8 {_f(growth.get('int8'), 0)} MB",
        title_justify="left",
    )
    for column in ("member", "fp32 ms/face p50", "int8 ms/face p50", "int8 speed-up", "top-1 agreement", "max |dp|"):
        table.add_column(column, justify="left" if column == "member" else "right")
    rows = [*section["members"]]
    fused = section.get("fused_agreement") or {}
    total = section.get("members_sum_ms_per_face") or {}
    for row in rows:
        a = row["agreement"] or {}
        table.add_row(
            row["member"],
            _f(row["fp32_ms_per_face"]["p50"]),
            _f(row["int8_ms_per_face"]["p50"]),
            f"{_f(row['int8_speedup'])}x",
            _pct(a.get("top1_agreement")),
            _f(a.get("max_abs_delta_p"), 3),
        )
    table.add_row(
        "all members (fused label)",
        _f(total.get("fp32")),
        _f(total.get("int8")),
        f"{_f(total.get('int8_speedup'))}x",
        _pct(fused.get("top1_agreement")),
        _f(fused.get("max_abs_delta_p"), 3),
    )
    return table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def pipeline_table(title: str, rows: list[dict[str, Any]], key: str) -> Table:
    table = Table(title=title, title_justify="left")
    one = next((r["fps_median"] for r in rows if r.get("faces") == 1), None) if key == "faces" else None
    columns = (key, "faces found", "fps (median)", *(["of 1 face"] if one else []), "spread")
    for column in (*columns, "detect p50", "infer p50", "sinks p50"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            str(row[key]),
            _f(row["faces_found_per_frame"], 1),
            _f(row["fps_median"], 1),
            *([f"{100 * row['fps_median'] / one:.0f}%"] if one else []),
            f"{row['fps']['spread_pct']:.0f}%",
            *(stage_cell(row, s) for s in ("detect", "infer", "sinks")),
        )
    return table


def targets_table(report: dict[str, Any]) -> Table:
    table = Table(title="Targets", title_justify="left")
    for column in ("figure", "target", "this run", "met"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for row in report["headline"]["targets"]:
        met = {True: "yes", False: "no", None: "not measured"}[row["met"]]
        table.add_row(row["name"], f"{row['sense']} {row['target']:g}", _f(row["measured"], 2), met)
    return table


def stage_cell(row: dict[str, Any], stage: str) -> str:
    """A stage's p50 over the frames it ran on; the share of frames when not all; 'not run' when none."""
    p50 = row["stage_p50_ms"].get(stage)
    if p50 is None:
        return "not run"
    runs, frames = row.get("stage_runs", {}).get(stage), row.get("frames")
    share = f" ({runs}/{frames})" if runs is not None and frames and runs < frames else ""
    return f"{p50:.2f}{share}"


def show(report: dict[str, Any], console: Console) -> None:
    console.print(f"[bold]{report['producer']} bench[/] on {report['machine']['label']}", highlight=False)
    console.print(stages_table(report))
    console.print(end_to_end_table(report))
    console.print(batch_table(report))
    console.print(precision_table(report), highlight=False)
    console.print(pipeline_table("End-to-end fps against faces per frame", report["sweeps"]["faces"], "faces"))
    console.print(pipeline_table("End-to-end fps against resolution", report["sweeps"]["resolution"], "resolution"))
    console.print(targets_table(report))
    live = report["live"]
    if live["status"] == "measured":
        c2o = live["capture_to_output_ms"]
        console.print(
            f"live RTSP loopback: capture-to-output p50 {c2o['p50']:.1f} ms, p95 {c2o['p95']:.1f} ms, {live['fps']:.1f} fps, {live['dropped_frames']} dropped",
            highlight=False,
        )
    else:
        console.print(f"live RTSP loopback: {live['status']}: {live['note']}", highlight=False)
    members = report["ensemble_vs_members"]
    if members:
        console.print(
            f"ensemble / sum of members: {_f(members['ratio_to_members_sum'], 3)} ({members['ensemble_p50_ms']:.2f} ms vs {members['members_sum_p50_ms']:.2f} ms per frame, p50)",
            highlight=False,
        )
    if report["peer"]["status"] in ("absent", "failed"):
        console.print(f"peer {report['peer']['name']}: {report['peer']['note']}", highlight=False)
    gpu = report["gpu"]
    if gpu.get("note"):
        console.print(f"GPU: {gpu['note']}", highlight=False)
