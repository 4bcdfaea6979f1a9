"""The annotated video plays in a real browser (Debian's chromium, headless), also after a crash."""

import shutil
import subprocess

import pytest

from cer_live.sinks.video import AnnotatedVideoSink

from .test_video import real_frames

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="needs a chromium binary (Debian: apt-get install chromium)"
)

PAGE = """<!doctype html><html><body><pre id="r">pending</pre><video id="v" muted autoplay></video><script>
const v = document.getElementById('v'), r = document.getElementById('r');
v.addEventListener('error', () => { r.textContent = 'ERROR ' + (v.error && v.error.code); });
v.addEventListener('timeupdate', () => {
  if (v.currentTime > 1.0 && r.textContent === 'pending') r.textContent = `PLAYED ${v.videoWidth}x${v.videoHeight}`;
});
v.src = 'video.mp4'; v.play().catch(e => { r.textContent = 'REFUSED ' + e; });
</script></body></html>"""


def browser_verdict(folder) -> str:
    (folder / "page.html").write_text(PAGE)
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required",
         "--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom", (folder / "page.html").as_uri()],
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    start = done.stdout.find('<pre id="r">')
    assert start >= 0, done.stderr[-2000:]
    return done.stdout[start + len('<pre id="r">') :].split("<", 1)[0]


@needs_chromium
def test_the_annotated_video_plays_in_a_browser(tmp_path, sample):
    sink = AnnotatedVideoSink(tmp_path / "video.mp4", 23.976, "cer-live test")
    for result in real_frames(sample, 72):
        sink.write(result)
    sink.close()
    assert browser_verdict(tmp_path) == "PLAYED 640x360"


@needs_chromium
def test_a_video_whose_writer_died_still_plays_in_a_browser(tmp_path, sample):
    """No close(): the header and the finished fragments are all a crash leaves."""
    sink = AnnotatedVideoSink(tmp_path / "video.mp4", 23.976, "cer-live test")
    for result in real_frames(sample, 80):
        sink.write(result)
    assert browser_verdict(tmp_path) == "PLAYED 640x360"
