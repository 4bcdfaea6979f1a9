"""PNG plots of a bench report (matplotlib, Agg: no display needed), each labelled with the machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import replacing

PLOTS = (
    "latency_cdf.png",
    "stage_breakdown.png",
    "throughput_vs_batch.png",
    "fps_vs_faces.png",
    "fps_vs_resolution.png",
)


def _pyplot() -> Any:
    import logging

    import matplotlib

    matplotlib.use("Agg")
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    import matplotlib.pyplot as plt

    return plt


def _save(plt: Any, fig: Any, ax: Any, title: str, machine: str, path: Path) -> None:
    ax.set_title(title, fontsize=11)
    fig.text(0.01, 0.01, machine, fontsize=7, color="0.35")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    with replacing(path) as handle:
        fig.savefig(handle, dpi=110, format="png")
    plt.close(fig)


def latency_cdf(plt: Any, report: dict[str, Any], path: Path, machine: str) -> None:
    fig, ax = plt.subplots(figsize=(8, 4.8))
    for stage, values in report["stages"]["samples"].items():
        if stage.startswith("infer:") or not values:
            continue
        x = np.sort(np.maximum(np.asarray(values), 1e-3))
        ax.plot(x, np.arange(1, len(x) + 1) / len(x), label=stage, linewidth=1.4)
    ax.set_xscale("log")
    ax.set_xlabel("latency per frame (ms, log scale)")
    ax.set_ylabel("fraction of frames")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    _save(plt, fig, ax, "Latency CDF per stage", machine, path)


def stage_breakdown(plt: Any, report: dict[str, Any], path: Path, machine: str) -> None:
    stages = report["stages"]["stages"]
    names = [n for n in stages if n != "ensemble"][::-1]
    p50 = [stages[n]["p50"] for n in names]
    p95 = [stages[n]["p95"] - stages[n]["p50"] for n in names]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(names) + 1.6))
    ax.barh(names, p50, xerr=[np.zeros(len(p95)), p95], color="#4c78a8", ecolor="0.4", capsize=3)
    ax.set_xlabel("ms per frame (bar: p50, whisker: p95)")
    ax.grid(True, axis="x", alpha=0.3)
    _save(plt, fig, ax, "Stage breakdown (each stage timed alone)", machine, path)


def throughput_vs_batch(plt: Any, report: dict[str, Any], path: Path, machine: str) -> None:
    fig, ax = plt.subplots(figsize=(8, 4.8))
    skipped = []
    for entry in report["sweeps"]["batch"]:
        label = f"{entry['backend']} {entry['device']} {entry['precision']}"
        if entry["status"] != "measured":
            skipped.append(label)
            continue
        rows = entry["rows"]
        ax.plot([r["batch"] for r in rows], [r["faces_per_s"] for r in rows], marker="o", label=label)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("faces per batch")
    ax.set_ylabel("faces per second (all members)")
    ax.set_ylim(bottom=0)
    ax.grid(True, which="both", alpha=0.3)
    if skipped:
        ax.text(
            0.01,
            0.98,
            "not measured here: " + "; ".join(skipped),
            transform=ax.transAxes,
            fontsize=7,
            va="top",
            wrap=True,
        )
    ax.legend(fontsize=8, loc="lower right")
    _save(plt, fig, ax, "Members' throughput against batch size", machine, path)


def fps_vs(plt: Any, rows: list[dict[str, Any]], key: str, xlabel: str, title: str, path: Path, machine: str) -> None:
    fig, ax = plt.subplots(figsize=(8, 4.8))
    xs = list(range(len(rows)))
    mid = [r["fps"]["median"] for r in rows]
    low = [m - r["fps"]["min"] for m, r in zip(mid, rows, strict=False)]
    high = [r["fps"]["max"] - m for m, r in zip(mid, rows, strict=False)]
    ax.errorbar(xs, mid, yerr=[low, high], marker="o", capsize=4)
    ax.set_xticks(xs, [str(r[key]) for r in rows])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("frames per second (median, min-max of repeats)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    _save(plt, fig, ax, title, machine, path)


def draw_all(report: dict[str, Any], folder: Path) -> list[str]:
    """Every plot into folder; returns the file names."""
    plt = _pyplot()
    machine = f"{report['machine']['label']} | pack {report['config']['pack']} | {report['producer']}"
    latency_cdf(plt, report, folder / PLOTS[0], machine)
    stage_breakdown(plt, report, folder / PLOTS[1], machine)
    throughput_vs_batch(plt, report, folder / PLOTS[2], machine)
    sweeps = report["sweeps"]
    res = sweeps["faces"][0]["resolution"] if sweeps["faces"] else ""
    fps_vs(
        plt,
        sweeps["faces"],
        "faces",
        f"faces per frame ({res} synthetic clip of real faces)",
        "End-to-end fps against faces per frame",
        folder / PLOTS[3],
        machine,
    )
    fps_vs(
        plt,
        sweeps["resolution"],
        "resolution",
        "frame size (two faces per frame)",
        "End-to-end fps against resolution",
        folder / PLOTS[4],
        machine,
    )
    return list(PLOTS)
