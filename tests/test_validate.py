"""One check for every number: finite, in range, the unit said; None (not given) passes."""

import math

import pytest

from cer_live.errors import CerLiveError
from cer_live.validate import BadValueError, Range, check, check_all

SECONDS = Range(0, 3600, "seconds", low_open=True)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 0, 0.0, -1, 3601, 1e300, True, "5"])
def test_refused_values_are_one_line_naming_option_value_and_unit(value):
    with pytest.raises(BadValueError) as info:
        check("--timeout", value, SECONDS)
    message = str(info.value)
    assert message.startswith("bad --timeout ") and "seconds" in message and "\n" not in message
    assert isinstance(info.value, CerLiveError) and info.value.exit_code == 2


@pytest.mark.parametrize("value", [None, 0.001, 5, 3600])
def test_allowed_values_come_back_unchanged(value):
    assert check("--timeout", value, SECONDS) is value


def test_whole_numbers_refuse_fractions_and_the_message_says_the_range():
    rule = Range(64, 4096, "pixels", integer=True)
    with pytest.raises(
        BadValueError, match=r"^bad --det-size 2\.5; give a whole number of pixels, at least 64 and at most 4096$"
    ):
        check("--det-size", 2.5, rule)
    assert check("--det-size", 320, rule) == 320


def test_the_caller_chooses_the_error_class_and_where_it_was_read():
    class ConfigError(CerLiveError):
        pass

    with pytest.raises(ConfigError, match=r"^list.toml, source 2: bad timeout nan; give a finite number of seconds"):
        check_all([("timeout", math.nan, SECONDS)], ConfigError, "list.toml, source 2")
