"""The input's sound in the annotated MP4: its first audio stream, packets copied as they are.

Packets go in as the video reaches their time, so the file stays interleaved (and each
fragment playable); sound past the last annotated frame is left out. An audio stream MP4
cannot hold, or one that will not read, costs the sound (with a warning), never the run.
"""

from __future__ import annotations

import logging
from pathlib import Path

import av

log = logging.getLogger(__name__)

# Codecs an MP4 holds as they are: copied without decoding, so the sound is the input's own.
MP4_AUDIO = {"aac", "mp3", "ac3", "eac3", "alac", "opus", "flac"}


class AudioPass:
    def __init__(self, source: Path, out: av.container.OutputContainer) -> None:
        self._in: av.container.InputContainer | None = None
        self._pending: av.Packet | None = None
        try:
            self._in = av.open(str(source))
            if not self._in.streams.audio:
                self.close()
                return
            stream = self._in.streams.audio[0]
            if stream.codec_context.name not in MP4_AUDIO:
                log.warning(
                    "'%s': its %s sound is left out of the annotated MP4", source.name, stream.codec_context.name
                )
                self.close()
                return
            self._out = out
            self._stream = out.add_stream_from_template(stream)
            self._packets = self._in.demux(stream)
        except (av.FFmpegError, OSError, ValueError) as exc:
            log.warning("'%s': its sound is left out of the annotated MP4 (%s)", source.name, exc)
            self.close()

    @property
    def active(self) -> bool:
        return self._in is not None

    def mux_until(self, seconds: float) -> None:
        """Every audio packet that starts before `seconds` (the input's clock) goes into the MP4."""
        while self._in is not None:
            packet = self._pending or self._next()
            self._pending = None
            if packet is None:
                return
            if packet.pts is not None and packet.time_base is not None and packet.pts * packet.time_base >= seconds:
                self._pending = packet
                return
            packet.stream = self._stream
            self._out.mux(packet)  # OSError (a full disk) is the video sink's to report

    def _next(self) -> av.Packet | None:
        try:
            for packet in self._packets:
                if packet.dts is not None:  # the demuxer's empty flush packet has none
                    return packet
        except av.FFmpegError as exc:
            log.warning("the input's sound ends early in the annotated MP4 (%s)", exc)
        self.close()
        return None

    def close(self) -> None:
        if self._in is not None:
            container, self._in = self._in, None
            container.close()
