"""Regions around known faces: a face re-detected in its crop maps back onto the full detection."""

from __future__ import annotations

import numpy as np
import pytest

from cer_live.faces.detect_schedule import DetectScheduleConfig
from cer_live.faces.regions import crop, region_for
from cer_live.faces.track import iou_matrix
from cer_live.models.packs import load_pack
from cer_live.run.analyser import Analyser, AnalyserOptions
from cer_live.sources.images import read_image


@pytest.fixture(scope="module")
def detector():
    return Analyser(load_pack("default"), AnalyserOptions(threads=1)).detector


def test_each_face_of_a_group_photo_is_found_again_in_its_region(detector, sample):
    config = DetectScheduleConfig()  # the schedule's own region settings
    size, face_px = config.region_size, config.region_face
    image = read_image(sample("multi_face.jpg"))
    full = detector.detect([image], long_side=max(image.shape[:2]))[0]
    assert len(full) == 5
    regions = [region_for(d.box, size, face_px, config.region_max_scale) for d in full]
    crops = [crop(image, r, size, detector.mean_bgr) for r in regions]
    assert all(c.shape == (size, size, 3) for c in crops)
    found = detector.detect(crops, long_side=size)  # one batched call for all five
    for det, region, in_crop in zip(full, regions, found, strict=False):
        mapped = [region.to_frame(d) for d in in_crop]
        ious = iou_matrix(np.array([det.box]), np.array([m.box for m in mapped]).reshape(-1, 4))[0]
        best = mapped[int(np.argmax(ious))]
        assert ious.max() > 0.75, ious
        height = det.box[3] - det.box[1]
        error = np.linalg.norm(np.array(best.landmarks) - np.array(det.landmarks), axis=1).max()
        assert error < 0.07 * height, (error, height)  # about as close as the full detection at another scale


def test_a_region_past_the_frame_edge_is_filled_with_the_mean_colour(detector, sample):
    image = read_image(sample("single_face.jpg"))
    region = region_for((-40.0, -40.0, 40.0, 40.0), 128, 96, 2.0)  # centred on the corner
    out = crop(image, region, 128, detector.mean_bgr)
    assert np.abs(out[:50, :50].astype(float) - np.array(detector.mean_bgr)).max() <= 1
