#!/usr/bin/env bash
# `make bench`, shots part: builds the evaluation set and a held-out set of
# other titles from the same footage (once each), sets up a Python with
# PySceneDetect (once), and runs bench.py on both with the given binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=$(realpath "$1")
venv="$root/.venv/shot-eval"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import scenedetect" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q scenedetect-headless==0.7.2
fi
tuned="$root/tests/fixtures/shot-eval"
heldout="$root/tests/fixtures/shot-eval-heldout"
"$venv/bin/python" "$here/make_set.py" "$tuned"
"$venv/bin/python" "$here/make_set.py" "$heldout" --seed-offset 100
cd "$here"
echo "== the set the thresholds were tuned on"
"$venv/bin/python" bench.py "$binary" "$tuned" --json "$tuned/report.json"
echo "== held out: titles never looked at while tuning"
"$venv/bin/python" bench.py "$binary" "$heldout" --no-speed --json "$heldout/report.json"
