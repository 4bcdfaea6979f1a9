"""A pack -> the same pack with an INT8 variant of every member, and the agreement measured.

The new pack keeps every file of the original (linked, not copied, where the disk allows),
so `--precision fp32` still runs it; the runtime loads only the precision in use.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .. import PRODUCER
from ..errors import QuantizeError
from ..models.integrity import VerifiedFile
from ..models.packs import MANIFEST, MemberSpec, Pack, load_pack, sha256
from .agreement import Agreement, compare, compound_probs, fused
from .calibration import HELD_OUT_EVERY, FaceSets, collect
from .quantize import method, quantize
from .staging import publish, staged

Progress = Callable[[str], None]


@dataclass(frozen=True)
class QuantizeOptions:
    pack: str
    calibration: tuple[Path, ...]
    name: str
    out_root: Path = Path("engines")
    faces: int = 300  # calibration faces; a third as many more are held out
    min_agreement: float = 0.98  # top-1, INT8 against fp32, per member
    force: bool = False  # keep members below min_agreement


@dataclass(frozen=True)
class MemberResult:
    name: str
    fp32_bytes: int
    int8_bytes: int
    agreement: Agreement
    accepted: bool  # at or above the limit


@dataclass(frozen=True)
class QuantizeResult:
    path: Path
    members: tuple[MemberResult, ...]
    fused: Agreement
    calibration_faces: int
    held_out_faces: int


def _link_tree(source: Path, target: Path) -> None:
    """Every file of the original pack; hard links where the disk allows, as nothing writes to them."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link, ignore=shutil.ignore_patterns(MANIFEST, ".*"))


def _write(folder: Path, name: str, data: bytes) -> VerifiedFile:
    path = folder / name
    path.unlink(missing_ok=True)  # a link to the original pack's file must not be written through
    path.write_bytes(data)
    return VerifiedFile(path, sha256(data))


def _group(sets: FaceSets, index: int) -> int:
    return next(g for g, members in enumerate(sets.preprocessor.groups.values()) if index in members)


def _refusal(spec: MemberSpec, a: Agreement, limit: float) -> QuantizeError:
    return QuantizeError(
        f"member '{spec.name}': INT8 agrees with fp32 on the top class for {a.top1_agreement:.1%} of {a.faces} "
        f"held-out faces (limit {limit:.1%}; max |delta p| {a.max_abs_delta_p:.3f}); calibrate on more or other "
        "faces, or pass --force to keep it; no pack was written"
    )


def _member(
    spec: MemberSpec, sets: FaceSets, index: int, staging: Path, options: QuantizeOptions, progress: Progress
) -> tuple[MemberResult, VerifiedFile, np.ndarray, np.ndarray]:
    g = _group(sets, index)
    calibration, held_out = sets.calibration.tensors[g], sets.held_out.tensors[g]
    progress(f"{spec.name}: calibrating and quantizing on {len(calibration)} faces")
    fp32 = spec.model.read()
    data = quantize(
        fp32, calibration, f"member '{spec.name}'", {"member": spec.name, "classes": ",".join(spec.classes)}
    )
    file = _write(staging, f"{spec.name}.int8.onnx", data)
    progress(f"{spec.name}: INT8 against fp32 on {len(held_out)} held-out faces")
    p32 = compound_probs(spec, "fp32", held_out)
    p8 = compound_probs(replace(spec, int8=file), "int8", held_out)
    agreement = compare(p32, p8)
    accepted = agreement.top1_agreement >= options.min_agreement
    if not accepted and not options.force:
        raise _refusal(spec, agreement, options.min_agreement)
    return MemberResult(spec.name, len(fp32), len(data), agreement, accepted), file, p32, p8


def quantize_pack(options: QuantizeOptions, progress: Progress = lambda _: None) -> QuantizeResult:
    pack = load_pack(options.pack)
    target = options.out_root / options.name
    if target.exists():
        raise QuantizeError(f"'{target}' exists; choose another --name or --out (a pack is never replaced)")
    if not options.calibration:
        raise QuantizeError("no --calibration media; give videos or photos with faces like those the pack will see")
    progress("finding and aligning faces with the pack's detector")
    sets = collect(pack, list(options.calibration), options.faces)
    if set(sets.calibration.ids) & set(sets.held_out.ids):
        raise QuantizeError("internal: held-out faces overlap the calibration faces")  # by construction never
    with staged(options.out_root, options.name) as staging:
        _link_tree(pack.path, staging)
        manifest = copy.deepcopy(pack.manifest)
        results, p32s, p8s = [], [], []
        for i, spec in enumerate(pack.members):
            result, file, p32, p8 = _member(spec, sets, i, staging, options, progress)
            results.append(result)
            p32s.append(p32)
            p8s.append(p8)
            manifest["members"][i]["int8"] = {
                "file": file.path.name,
                "sha256": file.sha256,
                "agreement": {**result.agreement.as_dict(), "below_limit_kept": not result.accepted},
            }
        weights = [spec.weight for spec in pack.members]
        whole = compare(fused(p32s, pack.fusion, weights), fused(p8s, pack.fusion, weights))
        manifest.update(_header(pack, options, sets, whole))
        publish(staging, manifest, target)
    return QuantizeResult(target, tuple(results), whole, len(sets.calibration.ids), len(sets.held_out.ids))


def _header(pack: Pack, options: QuantizeOptions, sets: FaceSets, whole: Agreement) -> dict:
    source_manifest = (pack.path / MANIFEST).read_bytes()
    return {
        "name": options.name,
        "description": f"{pack.description}; with INT8 members (static, QDQ) for the CPU",
        "producer": f"{PRODUCER} cer-live packs quantize",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "int8": {
            "method": method(),
            "quantized_from": {"pack": pack.name, "manifest_sha256": sha256(source_manifest)},
            "calibration": {
                "faces": len(sets.calibration.ids),
                "sha256": sets.calibration.sha256,
                "media": list(sets.media),
            },
            "held_out": {
                "faces": len(sets.held_out.ids),
                "sha256": sets.held_out.sha256,
                "split": f"every {HELD_OUT_EVERY}th stretch of consecutive faces; none was used to calibrate",
            },
            "min_top1_agreement": options.min_agreement,
            "forced": options.force,
            "fused": {"rule": pack.fusion, **whole.as_dict()},
        },
    }
