"""Screenshots of an X display with `xwd`, read into a numpy RGB array (no imaging library)."""

from __future__ import annotations

import struct
import subprocess

import numpy as np


def screenshot(display: str) -> np.ndarray:
    """The whole root window of `display` as (H, W, 3) RGB uint8; TrueColor 24/32-bit only."""
    data = subprocess.run(["xwd", "-root", "-silent", "-display", display], capture_output=True, check=True).stdout
    header_size = struct.unpack(">I", data[:4])[0]
    fields = struct.unpack(">25I", data[:100])
    width, height = fields[4], fields[5]
    byte_order, bits_per_pixel, bytes_per_line = fields[7], fields[11], fields[12]
    ncolors = fields[19]
    red_mask, green_mask, blue_mask = fields[14], fields[15], fields[16]
    if bits_per_pixel not in (24, 32):
        raise ValueError(f"unsupported xwd depth: {bits_per_pixel} bits per pixel")
    step = bits_per_pixel // 8
    offset = header_size + ncolors * 12
    rows = np.frombuffer(data, dtype=np.uint8, count=height * bytes_per_line, offset=offset).reshape(
        height, bytes_per_line
    )
    raw = rows[:, : width * step].reshape(height, width, step).astype(np.uint32)
    order = range(step) if byte_order == 0 else range(step - 1, -1, -1)  # 0: least significant byte first
    pixels = sum(raw[..., i] << (8 * k) for k, i in enumerate(order))

    def channel(mask: int) -> np.ndarray:
        shift = (mask & -mask).bit_length() - 1
        return ((pixels & mask) >> shift).astype(np.uint8)

    return np.stack([channel(red_mask), channel(green_mask), channel(blue_mask)], axis=2)
