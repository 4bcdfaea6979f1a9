"""A learnable label set built once per session from real aligned faces (see synthetic.py)."""

from __future__ import annotations

import pytest

from .synthetic import aligned_faces, write_label_set


@pytest.fixture(scope="session")
def faces64():
    return aligned_faces(48, 64)


@pytest.fixture(scope="session")
def label_set(tmp_path_factory, faces64):
    """26 tinted faces per class (+2 EMPTY rows, 1 corrupt crop) in the `cer-live label` format."""
    return write_label_set(tmp_path_factory.mktemp("labelset"), faces64, per_class=26)


@pytest.fixture(scope="session")
def small_label_set(tmp_path_factory, faces64):
    """8 per class: for tests of the machinery (resume, DDP) rather than of learning."""
    return write_label_set(tmp_path_factory.mktemp("small"), faces64, per_class=8, seed=1)


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


@pytest.fixture
def tiny_config(tmp_path):
    def make(archs=("mobilenet_v2", "resnet18"), epochs=5, size=64):
        path = tmp_path / "tiny.toml"
        path.write_text(TINY_TOML.format(archs=list(archs).__repr__().replace("'", '"'), epochs=epochs, size=size))
        return path

    return make
