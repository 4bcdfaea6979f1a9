"""Sweep arguments: parsed, sorted, and refused with the fix in the message."""

import pytest

from cer_live.bench.config import parse_backends, parse_batches, parse_resolutions
from cer_live.bench.errors import BenchArgError


def test_lists_parse_sorted_and_deduplicated():
    assert parse_batches("16,1,4,4") == (1, 4, 16)
    assert parse_resolutions("1280x720,640X360") == ((1280, 720), (640, 360))
    assert parse_backends("ort,trt") == ("onnxruntime", "tensorrt")
    assert parse_backends("all") == ("onnxruntime", "torch", "tensorrt")


@pytest.mark.parametrize("text", ["0", "", "1,,-2", "2048", "x"])
def test_bad_batches(text):
    with pytest.raises(BenchArgError, match="--batch"):
        parse_batches(text)


@pytest.mark.parametrize("text", ["12", "640x", "x360", "640x360,32x32", "640*360"])
def test_bad_resolutions(text):
    with pytest.raises(BenchArgError, match="WIDTHxHEIGHT"):
        parse_resolutions(text)
