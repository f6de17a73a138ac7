#!/usr/bin/env bash
# End-to-end: the real app window under Xvfb, driven through WebKitWebDriver.
# Builds a small library folder (three sample clips, generated fixtures and
# one broken file) and a scale library (two 1080p titles, analysed, with
# 10,000 synthetic pairs), a playback, an ingest and an export library, runs
# tests/e2e/*.test.mjs, leaves screenshots
# in target/e2e/ (app-window.png: the library; review-*.png: the review in
# each compare mode) and the measured latencies (*.json).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
library=$(mktemp -d)
scale=$(mktemp -d)
trap 'rm -rf "$library" "$scale"' EXIT
gen="$root/tests/fixtures/generated"
cp "$root/samples/big_buck_bunny_720p_5s.mp4" "$root/samples/bbb-branch.mp4" "$root/samples/bbb-sky.mp4" "$root/samples/bbb-forest.mp4" "$root/samples/bbb-meadow.mp4" "$library/"
for f in cfr_2997_df.mov rotated_90.mp4 vfr.mp4 not_video.mp4; do cp "$gen/$f" "$library/"; done
mkdir -p "$root/target/e2e"

# The scale library: 1080p titles with 2-second GOPs, as delivered.
for pattern in testsrc2 testsrc; do
  ffmpeg -v error -f lavfi -i "$pattern=size=1920x1080:rate=24" -t 8 \
    -c:v libx264 -preset veryfast -g 48 -pix_fmt yuv420p "$scale/$pattern-1080p.mp4"
done
"$target/debug/matchcut" scan "$scale" --library "$scale" >/dev/null
python3 "$root/tests/e2e/synthetic_pairs.py" "$scale" 10000

# The playback library: a cut from 23.976 H.264 to 29.97 drop-frame H.264,
# one from ProRes (not H.264) to H.264 with sound, one from 29.97 DF to
# DNxHR.
playback=$(mktemp -d)
trap 'rm -rf "$library" "$scale" "$playback"' EXIT
for f in cfr_23976.mp4 cfr_2997_df.mov cfr_25_prores.mov cfr_2997_dnxhr.mov with_audio.mp4; do cp "$gen/$f" "$playback/"; done
"$target/debug/matchcut" scan "$playback" --library "$playback" >/dev/null
python3 "$root/tests/e2e/cut_pairs.py" "$playback" cfr_23976.mp4:cfr_2997_df.mov \
  cfr_25_prores.mov:with_audio.mp4 cfr_2997_df.mov:cfr_2997_dnxhr.mov

# The ingest library: empty, watching an inbox; titles to drop in source/.
ingest=$(mktemp -d)
trap 'rm -rf "$library" "$scale" "$playback" "$ingest"' EXIT
mkdir -p "$ingest/library" "$ingest/inbox" "$ingest/source"
for f in bbb-sky.mp4 bbb-branch.mp4 bbb-meadow.mp4; do cp "$root/samples/$f" "$ingest/source/"; done
cp "$root/samples/big_buck_bunny_720p_5s.mp4" "$ingest/source/bbb-long.mp4"
cp "$gen/not_video.mp4" "$ingest/source/broken.mp4"
"$target/debug/matchcut" settings --library "$ingest/library" --watch "$ingest/inbox" >/dev/null

# The export library: titles at 25, 29.97 drop frame and 23.976, analysed;
# files are saved into out/.
exports=$(mktemp -d)
trap 'rm -rf "$library" "$scale" "$playback" "$ingest" "$exports"' EXIT
mkdir -p "$exports/out"
for f in shots_known.mp4 export_df.mov library_b.mp4; do cp "$gen/$f" "$exports/"; done
"$target/debug/matchcut" scan "$exports" --library "$exports" >/dev/null

export MATCHCUT_APP="$target/debug/matchcut-app"
export MATCHCUT_ROOT="$root"
export MATCHCUT_OTIO_PYTHON="${MATCHCUT_OTIO_PYTHON:-$target/otioenv/bin/python}"
export MATCHCUT_CLI="$target/debug/matchcut"
export MATCHCUT_E2E_LIBRARY="$library"
export MATCHCUT_E2E_SCALE_LIBRARY="$scale"
export MATCHCUT_E2E_PLAYBACK_LIBRARY="$playback"
export MATCHCUT_E2E_INGEST="$ingest"
export MATCHCUT_E2E_EXPORT="$exports"
export XDG_CONFIG_HOME="$ingest/config"   # the recent-libraries list stays out of the user's
export MATCHCUT_E2E_SCREENSHOT="$root/target/e2e/app-window.png"
# Which tests (default all; e.g. MATCHCUT_E2E_TESTS=tests/e2e/export.test.mjs).
export MATCHCUT_E2E_TESTS="${MATCHCUT_E2E_TESTS:-$root/tests/e2e/}"
export TAURI_WEBVIEW_AUTOMATION=true   # lets WebKit hand the window to WebDriver

xvfb-run -a -s "-screen 0 1400x900x24" bash -c '
  port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])")
  WebKitWebDriver --port="$port" >"$(dirname "$MATCHCUT_E2E_SCREENSHOT")/webdriver.log" 2>&1 &
  driver=$!
  trap "kill $driver 2>/dev/null || true" EXIT
  export WEBDRIVER_URL="http://127.0.0.1:$port"
  node --test --test-concurrency=1 $MATCHCUT_E2E_TESTS
'
