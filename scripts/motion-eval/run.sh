#!/usr/bin/env bash
# `make bench`, motion part: builds the motion evaluation set from stills of
# the full Big Buck Bunny (fetched by ../match-eval/film/fetch.sh) once,
# scans it into a new library and scores motion pairs against the truth and
# against frame similarity alone; writes the contact sheet of the top motion
# pairs with their movement drawn.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=$(realpath "$1")
"$root/scripts/match-eval/film/fetch.sh"
set_dir="$root/tests/fixtures/motion-eval"
heldout="$root/tests/fixtures/motion-eval-heldout"
python3 "$here/make_set.py" "$root/tests/fixtures/film/bbb.mp4" "$set_dir"
python3 "$here/make_set.py" "$root/tests/fixtures/film/bbb.mp4" "$heldout" --seed 2 --start 17.5
echo "== motion evaluation set: planted continuations, exact truth"
python3 "$here/evaluate.py" "$binary" "$set_dir" "$root/target/motion-eval" \
    --json "$root/target/motion-eval.json" --sheet "$root/target/motion-eval-top10.png"
echo "== held out: another assignment, other stills, never looked at while choosing"
python3 "$here/evaluate.py" "$binary" "$heldout" "$root/target/motion-eval-heldout" \
    --json "$root/target/motion-eval-heldout.json"
