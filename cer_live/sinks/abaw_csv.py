"""ABAW 6 compound expression submission format: the protagonist's label per frame."""

from __future__ import annotations

from pathlib import Path

from ..messages import FrameResult
from .base import Sink
from .files import RecordFile

HEADER = (
    "image_location,Fearfully_Surprised,Happily_Surprised,Sadly_Surprised,"
    "Disgustedly_Surprised,Angrily_Surprised,Sadly_Fearful,Sadly_Angry"
)


class AbawCsvSink(Sink):
    """Frames with no face and no fallback within the age bound get no line (counted in `missing`).

    Every line reaches the disk as it is written, whole, so the file ends on a whole row
    after a crash or a full disk.
    """

    name = "abaw_csv"

    def __init__(self, path: Path, resume: bool = False) -> None:
        self.path = path
        self._file = RecordFile(path, append=resume)
        try:
            if not resume:
                self._file.write(HEADER + "\n")
        except Exception:
            self._file.close()
            raise
        self.missing = 0

    def write(self, result: FrameResult) -> None:
        face = result.protagonist
        if face is None:
            self.missing += 1
            return
        label_id, _, _ = face.smoothed.top
        self._file.write(f"{result.frame.name},{label_id}\n")

    def close(self) -> None:
        self._file.close()
