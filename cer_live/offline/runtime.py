"""The one door from offline code into the runtime: every import of runtime modules is here.

When runtime modules move, only this file changes.
"""

from __future__ import annotations

from ..classes import COMPOUND_CLASSES, RAFDB_COMPOUND_TO_ABAW
from ..models.backends import BackendOptions
from ..models.ensemble import Member
from ..models.fusion import RULES as FUSION_RULES
from ..models.fusion import fuse
from ..models.packs import Pack, load_pack
from ..models.preprocess import to_tensor

__all__ = [
    "BackendOptions",
    "COMPOUND_CLASSES",
    "FUSION_RULES",
    "Member",
    "Pack",
    "RAFDB_COMPOUND_TO_ABAW",
    "fuse",
    "load_pack",
    "to_tensor",
]
