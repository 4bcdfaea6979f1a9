"""Named errors raised at start-up or on bad input.

Every error carries a message that names the problem and how to fix it; the CLI prints
it on one line and exits non-zero, so no user sees a traceback for a known failure.
"""

from __future__ import annotations


class CerLiveError(Exception):
    """Base class: the message is shown to the user as-is, on one line."""

    exit_code = 2


class SourceError(CerLiveError):
    """A source cannot be opened or read (missing file, not a video, empty folder)."""


class PackError(CerLiveError):
    """A model pack is unknown, incomplete, tampered with or malformed."""


class OutputError(CerLiveError):
    """An output folder or file cannot be written."""


class DiskFullError(OutputError):
    """The disk holding an output filled up; the file was cut back to its last whole record."""


class BackendError(CerLiveError):
    """An inference backend is unknown, unavailable or cannot load a model."""


class ClusterError(CerLiveError):
    """A Ray cluster cannot be used (Ray missing, no cluster at the address, a source it cannot run)."""


class FixtureError(CerLiveError):
    """A sample file could not be fetched or extracted."""


class ExportError(CerLiveError):
    """Checkpoints cannot be read or exported (unknown architecture, bad state_dict)."""


class QuantizeError(ExportError):
    """An INT8 member disagrees with its fp32 original beyond the limit, or cannot be calibrated."""


class ParityError(ExportError):
    """An exported model does not reproduce its source model within tolerance."""
