#!/usr/bin/env bash
# Fetches the full *Big Buck Bunny* (10 min, 1280x720, 24 fps, (c) 2008
# Blender Foundation, CC-BY 3.0) from the moviepy 2.1.2 source distribution
# on PyPI, into tests/fixtures/film/ (never committed), and checks its sha256.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out="$root/tests/fixtures/film"
film="$out/bbb.mp4"
want=475fbbf34c4c367998f80c29ea03b15a743941179b12da3373fc6706e68621d0
split() {
    # The two parts evaluate.py scores apart, as stream copies (no
    # re-encoding): frames 0-7128 ("tuned") and 7131 on ("heldout", from the
    # keyframe that starts shot 76, 00:04:57:03).
    [ -f "$out/tuned.mp4" ] || ffmpeg -v error -y -i "$film" -map 0 -c copy -t 297.0 "$out/tuned.mp4"
    [ -f "$out/heldout.mp4" ] || ffmpeg -v error -y -ss 297.125 -i "$film" -map 0 -c copy "$out/heldout.mp4"
}
if [ -f "$film" ] && echo "$want  $film" | sha256sum -c --quiet 2>/dev/null; then
    split
    exit 0
fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --no-binary :all: --dest "$work" moviepy==2.1.2
tar -xzf "$work"/moviepy-2.1.2.tar.gz -C "$work" \
    moviepy-2.1.2/docs/_static/medias/getting_started/moviepy_10_minutes/moviepy_10_minutes.zip
python3 - "$work" "$film.part" <<'PY'
import shutil, sys, zipfile
work, dest = sys.argv[1:3]
archive = f"{work}/moviepy-2.1.2/docs/_static/medias/getting_started/moviepy_10_minutes/moviepy_10_minutes.zip"
with zipfile.ZipFile(archive) as z, z.open("moviepy_10_minutes/resources/bbb.mp4") as src, open(dest, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
echo "$want  $film.part" | sha256sum -c --quiet
mv "$film.part" "$film"
split
echo "fetched $film"
