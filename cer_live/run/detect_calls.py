"""Detector requests of several sources served by as few network calls as the detector allows.

Requests that ask for the same input size on images of one size go in one call: the regions
of every source in step, their cheap scans, their full scans of same-size frames. A front end
that takes mixed sizes also serves `--detect full`'s whole frames of different sizes in one
call, each scaled into one padded canvas (as `full` always has); the others are answered as
their own calls would answer them.
"""

from __future__ import annotations

import time

from ..faces.detect_schedule import DetectRequest
from ..faces.detectors import FaceDetector
from ..messages import Detection

Answer = tuple[list[tuple[Detection, ...]], float]  # faces per image of the request, ms of its call


def serve_requests(detector: FaceDetector, requests: list[DetectRequest]) -> tuple[list[Answer], int]:
    """Answers in the requests' order, and the number of calls made."""
    groups: dict[tuple, list[int]] = {}
    for i, request in enumerate(requests):
        groups.setdefault(_key(detector, request), []).append(i)
    answers: list[Answer | None] = [None] * len(requests)
    for key, members in groups.items():
        images = [image for i in members for image in requests[i].images]
        t0 = time.perf_counter()
        if key[0] == "mixed":
            found = detector.detect_many(images)
        else:
            found = detector.detect(images, requests[members[0]].long_side)
        ms = (time.perf_counter() - t0) * 1000
        start = 0
        for i in members:
            n = len(requests[i].images)
            answers[i] = (found[start : start + n], ms)
            start += n
    return [a for a in answers if a is not None], len(groups)


def _key(detector: FaceDetector, request: DetectRequest) -> tuple:
    shapes = {image.shape for image in request.images}
    default = request.long_side in (None, detector.config.input_long_side)
    if request.mixed_sizes and detector.capabilities.mixed_sizes and default and len(request.images) == 1:
        return ("mixed", request.kind)
    if len(shapes) == 1:
        return ("same", request.long_side, shapes.pop())
    return ("alone", id(request))
