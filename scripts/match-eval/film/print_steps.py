"""How alike consecutive footage prints of a shot are in the benchmark film,
and how many searches covering them leaves (`catalogue::cover`): the
figures `benches/common/titles.rs` (its step quantiles) and the README's
"Catalogue scale, measured" quote.

Prints approximated with FFmpeg: one frame in 8 (the capture stride), luma
area-averaged to the 16x9 grid, less its mean, as `matching::footage`
makes them; shots from labels.json (the film's `shots/3` segmentation).
Run `fetch.sh` first. Plain Python (no NumPy): about a minute.

    python3 scripts/match-eval/film/print_steps.py
"""

import json
import math
import operator
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILM = HERE.parents[2] / "tests" / "fixtures" / "film" / "bbb.mp4"
GRID = 16 * 9
STRIDE = 8
GATE = 0.9
RADII = [0.05, 0.1, 0.15, 0.2, 0.3]


def dot(a, b):
    return sum(map(operator.mul, a, b))


def prints():
    """Unit-length prints of frames 0, STRIDE, 2*STRIDE, ... (None: flat)."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(FILM), "-vf",
         f"select=not(mod(n\\,{STRIDE})),scale=16:9:flags=area,format=gray",
         "-vsync", "0", "-f", "rawvideo", "-"],
        check=True, capture_output=True).stdout
    out = []
    for i in range(0, len(raw) - GRID + 1, GRID):
        cells = list(raw[i:i + GRID])
        mean = sum(cells) / GRID
        v = [c - mean for c in cells]
        n = math.sqrt(dot(v, v))
        out.append([x / n for x in v] if n > 1e-6 else None)
    return out


def quantile(sorted_values, q):
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def main():
    if not FILM.exists():
        sys.exit(f"{FILM}: missing (run {HERE / 'fetch.sh'})")
    labels = json.loads((HERE / "labels.json").read_text())
    all_prints = prints()
    shots = {}
    for sid, (first, last) in labels["shots"].items():
        rows = [f // STRIDE for f in range(first, last + 1) if f % STRIDE == 0]
        rows = [r for r in rows if r < len(all_prints) and all_prints[r] is not None]
        if rows:
            shots[int(sid)] = [all_prints[r] for r in rows]
    steps = sorted(dot(a, b) for ps in shots.values() for a, b in zip(ps, ps[1:]))
    total = sum(len(ps) for ps in shots.values())
    print(f"{total} prints in {len(shots)} shots; {len(steps)} steps: "
          f"mean {sum(steps) / len(steps):.3f}")
    qs = [0, 0.02, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1]
    print("step quantiles: " + ", ".join(f"{q}: {quantile(steps, q):.3f}" for q in qs))
    flat = [(s, p) for s, ps in shots.items() for p in ps]

    def others(query, shot, gate):
        return sum(1 for s, p in flat if s != shot and dot(query, p) >= gate)

    alone = [others(p, s, GATE) for s, p in flat]
    print(f"gate {GATE}: prints of other shots found a search: {sum(alone) / len(alone):.2f}")
    for radius in RADII:
        searches, found = 0, 0
        for s, ps in shots.items():
            left = list(ps)
            while left:
                centre = left[0]
                angles = [math.acos(max(-1.0, min(1.0, dot(centre, p)))) for p in left]
                reach = max(a for a in angles if a <= radius)
                left = [p for p, a in zip(left, angles) if a > radius]
                searches += 1
                found += others(centre, s, math.cos(math.acos(GATE) + reach))
        print(f"radius {radius}: {searches / total:.2f} searches a print; "
              f"prints of other shots found a search: {found / searches:.2f}")


if __name__ == "__main__":
    main()
