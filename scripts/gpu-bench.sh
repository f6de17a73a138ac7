#!/usr/bin/env bash
# The GPU path measured end to end, on a machine with an NVIDIA GPU, FFmpeg
# built with NVDEC (`ffmpeg -hwaccels` lists cuda) and a built `matchcut`:
#   scripts/gpu-bench.sh TITLE [OUT_DIR]
# MATCHCUT and FFMPEG name the binaries (default: target/release/matchcut,
# else target/debug/matchcut; ffmpeg on the PATH). Prints, and writes to
# OUT_DIR/gpu-bench.json:
#   - the model alone: keyframes/s at batch 16, 64, 256 (descriptor only,
#     and everything a scan asks of a keyframe);
#   - `ffmpeg -i TITLE -f null -` on the CPU and with `-hwaccel cuda`;
#   - `matchcut scan TITLE` into new libraries: all on the CPU, software
#     decoding with the GPU for preprocessing and the model, and all on the
#     GPU (NVDEC); wall time, frames/s, per-stage busy time, peak memory;
#   - whether the three scans propose the same pairs.
set -euo pipefail
title=${1:?usage: scripts/gpu-bench.sh TITLE [OUT_DIR]}
out=${2:-$(mktemp -d)}
root=$(cd "$(dirname "$0")/.." && pwd)
mc=${MATCHCUT:-}
if [ -z "$mc" ]; then
  for c in "$root/target/release/matchcut" "$root/target/debug/matchcut"; do
    [ -x "$c" ] && { mc=$c; break; }
  done
fi
[ -x "$mc" ] || { echo "error: no matchcut binary (build it, or set MATCHCUT)" >&2; exit 1; }
ff=${FFMPEG:-ffmpeg}
mkdir -p "$out"
exec python3 "$root/scripts/gpu-bench/measure.py" "$mc" "$ff" "$title" "$out"
