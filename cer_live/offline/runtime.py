"""The one door from offline code into the runtime and the export: every import of theirs is here.

When runtime modules move, only this file changes.
"""

from __future__ import annotations

from ..align import ARCFACE_TEMPLATE, loosen
from ..backends import BackendOptions
from ..classes import COMPOUND_CLASSES, RAFDB_COMPOUND_TO_ABAW
from ..ensemble import Member, softmax
from ..fusion import RULES as FUSION_RULES
from ..fusion import fuse
from ..packs import Pack, find_pack, load_pack
from ..preprocess import to_tensor

__all__ = [
    "ARCFACE_TEMPLATE",
    "BackendOptions",
    "COMPOUND_CLASSES",
    "FUSION_RULES",
    "Member",
    "Pack",
    "RAFDB_COMPOUND_TO_ABAW",
    "find_pack",
    "fuse",
    "load_pack",
    "loosen",
    "softmax",
    "to_tensor",
]
