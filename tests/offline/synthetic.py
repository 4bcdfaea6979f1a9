"""A learnable labelled set for the training tests: real aligned faces with a class-dependent tint.

The faces come from the sample media through the runtime's detector and alignment; each class
blends them with its own colour, a signal a small CNN learns in a few epochs from scratch.
"""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np

from cer_live.faces.templates import ARCFACE_TEMPLATE, loosen
from cer_live.samples import fetch

# Seven well-separated BGR colours, one per ABAW class.
TINTS = np.array(
    [(255, 0, 0), (0, 255, 0), (0, 0, 255), (0, 255, 255), (255, 0, 255), (255, 255, 0), (128, 128, 128)], np.float32
)
HEADER = ["crop", "label", "label_name", "source", "frame", "filled", "prompt", "model"]


def aligned_faces(count: int, size: int) -> np.ndarray:
    from cer_live.export.faces import collect_faces

    sources = [fetch("WolfgangLanger_Pexels.mp4"), fetch("multi_face.jpg"), fetch("single_face.jpg")]
    return collect_faces(sources, count, loosen(ARCFACE_TEMPLATE, 1.0), (size, size), stride=6)


def tinted(face: np.ndarray, label: int, rng: np.random.Generator) -> np.ndarray:
    alpha = rng.uniform(0.35, 0.5)
    return np.clip(face.astype(np.float32) * (1 - alpha) + TINTS[label] * alpha, 0, 255).astype(np.uint8)


def write_label_set(root: Path, faces: np.ndarray, per_class: int, seed: int = 0) -> Path:
    """root/labels.csv in the `cer-live label` format, its crops, two EMPTY rows and one corrupt crop."""
    from cer_live.classes import COMPOUND_CLASSES

    rng = np.random.default_rng(seed)
    (root / "crops").mkdir(parents=True)
    rows = []
    for label in range(7):
        for k in range(per_class):
            face = faces[rng.integers(len(faces))]
            name = f"crops/c{label}_{k:03d}.jpg"
            cv2.imwrite(str(root / name), tinted(face, label, rng))
            rows.append([name, str(label), COMPOUND_CLASSES[label], "synthetic", str(k), "false", "p1", "test"])
    rows += [["crops/none_0.jpg", "EMPTY", "", "synthetic", "0", "false", "p1", "test"]] * 2
    (root / "crops/broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    rows.append(["crops/broken.jpg", "3", COMPOUND_CLASSES[3], "synthetic", "0", "false", "p1", "test"])
    with (root / "labels.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return root


def write_rafdb(root: Path, faces: np.ndarray, per_class: int, seed: int = 0) -> Path:
    """A RAF-DB compound folder in its own layout: EmoLabel list and Image/aligned, train_ and test_."""
    from cer_live.classes import RAFDB_COMPOUND_TO_ABAW

    rng = np.random.default_rng(seed)
    (root / "EmoLabel").mkdir(parents=True)
    (root / "Image" / "aligned").mkdir(parents=True)
    lines = []
    for split in ("train", "test"):
        for k, raf in enumerate(r for r in RAFDB_COMPOUND_TO_ABAW for _ in range(per_class)):
            name = f"{split}_{k + 1:04d}.jpg"
            label = RAFDB_COMPOUND_TO_ABAW[raf]
            face = faces[rng.integers(len(faces))]
            image = tinted(face, label, rng) if label is not None else face
            cv2.imwrite(str(root / "Image" / "aligned" / name.replace(".jpg", "_aligned.jpg")), image)
            lines.append(f"{name} {raf}\n")
    (root / "EmoLabel" / "list_patition_label.txt").write_text("".join(lines))
    return root
