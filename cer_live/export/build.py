"""Checkpoints (or untrained members) -> a checked model pack in engines/<name>/."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .. import PRODUCER
from ..classes import COMPOUND_CLASSES
from ..errors import ExportError
from ..faces.templates import ARCFACE_TEMPLATE, loosen
from ..models.packs import FORMAT, MANIFEST, find_pack, sha256
from ..models.preprocess import to_tensor
from .checkpoints import Checkpoint, to_module
from .faces import collect_faces, default_sources
from .fused import fuse_members
from .onnx_export import INPUT, OPSET, to_fp16, to_onnx
from .parity import (
    FP16_MIN_TOP1,
    FP16_TIE_MARGIN,
    FP32_MAX_ABS_DIFF,
    MIN_FACES,
    check_member,
    float64_probs,
    onnx_probs,
    torch_probs,
)
from .random_init import random_member
from .staging import publish, staged

# The reference recipe's preprocessing. The means are highest in the last channel, as skin
# is in red, so they are read as BGR (the order OpenCV decodes), not RGB.
REFERENCE_MEAN = (0.367, 0.411, 0.507)
REFERENCE_STD = (1.0, 1.0, 1.0)


PACK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class MemberInput:
    name: str
    arch: str
    checkpoint: Checkpoint | None = None  # None: untrained (random weights, seeded)
    seed: int = 0


@dataclass(frozen=True)
class ExportOptions:
    name: str
    out_root: Path = Path("engines")
    classes: tuple[str, ...] = COMPOUND_CLASSES
    colour: str = "bgr"
    mean: tuple[float, ...] = REFERENCE_MEAN
    std: tuple[float, ...] = REFERENCE_STD
    size: tuple[int, int] = (224, 224)
    alignment_scale: float = 1.0
    alignment_shift_y: float = 0.0
    fp16: bool = True
    fused: bool = False
    fusion: str = "majority"
    faces: tuple[Path, ...] = ()  # empty: the bundled sample faces
    parity_faces: int = MIN_FACES
    force: bool = False
    description: str = ""
    weights: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The name becomes a folder under out_root: no separators, no '..', nothing hidden or empty.
        if not PACK_NAME.fullmatch(self.name):
            raise ExportError(
                f"bad pack name '{self.name[:80]}'; give letters, digits, '.', '_' or '-' (at most 64, "
                "not starting with '.' or '-'), e.g. --name my_pack"
            )


@dataclass(frozen=True)
class ExportResult:
    path: Path
    parity: dict[str, dict]


Progress = Callable[[str], None]


def _write(folder: Path, name: str, data: bytes) -> dict[str, str]:
    (folder / name).write_bytes(data)
    return {"file": name, "sha256": sha256(data)}


def _state_bytes(model: nn.Module) -> bytes:
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.getvalue()


def export_pack(
    members: list[MemberInput],
    options: ExportOptions,
    progress: Progress = lambda _: None,
) -> ExportResult:
    if not members:
        raise ExportError("nothing to export; pass checkpoints or --random ARCH")
    names = [m.name for m in members]
    if len(set(names)) != len(names):
        raise ExportError(f"member names repeat ({names}); give each checkpoint its own architecture or name")
    if sorted(options.classes) != sorted(COMPOUND_CLASSES):
        raise ExportError(
            f"--classes must be the seven compound classes in the checkpoints' order, got {list(options.classes)}"
        )
    target = options.out_root / options.name
    if target.exists() and not options.force:
        raise ExportError(f"'{target}' exists; choose another --name or pass --force to replace it")
    progress("finding and aligning faces for the parity check")
    tensors = face_tensors(options)
    with staged(options.out_root, options.name) as staging:
        staging.mkdir()
        entries, parity, fp32_models = [], {}, []
        for member in members:
            progress(f"{member.name}: building ({member.arch})")
            model = (
                to_module(member.checkpoint) if member.checkpoint else random_member(member.arch, member.seed, tensors)
            )
            meta = _metadata(member, options)
            progress(f"{member.name}: exporting ONNX (opset {OPSET})")
            proto = to_onnx(model, options.size, meta)
            fp32 = proto.SerializeToString()
            half = to_fp16(proto).SerializeToString() if options.fp16 else None
            progress(f"{member.name}: parity on {len(tensors)} faces")
            reference = torch_probs(model, tensors)
            parity[member.name] = check_member(
                member.name,
                reference,
                onnx_probs(fp32, tensors),
                onnx_probs(half, tensors) if half else None,
                enforce_fp16=member.checkpoint is not None,
                exact=lambda m=model: float64_probs(m, tensors),
            )
            entry = _entry(member, options, _write(staging, f"{member.name}.onnx", fp32))
            entry["verification"] = {
                "reference": "torch fp32 on the same aligned faces",
                **parity[member.name],
            }
            if half:
                entry["fp16"] = _write(staging, f"{member.name}.fp16.onnx", half)
            entry["torch"] = {
                "arch": member.arch,
                **_write(staging, f"{member.name}.pth", _state_bytes(model)),
            }
            entries.append(entry)
            fp32_models.append((member.name, proto))
            del model
        manifest = _manifest(options, entries, len(tensors))
        if options.fused:
            progress("fusing the members into one graph")
            fused = fuse_members(fp32_models, {"producer": PRODUCER, "members": ",".join(names)})
            manifest["fused"] = {
                **_write(staging, "ensemble.onnx", fused.SerializeToString()),
                "members": names,
                "input": INPUT,
            }
        publish(staging, manifest, target)
    return ExportResult(path=target, parity=parity)


def _source(member: MemberInput) -> str:
    return member.checkpoint.path.name if member.checkpoint else f"untrained: random init, seed {member.seed}"


def _metadata(member: MemberInput, options: ExportOptions) -> dict[str, str]:
    return {
        "producer": PRODUCER,
        "member": member.name,
        "arch": member.arch,
        "classes": ",".join(options.classes),
        "input_size": f"{options.size[0]}x{options.size[1]}",
        "colour": options.colour,
        "mean": ",".join(map(str, options.mean)),
        "std": ",".join(map(str, options.std)),
        "source": _source(member),
    }


def _entry(member: MemberInput, options: ExportOptions, files: dict[str, str]) -> dict:
    return {
        "name": member.name,
        **files,
        "source": _source(member),
        "trained": member.checkpoint is not None,
        "weight": options.weights.get(member.name, 1.0),
        "input": {
            "size": list(options.size),
            "colour": options.colour,
            "mean": list(options.mean),
            "std": list(options.std),
        },
        "alignment": {
            "template": "arcface",
            "scale": options.alignment_scale,
            "shift_y": options.alignment_shift_y,
        },
        "output": {"kind": "compound_logits", "classes": list(options.classes)},
    }


def _manifest(options: ExportOptions, entries: list[dict], faces: int) -> dict:
    default = json.loads((find_pack("default") / MANIFEST).read_text(encoding="utf-8"))
    untrained = [e["name"] for e in entries if not e["trained"]]
    description = options.description or (
        f"{len(entries)}-CNN ensemble ({', '.join(e['name'] for e in entries)})"
        + (f"; UNTRAINED members {untrained}: for testing the machinery, labels are meaningless" if untrained else "")
    )
    return {
        "format": FORMAT,
        "name": options.name,
        "description": description,
        "producer": f"{PRODUCER} cer-live export",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "detector": default["detector"],
        "members": entries,
        "fusion": options.fusion,
        "parity": {
            "faces": faces,
            "fp32_max_abs_diff_limit": FP32_MAX_ABS_DIFF,
            "fp16_min_top1": FP16_MIN_TOP1,
            "fp16_tie_margin": FP16_TIE_MARGIN,
        },
    }


def face_tensors(options: ExportOptions) -> np.ndarray:
    """The parity faces, aligned and preprocessed as the members will see them at run time."""
    template = loosen(ARCFACE_TEMPLATE, options.alignment_scale, options.alignment_shift_y)
    crops = collect_faces(
        list(options.faces) or default_sources(),
        options.parity_faces,
        template,
        options.size,
    )
    return to_tensor(crops, options.colour, options.mean, options.std)
