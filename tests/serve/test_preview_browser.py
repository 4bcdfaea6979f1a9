"""The preview in a real browser: Debian's chromium driven by Playwright, two real RTSP streams."""

import shutil
import signal
import time

import cv2
import numpy as np
import pytest

from cer_live.sinks.draw import track_colour

from ..helpers import start_cli
from ..sources.rtsp import RtspServer, free_port, server_available
from .test_server import like

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(server_available() is not None, reason=str(server_available())),
    pytest.mark.skipif(
        shutil.which("chromium") is None, reason="needs Debian's chromium (scripts/install-test-deps.sh)"
    ),
]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TRACK_1 = track_colour(1)  # the first track's box


def has_box(png: bytes, bgr=TRACK_1) -> bool:
    picture = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    return int(like(picture.astype(int), bgr).sum()) > 150  # the box outline, the label and the top bar


def stats_text(page, index: int) -> str:
    return page.locator(f'.tile[data-index="{index}"] .stats').inner_text()


def test_the_page_shows_each_stream_with_its_faces_figures_and_status(tmp_path, sample):
    video = sample("WolfgangLanger_Pexels.mp4")
    servers = [RtspServer(video, mount=f"cam{i}").start() for i in range(2)]
    port = free_port()
    proc = start_cli("run", *(s.url for s in servers), "--serve", f"127.0.0.1:{port}", "--no-show", "--timeout", "2")
    try:
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            deadline = time.monotonic() + 40
            while True:  # the run loads its models, then binds the port
                try:
                    page.goto(f"http://127.0.0.1:{port}/", timeout=5000)
                    break
                except playwright_api.Error:
                    assert time.monotonic() < deadline and proc.poll() is None, "the preview never came up"
                    time.sleep(0.5)
            # Locators, not page scripts: the page's own security policy forbids evaluated strings.
            expect(page.locator('.tile[data-status="live"]')).to_have_count(2, timeout=30000)
            for index in (0, 1):
                expect(page.locator(f'.tile[data-index="{index}"] .tracks')).to_contain_text("#1", timeout=20000)
            time.sleep(1.0)
            for index in (0, 1):
                shot = page.locator(f'.tile[data-index="{index}"] img').screenshot()
                assert has_box(shot), f"tile {index} shows no face box"
            page.screenshot(path=str(tmp_path / "preview.png"))
            before = stats_text(page, 0)
            time.sleep(2.5)
            assert stats_text(page, 0) != before  # figures update without a reload
            assert " fps" in before and "p95" in before
            servers[0].kill()
            expect(page.locator('.tile[data-index="0"] .status')).to_have_text("reconnecting", timeout=15000)
            assert page.locator('.tile[data-index="1"]').get_attribute("data-status") == "live"
            browser.close()
    finally:
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        for server in servers:
            server.kill()
    assert proc.returncode == 130, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-4000:]
