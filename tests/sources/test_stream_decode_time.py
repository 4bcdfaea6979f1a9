"""A live stream's decode time is the time spent decoding, not the wait for the next frame."""

import numpy as np
import pytest

from cer_live.messages import Frame
from cer_live.sources import StreamOptions, open_sources

from .rtsp import RtspServer, server_available

FPS = 24.0  # the server paces the clip in real time: a frame every 42 ms


@pytest.mark.skipif(server_available() is not None, reason=str(server_available()))
def test_decode_time_is_not_the_frame_gap(sample):
    with RtspServer(sample("WolfgangLanger_Pexels.mp4")) as server:
        (source,) = open_sources(server.url, stream=StreamOptions(open_timeout_s=10, read_timeout_s=10))
        decode, arrivals = [], []
        try:
            for item in source.frames():
                if isinstance(item, Frame):
                    decode.append(item.decode_ms)
                    arrivals.append(item.t_capture)
                    if len(decode) == 36:
                        break
        finally:
            source.close()
    gap_ms = float(np.median(np.diff(arrivals[12:]))) * 1000
    assert gap_ms > 25  # paced: the reads do wait for frames
    assert 0 < float(np.median(decode[12:])) < gap_ms / 3, (decode, gap_ms)
