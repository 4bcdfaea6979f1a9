"""Per-source face state: the protagonist stays put between faces of one size."""

from __future__ import annotations

from cer_live.bench.media import face_crops, tiled_frame
from cer_live.faces.state import FaceOptions, SourceFaces
from cer_live.messages import Frame
from cer_live.models.packs import load_pack
from cer_live.run.analyser import Analyser, AnalyserOptions


def test_the_protagonist_does_not_swap_between_two_faces_of_one_size():
    """Two real faces of the same size, each moving a few pixels a frame: their detected sizes
    take turns at being the larger; the protagonist is the first frame's, and stays."""
    pack = load_pack("default")
    crops = face_crops(pack)
    analyser = Analyser(pack, AnalyserOptions(threads=1))
    faces = SourceFaces(FaceOptions(), look_ahead=False)
    leads, larger = [], []
    for t in range(24):
        image = tiled_frame([crops[0], crops[0]], 2, (640, 360), t)
        (result,) = analyser.analyse(Frame(t, 0.0, t / 24, image, f"two/{t:05d}.jpg"), faces)
        assert len(result.faces) == 2
        leads.append(next(f.track_id for f in result.faces if f.protagonist))
        larger.append(max(result.faces, key=lambda f: f.detection.area).track_id)
    assert len(set(larger)) == 2  # the largest face does change...
    assert len(set(leads)) == 1, leads  # ...the protagonist does not
