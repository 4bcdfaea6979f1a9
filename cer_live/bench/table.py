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
    for column in ("stage", "p50 ms", "p95 ms", "p99 ms", "mean ms", "per s", "repeat spread"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for name, s in report["stages"]["stages"].items():
        table.add_row(
            name,
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
    for column in (key, "faces found", "fps (median)", "spread", "detect p50", "infer p50", "sinks p50"):
        table.add_column(column, justify="right")
    for row in rows:
        p = row["stage_p50_ms"]
        table.add_row(
            str(row[key]),
            _f(row["faces_found_per_frame"], 1),
            _f(row["fps_median"], 1),
            f"{row['fps']['spread_pct']:.0f}%",
            _f(p.get("detect")),
            _f(p.get("infer")),
            _f(p.get("sinks")),
        )
    return table


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
    if report["peer"]["status"] == "absent":
        console.print(f"peer {report['peer']['name']}: {report['peer']['note']}", highlight=False)
    gpu = report["gpu"]
    if gpu.get("note"):
        console.print(f"GPU: {gpu['note']}", highlight=False)
