"""A GStreamer RTSP server on loopback: serves an MP4's H.264 track at rtsp://127.0.0.1:PORT/MOUNT.

A standalone script run by the system Python (GStreamer's introspection bindings live
there, not in a virtual environment); it imports nothing from cer-live. Debian packages:
gstreamer1.0-rtsp, gir1.2-gst-rtsp-server-1.0, python3-gi, gstreamer1.0-plugins-good/-bad.
Each client gets the clip from its start, paced in real time. Prints READY once it listens.

    /usr/bin/python3 rtsp_server.py --port 8554 --mount cam --file clip.mp4
"""

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mount", default="cam")
    parser.add_argument("--file", required=True)
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        f'( filesrc location="{args.file}" ! qtdemux ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 )'
    )
    factory.set_shared(False)
    server.get_mount_points().add_factory("/" + args.mount, factory)
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on port {args.port}")
    loop = GLib.MainLoop()
    signal.signal(signal.SIGTERM, lambda *_: loop.quit())
    print("READY", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
