"""The JSON report and the confusion-matrix figure; neither overwrites an existing file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ...atomic import replacing, write_text
from ..errors import EvaluateError
from ..metrics import Scores


def check_new(*paths: Path | None) -> None:
    """Before any work: outputs must be new files in existing folders."""
    for path in paths:
        if path is None:
            continue
        if path.exists():
            raise EvaluateError(f"'{path}' exists; choose another output name (results are never overwritten)")
        if not path.parent.is_dir():
            raise EvaluateError(f"folder '{path.parent}' does not exist; create it or choose another output path")


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_text(path, json.dumps(data, indent=2) + "\n")


def plot_confusions(panels: dict[str, Scores], classes: tuple[str, ...], path: Path, title: str) -> None:
    """One row-normalised confusion matrix per panel, counts written in each cell."""
    from matplotlib.figure import Figure  # no pyplot: no global backend, no display needed

    cols = min(len(panels), 3)
    rows = -(-len(panels) // cols)
    fig = Figure(figsize=(5.2 * cols, 5.0 * rows), layout="constrained")
    fig.suptitle(title)
    short = [c.replace("Surprised", "Surpr.") for c in classes]
    for ax, (name, scores) in zip(np.atleast_1d(fig.subplots(rows, cols)).ravel(), panels.items(), strict=False):
        cm = np.asarray(scores.confusion, np.float64)
        norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
        ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
        for (i, j), count in np.ndenumerate(cm):
            ax.text(
                j,
                i,
                f"{int(count)}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if norm[i, j] > 0.5 else "black",
            )
        ax.set_title(f"{name}: macro F1 {scores.macro_f1:.3f}", fontsize=9)
        ax.set_xticks(range(len(classes)), short, rotation=45, ha="right", fontsize=7)
        ax.set_yticks(range(len(classes)), short, fontsize=7)
        ax.set_xlabel("predicted", fontsize=8)
        ax.set_ylabel("true", fontsize=8)
    for ax in np.atleast_1d(fig.axes)[len(panels) :]:
        ax.set_visible(False)
    with replacing(path) as handle:
        fig.savefig(handle, dpi=110, format="png")
