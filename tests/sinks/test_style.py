"""The overlay's colours and text: no track looks "held", and a near-tie's `~` reads as a wave."""

from __future__ import annotations

import numpy as np

from cer_live.sinks.style import FALLBACK_COLOUR, Style, palette, put_text, text_width, track_colour


def test_no_track_colour_is_the_grey_of_held_faces():
    grey = np.array(FALLBACK_COLOUR)
    for colour in palette():
        c = np.array(colour)
        assert c.max() - c.min() >= 80, f"{colour} is too grey"
        assert np.abs(c - grey).max() >= 80, f"{colour} is too close to the held faces' grey"
    assert {track_colour(i) for i in range(50)} == set(palette())


def _ink_rows(text: str, style: Style) -> dict[str, int]:
    """Rows of ink under each of the three characters of 'a?b', rendered as the overlay does."""
    canvas = np.zeros((60, 200), np.uint8)
    put_text(canvas, text, (10, 40), style.scale, 255, style.thickness)
    a = text_width("a", style.scale, style.thickness)
    mid = text_width(text[:2], style.scale, style.thickness)
    column = canvas[:, 10 + a + 1 : 10 + mid - 1] > 60
    return int(column.any(axis=1).sum())


def test_a_near_tie_tilde_does_not_read_as_a_hyphen_at_640_px():
    style = Style.for_frame(640, 360)  # the smallest text the overlay draws
    tilde, hyphen = _ink_rows("a~b", style), _ink_rows("a-b", style)
    assert hyphen <= 2
    assert tilde >= hyphen + 3, (tilde, hyphen)  # a wave, clearly taller than a dash
    wide = text_width("a~b", style.scale, style.thickness) - text_width("ab", style.scale, style.thickness)
    assert wide >= 6  # and wide enough to see its shape
