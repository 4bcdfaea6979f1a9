"""Test media made from the real sample clip: a variable-frame-rate MP4 written with PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2

# Presentation times (ms) with the gaps and jitter of a phone or screen recording.
VFR_TIMES_MS = [0, 33, 67, 100, 400, 433, 467, 1500, 1517, 1533, 1550, 1567, 2600, 2700, 2800, 3000]


def write_vfr(source: Path, path: Path, times_ms: list[int] = VFR_TIMES_MS) -> list[float]:
    """The first len(times_ms) frames of `source` at those times; returns the times in seconds."""
    cap = cv2.VideoCapture(str(source))
    images = [cap.read()[1] for _ in times_ms]
    cap.release()
    assert all(image is not None for image in images), "the sample clip is shorter than the test needs"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.codec_context.time_base = Fraction(1, 1000)
        stream.height, stream.width = images[0].shape[:2]
        for t, image in zip(times_ms, images, strict=False):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts, frame.time_base = t, Fraction(1, 1000)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return [t / 1000 for t in times_ms]
