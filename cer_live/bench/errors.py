"""The benchmark's one named error: a bad argument, found before anything runs."""

from __future__ import annotations

from ..errors import CerLiveError


class BenchArgError(CerLiveError):
    """A sweep or bench argument is malformed or out of range."""


class BenchError(CerLiveError):
    """A measurement could not be made (a peer's interpreter failed, ...)."""
