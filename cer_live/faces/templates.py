"""The alignment templates live in face_common (the models use them too); kept here by their old name."""

from ..face_common.templates import ARCFACE_TEMPLATE, TEMPLATES, loosen

__all__ = ["ARCFACE_TEMPLATE", "TEMPLATES", "loosen"]
