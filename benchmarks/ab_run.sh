#!/usr/bin/env bash
# Interleaved A/B of `cer-live run` on the sample video between two checkouts, in one run:
#   bash benchmarks/ab_run.sh OLD_CHECKOUT NEW_CHECKOUT [ROUNDS] [extra run options]
# (e.g. `git worktree add /tmp/old 855e460`). Prints one line per run and the medians; the
# rounds alternate so that drift on a shared machine hits both alike.
set -euo pipefail
old=$(cd "$1" && pwd) new=$(cd "$2" && pwd) rounds=${3:-6}
shift $(( $# < 3 ? $# : 3 ))
py=$(command -v "${PYTHON:-python}")
video=$("$py" -m cer_live.cli sample 2>/dev/null)
scratch=$(mktemp -d)
for i in $(seq "$rounds"); do
  for tree in "$old" "$new"; do
    out="$scratch/$(basename "$tree")-$i"
    (cd "$tree" && "$py" -m cer_live.cli run "$video" --out "$out" --no-video "$@" >/dev/null 2>&1)
    fps=$("$py" -c "import json,sys; print(json.load(open(sys.argv[1]))['sources'][0]['fps'])" "$out/summary.json")
    echo "$(basename "$tree") $i $fps load $(cut -d' ' -f1 /proc/loadavg)"
  done
done | tee "$scratch/runs.txt"
"$py" - "$scratch/runs.txt" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for name in dict.fromkeys(r[0] for r in rows):
    print(f"{name}: median {statistics.median(float(r[2]) for r in rows if r[0] == name):.1f} fps")
PY
rm -rf "$scratch"
