"""The bench report as rich tables in the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


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


def end_to_end_table(report: dict[str, Any]) -> Table:
    e2e = report["end_to_end"]
    table = Table(
        title=f"End to end on {report['config']['video']} ({e2e['pipeline_report']['frames']} frames), same run",
        title_justify="left",
    )
    for column in ("contender", "fps (median)", "repeats", "spread", "pipeline / contender"):
        table.add_column(column, justify="left" if column == "contender" else "right")
    for name, fps in e2e["fps"].items():
        r = report["ratios"].get(f"pipeline_vs_{name}")
        table.add_row(
            name,
            _f(fps["median"], 1),
            " ".join(f"{v:.0f}" for v in fps["values"]),
            f"{fps['spread_pct']:.0f}%",
            "-" if name == "pipeline" else f"{_f(r)}x",
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
    console.print(pipeline_table("End-to-end fps against faces per frame", report["sweeps"]["faces"], "faces"))
    console.print(pipeline_table("End-to-end fps against resolution", report["sweeps"]["resolution"], "resolution"))
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
