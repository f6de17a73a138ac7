#!/usr/bin/env bash
# `make bench`, shots part: builds the evaluation set (once), sets up a
# Python with PySceneDetect (once), and runs bench.py with the given binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=$(realpath "$1")
set_dir="$root/tests/fixtures/shot-eval"
venv="$root/.venv/shot-eval"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import scenedetect" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q scenedetect-headless==0.7.2
fi
"$venv/bin/python" "$here/make_set.py" "$set_dir"
cd "$here" && "$venv/bin/python" bench.py "$binary" "$set_dir" --json "$set_dir/report.json"
