"""A learnable label set built once per session from real aligned faces: the tiny example's
(cer_live/offline/example.py), with its config."""

from __future__ import annotations

import pytest

from cer_live.offline.example import FACE_SIZE, FACES, PER_CLASS, tiny_toml

from .synthetic import aligned_faces, write_label_set


@pytest.fixture(scope="session")
def faces64():
    return aligned_faces(FACES, FACE_SIZE)


@pytest.fixture(scope="session")
def label_set(tmp_path_factory, faces64):
    """The example's set: 26 tinted faces per class (+2 EMPTY rows, 1 corrupt crop) in the `cer-live label` format."""
    return write_label_set(tmp_path_factory.mktemp("labelset"), faces64, per_class=PER_CLASS)


@pytest.fixture(scope="session")
def small_label_set(tmp_path_factory, faces64):
    """8 per class: for tests of the machinery (resume, DDP) rather than of learning."""
    return write_label_set(tmp_path_factory.mktemp("small"), faces64, per_class=8, seed=1)


@pytest.fixture
def tiny_config(tmp_path):
    def make(archs=("mobilenet_v2", "resnet18"), epochs=5, size=64):
        path = tmp_path / "tiny.toml"
        path.write_text(tiny_toml(archs, epochs, size))
        return path

    return make
