"""Learnable labelled sets for the training tests: the example's (cer_live/offline/example.py), and the
same tinted faces in RAF-DB's own layout."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from cer_live.offline.example import aligned_faces, tinted, write_label_set

__all__ = ["aligned_faces", "tinted", "write_label_set", "write_rafdb"]


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
