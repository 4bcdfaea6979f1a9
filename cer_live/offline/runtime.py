"""The one door from offline code into the runtime: every import of runtime modules is here.

When runtime modules move, only this file changes.
"""

from __future__ import annotations

from ..backends import BackendOptions
from ..classes import COMPOUND_CLASSES, RAFDB_COMPOUND_TO_ABAW
from ..ensemble import Member
from ..fusion import RULES as FUSION_RULES
from ..fusion import fuse
from ..packs import Pack, load_pack
from ..preprocess import to_tensor

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
