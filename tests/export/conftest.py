"""Fixtures for export tests: they need torch and torchvision (the train extra)."""

from __future__ import annotations

import pytest

pytest.importorskip("torchvision")
