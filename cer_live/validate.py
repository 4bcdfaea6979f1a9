"""One check for every number a sub-command takes: finite, in its range, and named with its unit.

argparse's `float` reads 'nan' and 'inf', and a TOML file may hold a float where a count
belongs; every sub-command checks its numbers here before any work, so that a bad one is
one line (exit 2) naming the option, the value and what to give instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from .errors import CerLiveError

T = TypeVar("T")


class BadValueError(CerLiveError):
    """An option's value is not a finite number in its range."""


@dataclass(frozen=True)
class Range:
    """What a number may be: `low` (excluded when `low_open`) to `high`, both optional."""

    low: float | None = None
    high: float | None = None
    unit: str = ""  # 'seconds', 'pixels', ...: said in the message
    integer: bool = False
    low_open: bool = False

    def allows(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.integer and not isinstance(value, int):
            return False
        if not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or value <= self.high

    def describe(self) -> str:
        kind = "a whole number" if self.integer else "a finite number"
        what = f"{kind} of {self.unit}" if self.unit else kind
        low = None if self.low is None else f"{'more than' if self.low_open else 'at least'} {show_value(self.low)}"
        high = None if self.high is None else f"at most {show_value(self.high)}"
        bounds = " and ".join(b for b in (low, high) if b)
        return f"{what}, {bounds}" if bounds else what


# Shared rules: one timeout for every sub-command that waits on a stream or a server.
TIMEOUT = Range(0, 3600, "seconds", low_open=True)


def check(option: str, value: T, rule: Range, error: type[CerLiveError] = BadValueError, where: str = "") -> T:
    """`value` itself when `rule` allows it or it is None (not given); else `error`, one line."""
    if value is None or rule.allows(value):
        return value
    prefix = f"{where}: " if where else ""
    raise error(f"{prefix}bad {option} {show_value(value)}; give {rule.describe()}")


def check_all(
    values: Iterable[tuple[str, object, Range]], error: type[CerLiveError] = BadValueError, where: str = ""
) -> None:
    for option, value, rule in values:
        check(option, value, rule, error, where)


def show_value(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)
