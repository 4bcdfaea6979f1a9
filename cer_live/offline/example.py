"""The tiny training example (`cer-live train --example DIR`): a learnable label set and its config.

The crops are real aligned faces from the sample media, each blended with its class's colour: a
signal two small CNNs learn from scratch in a few epochs on a CPU, so the whole machinery (data,
training, checkpoints, export, parity) runs in about a minute. The set holds two EMPTY rows and
one unreadable crop on purpose: the run shows how it counts what it skips. The tests train on the
same set with the same config.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from ..classes import COMPOUND_CLASSES
from ..faces.templates import ARCFACE_TEMPLATE, loosen
from ..samples import fetch
from .errors import TrainError

# Seven well-separated BGR colours, one per ABAW class.
TINTS = np.array(
    [(255, 0, 0), (0, 255, 0), (0, 0, 255), (0, 255, 255), (255, 0, 255), (255, 255, 0), (128, 128, 128)], np.float32
)
HEADER = ["crop", "label", "label_name", "source", "frame", "filled", "prompt", "model"]
FACES, FACE_SIZE, PER_CLASS = 48, 64, 26

TINY_TOML = """\
archs = {archs}
epochs = {epochs}
batch_size = 8
lr = 1e-3
size = {size}
workers = 0
threads = 1
pretrained = "none"
val_fraction = 0.25

[augment]
jitter = [0.0, 0.0, 0.0, 0.0]  # hue jitter would erase the synthetic colour signal
"""


def tiny_toml(archs: Sequence[str] = ("mobilenet_v2", "resnet18"), epochs: int = 5, size: int = 64) -> str:
    """The example's config: from scratch, batch 8, lr 1e-3, one thread, a quarter held out."""
    return TINY_TOML.format(archs="[" + ", ".join(f'"{a}"' for a in archs) + "]", epochs=epochs, size=size)


def aligned_faces(count: int, size: int) -> np.ndarray:
    """`count` aligned faces of `size` px found in the sample media by the runtime's detector."""
    from ..export.faces import collect_faces

    sources = [fetch("WolfgangLanger_Pexels.mp4"), fetch("multi_face.jpg"), fetch("single_face.jpg")]
    return collect_faces(sources, count, loosen(ARCFACE_TEMPLATE, 1.0), (size, size), stride=6)


def tinted(face: np.ndarray, label: int, rng: np.random.Generator) -> np.ndarray:
    alpha = rng.uniform(0.35, 0.5)
    return np.clip(face.astype(np.float32) * (1 - alpha) + TINTS[label] * alpha, 0, 255).astype(np.uint8)


def write_label_set(root: Path, faces: np.ndarray, per_class: int, seed: int = 0) -> Path:
    """root/labels.csv in the `cer-live label` format, its crops, two EMPTY rows and one corrupt crop."""
    rng = np.random.default_rng(seed)
    (root / "crops").mkdir(parents=True)
    rows = []
    for label in range(7):
        for k in range(per_class):
            face = faces[rng.integers(len(faces))]
            name = f"crops/c{label}_{k:03d}.jpg"
            cv2.imwrite(str(root / name), tinted(face, label, rng))
            rows.append([name, str(label), COMPOUND_CLASSES[label], "synthetic", str(k), "false", "p1", "example"])
    rows += [["crops/none_0.jpg", "EMPTY", "", "synthetic", "0", "false", "p1", "example"]] * 2
    (root / "crops/broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    rows.append(["crops/broken.jpg", "3", COMPOUND_CLASSES[3], "synthetic", "0", "false", "p1", "example"])
    with (root / "labels.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return root


def check_example_folder(root: Path) -> None:
    """The example writes only into a new or empty folder, so it never replaces anything."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise TrainError(f"--example '{root}' already holds files; give a new or empty folder")


def write_example(root: Path) -> tuple[Path, Path]:
    """root/labelset (182 labelled crops and 3 skipped rows) and root/tiny.toml; returns both."""
    check_example_folder(root)
    label_set = write_label_set(root / "labelset", aligned_faces(FACES, FACE_SIZE), PER_CLASS)
    config = root / "tiny.toml"
    config.write_text(tiny_toml(), encoding="utf-8")
    return label_set, config
