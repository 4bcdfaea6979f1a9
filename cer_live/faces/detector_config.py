"""The detector's settings live in face_common (the pack schema reads them too); kept here by their old name."""

from ..face_common.detector_config import DETECTORS, DetectorConfig

__all__ = ["DETECTORS", "DetectorConfig"]
