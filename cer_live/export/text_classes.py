"""CLIP weights + classes described in words -> a pack with one ONNX member (EmoCLIP-style).

Everything checkable (the class file, the pack names, the base pack) is checked before the
weights are read; the pack is written to a staging folder, validated by the runtime's own
loader and only then renamed into place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import PRODUCER
from ..classes import BASIC_CLASSES, COMPOUND_CLASSES, COMPOUND_COMPONENTS
from ..errors import ExportError
from ..faces.templates import ARCFACE_TEMPLATE, loosen
from ..models.fusion import RULES as FUSION_RULES
from ..models.packs import FORMAT, MANIFEST, Pack, find_pack, load_pack, sha256
from ..models.preprocess import to_tensor
from .class_text import ClassSet, read_class_set
from .faces import collect_faces, default_sources
from .staging import publish, staged
from .text_parity import check_text_member

COLOUR = "rgb"  # CLIP was trained on RGB images


@dataclass(frozen=True)
class TextClassOptions:
    clip: str
    weights: Path
    classes: Path
    name: str
    out_root: Path = Path("engines")
    member: str = ""  # default: clip_<arch>
    prefix: str = ""  # keys of a wrapped model's state dict that hold the CLIP
    alignment_scale: float = 0.8
    with_pack: str | None = None  # keep this pack's members and add the CLIP member to them
    fusion: str | None = None  # default: the base pack's rule, else mean
    faces: tuple[Path, ...] = ()  # parity faces; empty: the bundled samples
    force: bool = False

    @property
    def member_name(self) -> str:
        return self.member or "clip_" + self.clip.lower().replace("-", "_").replace("/", "_")


@dataclass(frozen=True)
class TextClassResult:
    path: Path
    member: str
    parity: dict[str, dict]


Progress = Callable[[str], None]


def check_runtime_fit(classes: ClassSet) -> None:
    """The runtime reports the seven ABAW compounds and the seven basic emotions; refuse what it cannot."""
    if classes.compound and sorted(classes.compound_names) != sorted(COMPOUND_CLASSES):
        raise ExportError(
            f"the [[compound]] classes {list(classes.compound_names)} are not the seven ABAW compounds "
            f"{list(COMPOUND_CLASSES)}, which are what the runtime reports; rename them (see docs/emoclip.md)"
        )
    outside = sorted(set(classes.basic_names) - set(BASIC_CLASSES))
    if outside:
        raise ExportError(f"basic class(es) {outside} are not among {list(BASIC_CLASSES)}; rename them")
    needed = sorted({c for pair in COMPOUND_COMPONENTS for c in pair} - set(classes.basic_names))
    if not classes.compound and needed:
        raise ExportError(
            f"with no [[compound]] class the runtime composes compounds from basic probabilities and needs {needed}"
        )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_names(options: TextClassOptions, base: Pack | None) -> str:
    target = options.out_root / options.name
    if target.exists() and not options.force:
        raise ExportError(f"'{target}' exists; choose another --name or pass --force to replace it")
    if base is not None and base.path.resolve() == target.resolve():
        raise ExportError(f"--with-pack '{base.name}' would be replaced by the new pack; choose another --name")
    if base is not None and options.member_name in [m.name for m in base.members]:
        raise ExportError(f"pack '{base.name}' already has a member '{options.member_name}'; pass --member NAME")
    fusion = options.fusion or (base.fusion if base else "mean")
    if fusion not in FUSION_RULES:
        raise ExportError(f"unknown --fusion '{fusion}' ({', '.join(FUSION_RULES)})")
    return fusion


def build_text_class_pack(options: TextClassOptions, progress: Progress = lambda _: None) -> TextClassResult:
    from .clip_weights import load_clip  # torch and open_clip: only once the inputs are known good

    class_set = read_class_set(options.classes)
    check_runtime_fit(class_set)
    base = load_pack(options.with_pack) if options.with_pack else None
    fusion = _check_names(options, base)
    progress(f"reading {options.weights.name} into {options.clip}")
    model = load_clip(options.clip, options.weights, options.prefix)
    weights_sha = file_sha256(options.weights)
    progress("encoding the class descriptions")
    embeddings = _embeddings(model, options.clip, class_set)
    template = loosen(ARCFACE_TEMPLATE, options.alignment_scale)
    size, mean, std = _preprocessing(model)
    progress("finding and aligning faces for the parity check")
    crops = collect_faces(list(options.faces) or default_sources(), 64, template, size)
    tensors = to_tensor(crops, COLOUR, mean, std)
    progress(f"exporting {options.member_name} to ONNX and checking parity on {len(tensors)} faces")
    onnx_bytes, parity, logit_scale = check_text_member(
        options.member_name, model, class_set, embeddings, size, tensors
    )
    entry = _entry(options, class_set, embeddings, (size, mean, std), logit_scale, weights_sha)
    entry["verification"] = {"reference": "torch fp32 on the same aligned faces", **parity}
    path = _write_pack(options, base, fusion, entry, onnx_bytes)
    return TextClassResult(path=path, member=options.member_name, parity=parity)


def _embeddings(model, arch: str, class_set: ClassSet) -> dict[str, np.ndarray]:
    import open_clip

    from .text_embeddings import class_embeddings

    try:
        tokenizer = open_clip.get_tokenizer(arch)
    except Exception as exc:  # a Hugging Face tokenizer that is not cached locally tries the network
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ExportError(
            f"cannot load the tokenizer of {arch} offline ({first}); choose an OpenAI-style CLIP"
        ) from exc
    return class_embeddings(model, tokenizer, class_set)


def _preprocessing(model) -> tuple[tuple[int, int], tuple[float, ...], tuple[float, ...]]:
    """CLIP's own input size and normalisation (open_clip records them on the image tower)."""
    import open_clip

    side = model.visual.image_size
    height, width = (side, side) if isinstance(side, int) else tuple(side)
    mean = tuple(float(v) for v in getattr(model.visual, "image_mean", None) or open_clip.OPENAI_DATASET_MEAN)
    std = tuple(float(v) for v in getattr(model.visual, "image_std", None) or open_clip.OPENAI_DATASET_STD)
    return (int(width), int(height)), mean, std


def _entry(
    options: TextClassOptions,
    class_set: ClassSet,
    embeddings: dict[str, np.ndarray],
    preprocessing: tuple,
    logit_scale: float,
    weights_sha: str,
) -> dict:
    size, mean, std = preprocessing
    compound = bool(class_set.compound)
    output = {
        "kind": "compound_probabilities" if compound else "basic_probabilities",
        "classes": list(class_set.compound_names if compound else class_set.basic_names),
    }
    if compound:
        output["basic_classes"] = list(class_set.basic_names)
    return {
        "name": options.member_name,
        "source": f"open_clip {options.clip}, weights {options.weights.name}",
        "trained": True,
        "weight": 1.0,
        "input": {"size": list(size), "colour": COLOUR, "mean": list(mean), "std": list(std)},
        "alignment": {"template": "arcface", "scale": options.alignment_scale, "shift_y": 0.0},
        "output": output,
        "text_classes": {
            "clip": options.clip,
            "weights": {"file": options.weights.name, "sha256": weights_sha, "prefix": options.prefix},
            "logit_scale": logit_scale,
            "classes_file": {"file": Path(class_set.source).name, "sha256": file_sha256(Path(class_set.source))},
            "classes": [_class_record(c, "basic", embeddings) for c in class_set.basic]
            + [_class_record(c, "compound", embeddings) for c in class_set.compound],
        },
    }


def _class_record(c, kind: str, embeddings: dict[str, np.ndarray]) -> dict:
    record = {"name": c.name, "kind": kind, "rule": c.rule, "descriptions": list(c.descriptions)}
    if c.of is not None:
        record["of"] = list(c.of)
    record["embedding"] = [float(v) for v in embeddings[c.name]]
    return record


def _manifest(options: TextClassOptions, base: Pack | None, fusion: str, entry: dict) -> dict:
    detector = (
        base.manifest["detector"] if base else json.loads((find_pack("default") / MANIFEST).read_bytes())["detector"]
    )
    members = [*(base.manifest["members"] if base else []), entry]
    what = f"classes described in words, scored by CLIP {options.clip}"
    return {
        "format": FORMAT,
        "name": options.name,
        "description": f"{base.description} + {what}" if base else what,
        "producer": f"{PRODUCER} cer-live packs text-classes",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "detector": detector,
        "members": members,
        "fusion": fusion,
        **({k: base.manifest[k] for k in ("fused", "parity") if k in base.manifest} if base else {}),
    }


def _write_pack(options: TextClassOptions, base: Pack | None, fusion: str, entry: dict, onnx_bytes: bytes) -> Path:
    target = options.out_root / options.name
    with staged(options.out_root, options.name) as staging:
        if base is not None:
            shutil.copytree(base.path, staging, ignore=shutil.ignore_patterns(MANIFEST))
        else:
            staging.mkdir()
        file = f"{options.member_name}.onnx"
        if (staging / file).exists():
            raise ExportError(f"pack '{base.name if base else ''}' already holds '{file}'; pass --member NAME")
        (staging / file).write_bytes(onnx_bytes)
        entry.update(file=file, sha256=sha256(onnx_bytes))
        manifest = _manifest(options, base, fusion, entry)
        publish(staging, manifest, target)
    return target
