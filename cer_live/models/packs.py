"""Model packs: the manifest schema, where packs are found, and validation at load.

A pack is a folder holding `pack.json` and the ONNX files it names. The manifest says
everything the runtime needs (preprocessing, alignment, output kind, class order); nothing
is guessed from tensor shapes or node names.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..classes import BASIC_CLASSES, COMPOUND_CLASSES
from ..errors import PackError
from ..face_common.detector_config import DETECTORS, DetectorConfig
from ..face_common.templates import TEMPLATES, loosen
from .backends.base import ModelSource
from .basic_to_compound import BasicOutput, read_basic_output
from .integrity import Verified, VerifiedFile, VerifiedPythonBytes
from .integrity import sha256 as sha256  # the pack digest, for recipes and tests
from .onnx_meta import OnnxFormatError, read_info
from .preprocess_box import read_crop

log = logging.getLogger(__name__)

MANIFEST = "pack.json"
FORMAT = "cer-live-pack/1"
OUTPUT_KINDS = ("basic_probabilities", "compound_logits", "compound_probabilities")
COLOURS = ("bgr", "rgb", "gray")
# Every key a manifest may hold, per object: a misspelt key is an error, never silently ignored.
_MODEL = ("file", "python_bytes", "sha256", "source")
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    MANIFEST: ("format", "name", "description", "producer", "created", "detector", "members", "fusion", "parity", "fused", "int8"),
    "detector": ("kind", *_MODEL, "mean_bgr", "steps", "min_sizes", "variances", "input_long_side", "score_threshold", "nms_threshold"),
    "member": ("name", *_MODEL, "trained", "weight", "input", "alignment", "output", "verification", "fp16", "torch", "crop", "int8", "text_classes"),
    "input": ("size", "colour", "mean", "std"),
    "output": ("kind", "classes", "map", "activation", "valence_arousal", "basic_classes"),
    "alignment": ("template", "scale", "shift_y"),
    "fp16": ("file", "sha256"),
    "int8": ("file", "sha256", "agreement"),
    "torch": ("arch", "file", "sha256"),
}  # fmt: skip


@dataclass(frozen=True)
class MemberSpec:
    name: str
    model: Verified  # read (and checked) when an engine loads it; never held
    size: tuple[int, int]  # width, height
    colour: str
    mean: tuple[float, ...]  # applied after scaling pixels to [0, 1]
    std: tuple[float, ...]
    template: np.ndarray  # (5, 2) unit coordinates
    output_kind: str
    classes: tuple[str, ...]
    weight: float = 1.0
    fp16: VerifiedFile | None = None  # the FP16 ONNX variant, when exported
    int8: VerifiedFile | None = None  # the static INT8 variant, from `cer-live packs quantize`
    torch_arch: str | None = None  # torchvision architecture, for the torch backend
    torch_weights: VerifiedFile | None = None  # its state_dict
    crop: str = "aligned"  # aligned | box (see preprocess_box.py)
    margin: float = 0.0  # box crops: grown by this fraction of the box on each side
    basic_output: BasicOutput | None = None  # basic members: activation, extras, valence-arousal
    basic_classes: tuple[str, ...] = ()  # a compound member's second output: basic probabilities, this order

    @property
    def sha256(self) -> str:  # noqa: F811 (a property; the module's sha256 is the function)
        return self.model.sha256

    @property
    def source(self) -> ModelSource:
        return ModelSource(
            onnx=self.model,
            label=f"member '{self.name}'",
            onnx_fp16=self.fp16,
            onnx_int8=self.int8,
            torch_arch=self.torch_arch,
            torch_weights=self.torch_weights,
        )

    @property
    def preprocess_key(self) -> tuple:
        """Members with equal keys share one preprocessed batch."""
        return (self.size, self.colour, self.mean, self.std, self.template.tobytes(), self.crop, self.margin)


@dataclass(frozen=True)
class DetectorSpec:
    model: Verified  # checked when the detector's engine loads it
    config: DetectorConfig
    kind: str = "retinaface"  # the front end a run uses unless --detector says otherwise

    @property
    def sha256(self) -> str:  # noqa: F811 (a property; the module's sha256 is the function)
        return self.model.sha256


@dataclass(frozen=True)
class Pack:
    name: str
    path: Path
    description: str
    detector: DetectorSpec
    members: tuple[MemberSpec, ...]
    fusion: str
    manifest: dict[str, Any]


def search_path(extra: list[Path] | None = None) -> list[Path]:
    """Folders searched for packs by name, first match wins. The current folder comes last,
    so a folder someone left there never shadows an installed pack."""
    paths = list(extra or [])
    env = os.environ.get("CER_LIVE_PACKS")
    if env:
        paths += [Path(p) for p in env.split(os.pathsep) if p]
    paths.append(Path(__file__).resolve().parents[2] / "engines")  # a source checkout
    paths.append(Path(sys.prefix) / "share" / "cer-live" / "engines")  # a wheel install
    paths.append(Path.cwd() / "engines")
    unique: list[Path] = []
    for p in paths:
        if p.resolve() not in [u.resolve() for u in unique]:
            unique.append(p)
    return unique


def list_packs() -> list[Path]:
    found: dict[str, Path] = {}
    for root in search_path():
        if root.is_dir():
            for manifest in sorted(root.glob(f"*/{MANIFEST}")):
                found.setdefault(manifest.parent.name, manifest.parent)
    return list(found.values())


def read_listing(path: Path) -> str:
    """One tab-separated line about a pack from its manifest alone: nothing is read or hashed."""
    try:
        m = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        members = m["members"]
        return f"{m.get('name', path.name)}\t{len(members)} member(s)\t{path}\t{m.get('description', '')}"
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        return (
            f"{path.name}\tINVALID: {MANIFEST} is unreadable ({type(exc).__name__}); run 'cer-live packs show {path}'"
        )


def find_pack(name_or_path: str) -> Path:
    """A path (it holds a separator) is that folder; a bare name is looked up on the search
    path first and in the current folder last; when it is found in several places, the log
    says which one is used."""
    candidate = Path(name_or_path).expanduser()
    bare = candidate.name == name_or_path and name_or_path not in (".", "..")
    found = (
        [root / name_or_path for root in search_path() if (root / name_or_path / MANIFEST).is_file()] if bare else []
    )
    if (
        candidate.is_dir()
        and (candidate / MANIFEST).is_file()
        and candidate.resolve() not in [f.resolve() for f in found]
    ):
        found.append(candidate.absolute())
    if len(found) > 1:
        others = ", ".join(f"'{f}'" for f in found[1:])
        log.warning("pack '%s' is in several places; using '%s' (also in %s)", name_or_path, found[0], others)
    if found:
        return found[0]
    if candidate.is_dir():
        raise PackError(f"'{candidate}' has no {MANIFEST}; point --pack at a pack folder or name")
    known = ", ".join(p.name for p in list_packs()) or "none found"
    raise PackError(f"unknown pack '{name_or_path}' (known: {known}); run 'cer-live packs list'")


def load_pack(name_or_path: str) -> Pack:
    path = find_pack(name_or_path)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackError(f"pack '{path.name}': {MANIFEST} is not valid JSON ({exc}); restore it") from exc
    reader = _Reader(path, manifest)
    return reader.pack()


class _Reader:
    """Validates one manifest; every error names the pack, the field and the fix."""

    def __init__(self, path: Path, manifest: Any) -> None:
        self.path = path
        self.manifest = manifest

    def fail(self, where: str, problem: str) -> PackError:
        return PackError(f"pack '{self.path.name}': {where}: {problem}")

    def field(self, obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
        if not isinstance(obj, dict) or key not in obj:
            raise self.fail(where, f"missing '{key}'; see the pack format in docs/packs.md")
        value = obj[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.fail(where, f"'{key}' has the wrong type ({type(value).__name__})")
        return value

    def keys(self, obj: Any, kind: str, where: str) -> None:
        """An unknown key is an error naming it and the nearest known one."""
        if not isinstance(obj, dict):
            return  # `field` names the wrong type
        known = KNOWN_KEYS[kind]
        for key in obj:
            if key not in known:
                near = difflib.get_close_matches(str(key), known, n=1, cutoff=0.5)
                hint = f"did you mean '{near[0]}'?" if near else f"known keys: {', '.join(known)}"
                raise self.fail(where, f"unknown key '{key}' ({hint}); fix the manifest")

    def inside(self, name: str, where: str) -> Path:
        """A file the manifest names: a relative path that stays inside the pack, symlinks resolved."""
        root = self.path.resolve()
        relative = Path(name)
        if relative.is_absolute() or ".." in relative.parts:
            raise self.fail(
                where, f"file '{name}' is not a path inside the pack; name files relative to the pack folder"
            )
        resolved = (root / relative).resolve()
        if not resolved.is_relative_to(root):
            raise self.fail(where, f"file '{name}' leads outside the pack (a symlink); put the file itself in the pack")
        return resolved

    def pack(self) -> Pack:
        m = self.manifest
        self.keys(m, MANIFEST, MANIFEST)
        if isinstance(m.get("fused"), dict) and isinstance(m["fused"].get("file"), str):
            self.inside(m["fused"]["file"], "fused")  # read by no runtime path, but it must not point outside
        fmt = self.field(m, "format", str, MANIFEST)
        if fmt != FORMAT:
            raise self.fail(MANIFEST, f"format '{fmt}' is not '{FORMAT}'; re-export the pack with this cer-live")
        members_raw = self.field(m, "members", list, MANIFEST)
        if not members_raw:
            raise self.fail(MANIFEST, "lists no members")
        members = tuple(self.member(raw, i) for i, raw in enumerate(members_raw))
        names = [mem.name for mem in members]
        if len(set(names)) != len(names):
            raise self.fail("members", f"member names repeat: {names}")
        fusion = m.get("fusion", "mean")
        if fusion not in ("mean", "weighted_mean", "majority"):
            raise self.fail("fusion", f"unknown rule '{fusion}' (mean, weighted_mean, majority)")
        return Pack(
            name=str(m.get("name", self.path.name)),
            path=self.path,
            description=str(m.get("description", "")),
            detector=self.detector(self.field(m, "detector", dict, MANIFEST)),
            members=members,
            fusion=fusion,
            manifest=m,
        )

    def model_source(self, obj: dict, where: str) -> Verified:
        """Where a model's bytes live; nothing is read, imported or run here."""
        expected = self.field(obj, "sha256", str, where).lower()
        if "file" in obj:
            file = self.inside(self.field(obj, "file", str, where), where)
            if not file.is_file():
                raise self.fail(where, f"file '{file.name}' is missing; restore it or re-export the pack")
            return VerifiedFile(file, expected)
        if "python_bytes" in obj:
            return VerifiedPythonBytes(self.field(obj, "python_bytes", str, where), expected)
        raise self.fail(where, "needs 'file' or 'python_bytes'")

    def verified_bytes(self, model: Verified, where: str) -> bytes:
        try:
            return model.read()
        except PackError as exc:
            raise self.fail(where, str(exc)) from exc

    def detector(self, d: dict) -> DetectorSpec:
        where = "detector"
        self.keys(d, "detector", where)
        kind = self.field(d, "kind", str, where)
        if kind not in DETECTORS:
            raise self.fail(where, f"kind '{kind}' is not supported ({', '.join(DETECTORS)})")
        model = self.model_source(d, where)
        self.verified_bytes(model, where)  # a changed detector fails at load, as a member does
        defaults = DetectorConfig()
        try:
            config = DetectorConfig(
                mean_bgr=tuple(float(v) for v in d.get("mean_bgr", defaults.mean_bgr)),  # type: ignore[arg-type]
                steps=tuple(int(v) for v in d.get("steps", defaults.steps)),
                min_sizes=tuple(tuple(int(s) for s in level) for level in d.get("min_sizes", defaults.min_sizes)),
                variances=tuple(float(v) for v in d.get("variances", defaults.variances)),  # type: ignore[arg-type]
                input_long_side=int(d.get("input_long_side", defaults.input_long_side)),
                score_threshold=float(d.get("score_threshold", defaults.score_threshold)),
                nms_threshold=float(d.get("nms_threshold", defaults.nms_threshold)),
            )
        except (TypeError, ValueError) as exc:
            raise self.fail(where, f"bad value ({exc})") from exc
        if len(config.steps) != len(config.min_sizes) or len(config.mean_bgr) != 3 or len(config.variances) != 2:
            raise self.fail(where, "steps/min_sizes/mean_bgr/variances have inconsistent lengths")
        # Every pack carries the RetinaFace model, so --detector retinaface works with any of them.
        return DetectorSpec(model=model, config=config, kind=kind)

    def member(self, raw: Any, index: int) -> MemberSpec:
        where = f"members[{index}]"
        name = self.field(raw, "name", str, where)
        where = f"member '{name}'"
        self.keys(raw, "member", where)
        model = self.model_source(raw, where)
        inp = self.field(raw, "input", dict, where)
        self.keys(inp, "input", where + ".input")
        size = self.field(inp, "size", list, where + ".input")
        if len(size) != 2 or not all(isinstance(v, int) and 8 <= v <= 2048 for v in size):
            raise self.fail(where, f"input size {size} must be [width, height] in pixels")
        colour = self.field(inp, "colour", str, where + ".input")
        if colour not in COLOURS:
            raise self.fail(where, f"colour '{colour}' is not one of {COLOURS}")
        channels = 1 if colour == "gray" else 3
        mean = tuple(float(v) for v in self.field(inp, "mean", list, where + ".input"))
        std = tuple(float(v) for v in self.field(inp, "std", list, where + ".input"))
        if len(mean) != channels or len(std) != channels or any(s <= 0 for s in std):
            raise self.fail(where, f"mean/std need {channels} value(s), std > 0")
        out = self.field(raw, "output", dict, where)
        self.keys(out, "output", where + ".output")
        kind = self.field(out, "kind", str, where + ".output")
        if kind not in OUTPUT_KINDS:
            raise self.fail(where, f"output kind '{kind}' is not one of {OUTPUT_KINDS}")
        classes = own = tuple(self.field(out, "classes", list, where + ".output"))
        try:  # the helpers' messages start with `where`
            crop, margin = read_crop(raw.get("crop"), where)
            basic_output = read_basic_output(out, classes, where) if kind == "basic_probabilities" else None
        except PackError as exc:
            raise PackError(f"pack '{self.path.name}': {exc}") from exc
        if basic_output is not None:
            classes = basic_output.classes
        elif sorted(classes) != sorted(COMPOUND_CLASSES):
            raise self.fail(where, f"compound classes {list(classes)} do not match the seven ABAW classes")
        basic_classes = tuple(out.get("basic_classes", ()))
        if (kind == "basic_probabilities" and basic_classes) or not set(basic_classes) <= set(BASIC_CLASSES):
            raise self.fail(
                where, f"output.basic_classes {list(basic_classes)} must be drawn from {list(BASIC_CLASSES)}"
            )
        # Read once to check it, then let go: the engine reads (and checks) it again when it loads.
        self.check_onnx(self.verified_bytes(model, where), where, (channels, size[1], size[0]), own)
        return MemberSpec(
            name=name,
            model=model,
            size=(size[0], size[1]),
            colour=colour,
            mean=mean,
            std=std,
            template=self.template(self.field(raw, "alignment", dict, where) if crop == "aligned" else {}, where),
            output_kind=kind,
            classes=classes,
            weight=float(raw.get("weight", 1.0)),
            fp16=self.optional_file(raw.get("fp16"), where + ".fp16"),
            int8=self.optional_file(raw.get("int8"), where + ".int8"),
            torch_arch=raw["torch"].get("arch") if isinstance(raw.get("torch"), dict) else None,
            torch_weights=self.optional_file(raw.get("torch"), where + ".torch"),
            crop=crop,
            margin=margin,
            basic_output=basic_output,
            basic_classes=basic_classes,
        )

    def optional_file(self, obj: Any, where: str) -> VerifiedFile | None:
        """A file that only some backends read: checked for presence now, sha256 when read."""
        if obj is None:
            return None
        self.keys(obj, where.rsplit(".", 1)[1], where)
        file = self.inside(self.field(obj, "file", str, where), where)
        if not file.is_file():
            raise self.fail(where, f"file '{file.name}' is missing; restore it or re-export the pack")
        return VerifiedFile(file, self.field(obj, "sha256", str, where).lower())

    def check_onnx(self, model: bytes, where: str, chw: tuple[int, int, int], classes: tuple[str, ...]) -> None:
        """The ONNX must take the input the manifest describes and declare the same class order."""
        try:
            info = read_info(model)
        except OnnxFormatError as exc:
            raise self.fail(
                where, f"the model file is corrupt or not ONNX ({exc}); restore it or re-export the pack"
            ) from exc
        declared = info.input_shape[1:]
        if len(declared) != 3 or any(isinstance(d, int) and d != want for d, want in zip(declared, chw, strict=False)):
            raise self.fail(
                where,
                f"the ONNX input is {'x'.join(map(str, info.input_shape))} but the manifest says "
                f"batch x {'x'.join(map(str, chw))}; fix input.size/colour or re-export the pack",
            )
        own = info.metadata.get("classes")
        if own is not None and tuple(c.strip() for c in own.split(",")) != classes:
            raise self.fail(
                where,
                f"class order in the manifest {list(classes)} differs from the model's own [{own}]; "
                "labels would be swapped: fix output.classes or re-export the pack",
            )

    def template(self, a: dict, where: str) -> np.ndarray:
        self.keys(a, "alignment", where + ".alignment")
        base = a.get("template", "arcface")
        if isinstance(base, str):
            if base not in TEMPLATES:
                raise self.fail(where, f"alignment template '{base}' is unknown ({', '.join(TEMPLATES)})")
            points = TEMPLATES[base]
        else:
            points = tuple(tuple(p) for p in base)
            if len(points) != 5 or any(len(p) != 2 for p in points):
                raise self.fail(where, "an explicit alignment template needs five [x, y] points")
        return loosen(points, float(a.get("scale", 1.0)), float(a.get("shift_y", 0.0)))  # type: ignore[arg-type]
