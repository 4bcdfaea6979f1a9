"""`cer-live packs import hsemotion MODEL.onnx ...`: the HSEmotion team's ONNX models as a pack.

Users download the files themselves (see docs/hsemotion.md); nothing is fetched here. Each file
is checked against the model it is named after (from its file name, or --model-name): its real
input and output shapes, found by running one blank face through it, must be those of that
model. The pack is built in a hidden folder, validated by the runtime's own loader, then renamed
into place, so a failed import leaves nothing behind and never replaces an existing pack.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import PRODUCER
from ..errors import PackError
from ..models.packs import FORMAT, MANIFEST, find_pack, load_pack, sha256

FAMILIES = ("hsemotion",)
EIGHT = ("Anger", "Contempt", "Disgust", "Fear", "Happiness", "Neutral", "Sadness", "Surprise")
SEVEN = tuple(c for c in EIGHT if c != "Contempt")
TO_BASIC = {
    "Anger": "angry",
    "Contempt": "contempt",
    "Disgust": "disgust",
    "Fear": "fear",
    "Happiness": "happy",
    "Neutral": "neutral",
    "Sadness": "sad",
    "Surprise": "surprise",
}
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)  # ImageNet, on RGB scaled to [0, 1]
LICENCE = "Apache-2.0"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class HseModel:
    size: int  # square input side
    classes: tuple[str, ...]
    va: bool  # two more outputs: valence, arousal

    @property
    def outputs(self) -> int:
        return len(self.classes) + (2 if self.va else 0)

    def describe(self) -> str:
        return f"{len(self.classes)} logits" + (" + valence, arousal" if self.va else "")


MODELS = {
    "enet_b0_8_best_vgaf": HseModel(224, EIGHT, False),
    "enet_b0_8_best_afew": HseModel(224, EIGHT, False),
    "enet_b0_8_va_mtl": HseModel(224, EIGHT, True),
    "enet_b2_8": HseModel(260, EIGHT, False),
    "enet_b2_7": HseModel(260, SEVEN, False),
}


@dataclass(frozen=True)
class ImportRequest:
    files: tuple[Path, ...]
    name: str
    out_root: Path
    model_names: tuple[str, ...] = ()  # one per file; empty: from the file names
    margin: float = 0.0


def plan(request: ImportRequest) -> list[tuple[Path, str, HseModel]]:
    """(file, model name, model) per file; every argument is checked before any file is read."""
    if not _NAME.match(request.name):
        raise PackError(f"--name '{request.name}' must be a folder name (letters, digits, '.', '_', '-')")
    target = request.out_root / request.name
    if target.exists():
        raise PackError(f"'{target}' exists; choose another --name or --out (packs are never replaced)")
    if request.model_names and len(request.model_names) != len(request.files):
        raise PackError(
            f"{len(request.model_names)} --model-name for {len(request.files)} files; give one per file, in order"
        )
    if not 0.0 <= request.margin <= 1.0:
        raise PackError(f"--margin {request.margin} must be from 0 to 1 (a fraction of the box on each side)")
    out = []
    for i, path in enumerate(request.files):
        if not path.is_file():
            raise PackError(f"'{path}' does not exist or is not a file; give the path of a downloaded .onnx model")
        model_name = request.model_names[i] if request.model_names else path.stem
        if model_name not in MODELS:
            raise PackError(
                f"'{path.name}': unknown HSEmotion model '{model_name}' ({', '.join(MODELS)}); "
                "pass --model-name to say which one the file is"
            )
        out.append((path, model_name, MODELS[model_name]))
    names = [n for _, n, _ in out]
    if len(set(names)) != len(names):
        raise PackError(f"the same model is given twice ({names}); a pack holds each model once")
    return out


def check_shapes(path: Path, model_name: str, model: HseModel) -> None:
    """The file's declared input and its real output on one blank face must be the named model's."""
    import onnxruntime as ort

    want_in = f"batch x 3 x {model.size} x {model.size}"
    try:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises several unrelated types for bad files
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PackError(f"'{path.name}' is not a model onnxruntime can load ({first}); download it again") from exc
    inp = session.get_inputs()[0]
    dims = list(inp.shape)
    # Symbolic dimensions (names, None) are left to the run below; fixed ones must match.
    fits = len(dims) == 4 and all(
        not isinstance(d, int) or d == w for d, w in zip(dims[1:], (3, model.size, model.size), strict=False)
    )
    if not fits:
        shown = " x ".join(str(d) for d in dims)
        raise PackError(
            f"'{path.name}' takes {shown} but {model_name} takes {want_in}; pass the right --model-name or file"
        )
    try:
        blank = np.zeros((1, 3, model.size, model.size), np.float32)
        out = session.run(None, {inp.name: blank})[0]
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PackError(
            f"'{path.name}' does not run on {want_in} as {model_name} must ({first}); pass the right --model-name or file"
        ) from exc
    if out.shape != (1, model.outputs):
        raise PackError(
            f"'{path.name}' gives {out.shape[-1] if out.ndim else 0} outputs per face (shape {list(out.shape)}) "
            f"but {model_name} gives {model.outputs} ({model.describe()}); pass the right --model-name or file"
        )


def member_entry(file: str, digest: str, source: Path, model_name: str, model: HseModel, margin: float) -> dict:
    output: dict[str, Any] = {
        "kind": "basic_probabilities",
        "activation": "softmax",
        "classes": list(model.classes),
        "map": {c: TO_BASIC[c] for c in model.classes},
    }
    if model.va:
        n = len(model.classes)
        output["valence_arousal"] = [n, n + 1]
    return {
        "name": model_name,
        "file": file,
        "sha256": digest,
        "source": f"HSEmotion {model_name} ({LICENCE}), imported from {source.name}",
        "input": {"size": [model.size, model.size], "colour": "rgb", "mean": list(MEAN), "std": list(STD)},
        "crop": {"kind": "box", "margin": margin},
        "output": output,
    }


def import_pack(request: ImportRequest, progress: Any = lambda _: None) -> Path:
    """Checks everything, then writes OUT/NAME/ (manifest, the ONNX copies, a NOTICE); returns its path."""
    planned = plan(request)
    for path, model_name, model in planned:
        progress(f"checking {path.name} as {model_name} ({model.size}x{model.size}, {model.describe()})")
        check_shapes(path, model_name, model)
    default = json.loads((find_pack("default") / MANIFEST).read_text(encoding="utf-8"))
    detector = default["detector"]
    if "file" in detector:
        raise PackError("the default pack's detector is a file; import into a pack needs the built-in RetinaFace")
    target = request.out_root / request.name
    request.out_root.mkdir(parents=True, exist_ok=True)
    staging = request.out_root / f".{request.name}.importing-{os.getpid()}"
    staging.mkdir()
    try:
        members = []
        for path, model_name, model in planned:
            progress(f"copying {path.name}")
            data = path.read_bytes()
            (staging / f"{model_name}.onnx").write_bytes(data)
            members.append(member_entry(f"{model_name}.onnx", sha256(data), path, model_name, model, request.margin))
        manifest = _manifest(request.name, detector, members)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        (staging / "NOTICE").write_text(_notice(members), encoding="utf-8")
        load_pack(str(staging))  # the runtime's own validation, before the pack is visible
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _manifest(name: str, detector: dict, members: list[dict]) -> dict:
    return {
        "format": FORMAT,
        "name": name,
        "description": f"RetinaFace + HSEmotion {', '.join(m['name'] for m in members)}; "
        "compounds from basic probabilities (mean rule)",
        "producer": f"{PRODUCER} cer-live packs import hsemotion",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "detector": detector,
        "members": members,
        "fusion": "mean",
    }


def _notice(members: list[dict]) -> str:
    names = ", ".join(m["name"] for m in members)
    return (
        f"The models in this pack ({names}) are the HSEmotion team's (A. V. Savchenko et al.),\n"
        f"released under the {LICENCE} licence in the face-emotion-recognition / hsemotion-onnx /\n"
        "EmotiEffLib repositories. The files were supplied by the user and copied unchanged;\n"
        "their sha256 digests are in pack.json.\n"
    )
