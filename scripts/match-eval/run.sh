#!/usr/bin/env bash
# `make bench`, matching part: builds the match-cut evaluation set and a
# held-out set (once each, from the shot-evaluation footage), scores
# `matchcut scan` / `duplicates` / `pairs` on both, writes the contact sheet
# of the top 20 pairs of the evaluation set, the top 20 of a real film
# against labels judged by eye (film/), a trailer cut from that film
# (re-used footage), then the end-to-end scan
# benchmark (10-minute 1080p title against `ffmpeg -f null`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=$(realpath "$1")
tuned="$root/tests/fixtures/match-eval"
heldout="$root/tests/fixtures/match-eval-heldout"
python3 "$here/make_set.py" "$tuned"
python3 "$here/make_set.py" "$heldout" --seed-offset 100
cd "$here"
echo "== match-cut evaluation set (thresholds chosen on it)"
python3 evaluate.py "$binary" "$tuned" --sheet "$root/target/match-eval-top20.png" --json "$tuned/report.json"
echo "== held out: other titles, never looked at while choosing"
python3 evaluate.py "$binary" "$heldout" --json "$heldout/report.json"
echo "== a real film: the full Big Buck Bunny, top 20 judged by eye (film/labels.json)"
"$here/film/fetch.sh"
python3 "$here/film/evaluate.py" "$binary" "$root/tests/fixtures/film" "$root/target/film-eval" --json "$root/target/film-eval.json"
"$binary" pairs --library "$root/target/film-eval/full" --top 20 --kind frame --sheet "$root/target/match-eval-film-top20.png" >/dev/null
echo "== a trailer cut from the film: its re-used shots linked to their source, none offered"
python3 "$here/film/trailer_eval.py" "$binary" "$root/tests/fixtures/film" "$root/target/film-eval/trailer" --json "$root/target/trailer-eval.json"
echo "== end to end: scan of a 10-minute 1080p title against ffmpeg decoding it"
python3 bench_scan.py "$binary" "$root/tests/fixtures/bench" --json "$root/tests/fixtures/bench/scan-report.json"
