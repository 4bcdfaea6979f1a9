"""Every pack member on one batch of aligned faces, then fusion."""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial

import numpy as np

from ..classes import BASIC_CLASSES, COMPOUND_CLASSES, composition_matrix
from ..errors import PackError
from ..messages import Detection, FaceScores
from . import backends
from .backends import BackendOptions
from .basic_to_compound import BasicHead, BasicOutput
from .fusion import fuse
from .member_threads import MemberRunner, MemberThreads, plan
from .packs import MemberSpec, Pack
from .preprocess import to_tensor
from .preprocess_box import crop_faces
from .softmax import softmax


def _finite_mean(stack: np.ndarray, empty: float | None = None) -> np.ndarray:
    """Mean over members of (members, faces, classes), skipping non-finite rows; `empty` (default
    flat probabilities) if none is left."""
    ok = np.isfinite(stack).all(axis=2, keepdims=True)
    total = np.where(ok, stack, 0.0).sum(axis=0)
    count = ok.sum(axis=0)
    empty = 1.0 / stack.shape[2] if empty is None else empty
    return np.where(count > 0, total / np.maximum(count, 1), empty).astype(np.float32)


def _check_int8(pack: Pack, options: BackendOptions) -> None:
    """--precision int8 needs every member's INT8 variant; said once for the pack, not per member."""
    missing = [spec.name for spec in pack.members if spec.int8 is None]
    if options.precision == "int8" and missing:
        raise PackError(
            f"pack '{pack.name}' has no INT8 variant of {', '.join(missing)}; build one with "
            f"'cer-live packs quantize {pack.name} --calibration MEDIA --name NAME', or use --precision fp32"
        )


class Member:
    """One loaded member: maps its raw output to (compound, basic) in canonical order."""

    def __init__(self, spec: MemberSpec, backend: str, options: BackendOptions) -> None:
        self.spec = spec
        self.engine = backends.create(backend, spec.source, options)
        # What ran, as the backend settled it ('auto' resolved, the variant file it read).
        self.precision: str = getattr(self.engine, "precision", options.precision)
        self.sha256: str = getattr(self.engine, "model_sha256", spec.sha256)
        if spec.output_kind == "basic_probabilities":
            self._head = BasicHead(spec.basic_output or BasicOutput(spec.classes))
            self._compose = composition_matrix(BASIC_CLASSES).T  # built once, not per frame
        else:
            self._order = np.array([spec.classes.index(c) for c in COMPOUND_CLASSES])
            # A compound member may also give basic probabilities as its second output.
            self._basic = np.array(
                [spec.basic_classes.index(c) if c in spec.basic_classes else -1 for c in BASIC_CLASSES]
            )

    @property
    def identity(self) -> dict[str, str]:
        """The member as it ran, for the outputs' headers."""
        return {"name": self.spec.name, "precision": self.precision, "sha256": self.sha256}

    def run(self, tensor: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        compound, basic, _, _ = self.outputs(tensor)
        return compound, basic

    def outputs(self, tensor: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        """(compound, basic, extras such as contempt, valence-arousal); the last three None when absent."""
        outputs = self.engine.infer(tensor)
        out = outputs[0].astype(np.float32)
        if self.spec.output_kind == "basic_probabilities":
            basic, extra, va = self._head.split(out)
            return basic @ self._compose, basic, extra, va
        probs = softmax(out) if self.spec.output_kind == "compound_logits" else out
        if not self.spec.basic_classes:
            return probs[:, self._order], None, None, None
        basic = np.where(self._basic >= 0, outputs[1][:, self._basic.clip(0)], 0.0).astype(np.float32)
        return probs[:, self._order], basic, None, None


class Preprocessor:
    """Aligned, normalised face tensors, one per group of members that share preprocessing.

    Split from the members so that a stream worker can align its faces where the frame is
    and hand only the small tensors to an ensemble that runs elsewhere.
    """

    def __init__(self, specs: list[MemberSpec]) -> None:
        self.specs = specs
        # Members that agree on alignment and preprocessing share one crop and one tensor.
        self.groups: dict[tuple, list[int]] = {}
        for index, spec in enumerate(specs):
            self.groups.setdefault(spec.preprocess_key, []).append(index)

    def tensors(self, image: np.ndarray, detections: tuple[Detection, ...]) -> list[np.ndarray]:
        """One (faces, C, H, W) tensor per group, in group order."""
        return self.tensors_many([(image, detections)])

    def tensors_many(self, items: list[tuple[np.ndarray, tuple[Detection, ...]]]) -> list[np.ndarray]:
        """The faces of several images (of any sizes) in one tensor per group, image after image."""
        out = []
        for indices in self.groups.values():
            spec = self.specs[indices[0]]
            crops = [crop_faces(image, detections, spec) for image, detections in items if detections]
            out.append(
                to_tensor(crops[0] if len(crops) == 1 else np.concatenate(crops), spec.colour, spec.mean, spec.std)
            )
        return out


class Ensemble:
    def __init__(self, pack: Pack, backend: str = "auto", options: BackendOptions | None = None) -> None:
        options = options or BackendOptions()
        _check_int8(pack, options)
        self.pack = pack
        self.threads: MemberThreads = plan(len(pack.members), backend, options)
        member_options = replace(options, threads=self.threads.intra_op)
        self.members = [Member(spec, backend, member_options) for spec in pack.members]
        self._runner = MemberRunner(self.threads)
        self.weights = np.array([m.spec.weight for m in self.members])
        self.preprocessor = Preprocessor([m.spec for m in self.members])

    @property
    def identity(self) -> list[dict[str, str]]:
        """Every member as it ran (precision and the sha256 of the file it ran from)."""
        return [m.identity for m in self.members]

    def score(
        self, image: np.ndarray, detections: tuple[Detection, ...]
    ) -> tuple[tuple[FaceScores, ...], dict[str, float]]:
        """Scores per detection and the time spent aligning and inferring (ms)."""
        scored, timing = self.score_many([(image, detections)])
        return scored[0], timing

    def score_many(
        self, items: list[tuple[np.ndarray, tuple[Detection, ...]]]
    ) -> tuple[list[tuple[FaceScores, ...]], dict[str, float]]:
        """Every face of every image through each member as one batch; scores per image, in order.

        Frames of several sources (of any sizes) share one call, so each member runs once per
        batch whatever the number of streams."""
        counts = [len(detections) for _, detections in items]
        if not sum(counts):
            return [() for _ in items], {}  # nothing ran: no stage time, rather than a 0 ms that never happened
        t0 = time.perf_counter()
        tensors = self.preprocessor.tensors_many(items)
        t1 = time.perf_counter()
        faces = self.infer(tensors)
        timing = {"align": (t1 - t0) * 1000, "infer": (time.perf_counter() - t1) * 1000}
        bounds = np.cumsum([0, *counts])
        return [faces[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=False)], timing

    def infer(self, tensors: list[np.ndarray]) -> tuple[FaceScores, ...]:
        """Every member on its group's tensor, then fusion: one FaceScores per face."""
        compound: dict[int, np.ndarray] = {}
        basic: list[np.ndarray] = []
        extra: list[np.ndarray] = []
        va: list[np.ndarray] = []
        jobs = [
            (index, partial(self.members[index].outputs, tensor))
            for indices, tensor in zip(self.preprocessor.groups.values(), tensors, strict=False)
            for index in indices
        ]
        ran = self._runner.map(jobs)
        for index, _ in jobs:  # group order, as one after another gave
            c, b, e, v = ran[index]
            compound[index] = c
            basic += [] if b is None else [b]
            extra += [] if e is None else [e]
            va += [] if v is None else [v]
        # Stacked in manifest order so that each member meets its own weight.
        per_member = np.stack([compound[i] for i in range(len(self.members))])
        fused = fuse(per_member, self.pack.fusion, self.weights)
        # A member with non-finite output (e.g. FP16 overflow) abstains inside fuse(); a face on
        # which all abstain gets a flat score rather than NaN, which JSON cannot carry.
        fused = np.where(np.isfinite(fused), fused, np.float32(1.0 / fused.shape[1]))
        # Basic probabilities are averaged over the members that have them.
        fused_basic = _finite_mean(np.stack(basic)) if basic else None
        # Contempt and valence-arousal likewise, over the members that give them.
        fused_extra = _finite_mean(np.stack(extra)) if extra else None
        fused_va = _finite_mean(np.stack(va), empty=0.0) if va else None  # 0: neither pleasant nor not
        names = tuple(m.spec.name for m in self.members)
        return tuple(
            FaceScores(
                compound=fused[i],
                basic=None if fused_basic is None else fused_basic[i],
                members=names,
                member_compound=per_member[:, i],
                extra=None if fused_extra is None else fused_extra[i],
                va=None if fused_va is None else fused_va[i],
            )
            for i in range(per_member.shape[1])
        )

    def close(self) -> None:
        self._runner.close()
        for member in self.members:
            member.engine.close()
