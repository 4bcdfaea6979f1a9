"""Hand-built frame results for sink tests."""

import numpy as np

from cer_live.messages import Detection, FaceResult, FaceScores, Frame, FrameResult


def frame_result(fid: int, faces: int = 1, size=(120, 160), fallback: bool = False) -> FrameResult:
    frame = Frame(fid, 0.0, fid / 25, np.full((*size, 3), 60, np.uint8), f"clip/{fid + 1:05d}.jpg")
    out = []
    for i in range(faces):
        compound = np.zeros(7, np.float32)
        compound[(fid + i) % 7] = 0.8
        scores = FaceScores(compound, np.full(7, 1 / 7, np.float32))
        det = Detection((10.0 + 40 * i, 10.0, 40.0 + 40 * i, 50.0), 0.99, ((20.0, 25.0),) * 5)
        out.append(
            FaceResult(
                i + 1, det, scores, scores, protagonist=i == 0, fallback=fallback, fallback_from=0 if fallback else None
            )
        )
    return FrameResult(frame, tuple(out), {"detect": 1.0})
