#!/usr/bin/env bash
# The 1080p H.264 title the benchmarks decode: the Big Buck Bunny sample,
# looped to 20 s and scaled to 1920x1080, x264 defaults (B-frames, CABAC).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/tests/fixtures/generated/bench_1080p.mp4"
[ -s "$out" ] && exit 0
mkdir -p "$(dirname "$out")"
ffmpeg -hide_banner -loglevel error -nostdin -y -stream_loop 3 -i "$root/samples/big_buck_bunny_720p_5s.mp4" \
  -t 20 -vf scale=1920:1080:flags=lanczos -c:v libx264 -preset fast -crf 20 -pix_fmt yuv420p -an "$out.tmp.mp4"
mv "$out.tmp.mp4" "$out"
