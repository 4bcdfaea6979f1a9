"""Named errors of the labelling command; each is shown to the user as one line."""

from __future__ import annotations

from ...errors import CerLiveError


class LabelError(CerLiveError):
    """Bad labelling settings, a missing key, a rejected key or model, an unusable output folder."""


class BudgetReached(Exception):
    """Raised inside the transports when the next request would pass --max-cost; not an error."""
