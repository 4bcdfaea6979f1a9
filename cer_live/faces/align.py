"""The five-point warp lives in face_common (the models use it too); kept here by its old name."""

from ..face_common.align import align, similarity

__all__ = ["align", "similarity"]
