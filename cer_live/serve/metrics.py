"""`/metrics`: the tiles' figures in the Prometheus text format, read at scrape time."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .tiles import Tiles

STATUSES = ("starting", "live", "playing", "reconnecting", "ended")


class TilesCollector(Collector):
    def __init__(self, tiles: Tiles) -> None:
        self.tiles = tiles

    def collect(self) -> Iterator[Metric]:
        frames = CounterMetricFamily("cer_live_frames", "Frames written per source", labels=["source"])
        dropped = CounterMetricFamily(
            "cer_live_dropped_frames", "Frames a live source dropped to stay current", labels=["source"]
        )
        fps = GaugeMetricFamily("cer_live_fps", "Frames per second over the last two seconds", labels=["source"])
        latency = GaugeMetricFamily(
            "cer_live_capture_to_output_ms",
            "Capture-to-output latency over the last 240 frames",
            labels=["source", "quantile"],
        )
        status = GaugeMetricFamily(
            "cer_live_source_status", "1 for the source's current connection status", labels=["source", "status"]
        )
        faces = GaugeMetricFamily("cer_live_faces", "Faces in the source's newest frame", labels=["source"])
        for tile in self.tiles.status():
            name = tile["name"]
            frames.add_metric([name], tile["frames"])
            dropped.add_metric([name], tile["dropped"])
            fps.add_metric([name], tile["fps"])
            for q, key in (("0.5", "p50"), ("0.95", "p95")):
                value = tile["capture_to_output_ms"][key]
                if value is not None:
                    latency.add_metric([name, q], value)
            for s in STATUSES:
                status.add_metric([name, s], 1.0 if tile["status"] == s else 0.0)
            faces.add_metric([name], len(tile["tracks"]))
        yield from (frames, dropped, fps, latency, status, faces)


def registry_for(tiles: Tiles) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(TilesCollector(tiles))
    return registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
