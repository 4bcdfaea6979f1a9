"""Which node a new stream worker goes to: the live node serving the fewest sources."""

from __future__ import annotations

from collections import Counter
from typing import Any


def alive_nodes(nodes: list[dict[str, Any]]) -> list[str]:
    """Node ids from `ray.nodes()` that are up, in a stable order."""
    return sorted(n["NodeID"] for n in nodes if n.get("Alive"))


def least_loaded(alive: list[str], placed: list[str | None]) -> str:
    """Spreads sources evenly; ties go to the first node in id order, so placement is repeatable."""
    counts = Counter(node for node in placed if node in alive)
    return min(alive, key=lambda node: (counts[node], alive.index(node)))
