// Tiles from /api/status, refreshed every second; each tile's picture is an MJPEG stream.
"use strict";
const token = new URLSearchParams(location.search).get("token");
const withToken = (path) => (token ? `${path}?token=${encodeURIComponent(token)}` : path);
const tiles = new Map();

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function makeTile(source) {
  const root = el("section", "tile");
  root.dataset.index = source.index;
  const img = el("img");
  img.alt = source.name;
  img.src = withToken(`stream/${source.index}.mjpg`);
  const bar = el("div", "bar");
  const name = el("span", "name", source.name);
  const status = el("span", "status");
  bar.append(name, status);
  const stats = el("div", "stats");
  const tracks = el("div", "tracks");
  root.append(img, bar, stats, tracks);
  document.getElementById("tiles").append(root);
  return { root, img, status, stats, tracks };
}

const ms = (v) => (v === null ? "–" : `${v.toFixed(0)} ms`);

function render(source) {
  let tile = tiles.get(source.index);
  if (!tile) { tile = makeTile(source); tiles.set(source.index, tile); }
  tile.status.textContent = source.status;
  tile.status.className = `status ${source.status}`;
  tile.root.dataset.status = source.status;
  const lat = source.capture_to_output_ms;
  tile.stats.textContent =
    `${source.fps.toFixed(1)} fps · ${source.frames} frames · ${source.dropped} dropped · ` +
    `capture→output p50 ${ms(lat.p50)} p95 ${ms(lat.p95)}`;
  tile.tracks.replaceChildren(...source.tracks.map((t) =>
    el("span", "", `#${t.track} ${t.label} ${t.p.toFixed(2)}${t.held ? " (held)" : ""}`)));
}

// A finished run keeps its page: each tile's last picture is frozen before the server goes away.
function freeze(tile) {
  if (tile.frozen || !tile.img.naturalWidth) return;
  const canvas = el("canvas");
  canvas.width = tile.img.naturalWidth;
  canvas.height = tile.img.naturalHeight;
  try {
    canvas.getContext("2d").drawImage(tile.img, 0, 0);
    tile.img.replaceWith(canvas);
    tile.frozen = true;
  } catch (error) { /* no frame decoded yet: leave the picture as it is */ }
}

function finish(message) {
  tiles.forEach(freeze);
  clearInterval(timer);
  document.getElementById("summary").textContent = message;
}

async function refresh() {
  try {
    const response = await fetch(withToken("api/status"), { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const status = await response.json();
    status.sources.forEach(render);
    document.getElementById("summary").textContent = `${status.sources.length} source(s) · ${new Date().toLocaleTimeString()}`;
    if (status.sources.length && status.sources.every((s) => s.status === "ended")) {
      finish(`every source has ended (${new Date().toLocaleTimeString()}); the last pictures stay on this page`);
    }
  } catch (error) {
    if (tiles.size) finish(`the run has ended or stopped (${error.message}); the last pictures stay on this page`);
    else document.getElementById("summary").textContent = `preview unreachable (${error.message})`;
  }
}

refresh();
const timer = setInterval(refresh, 1000);
