"""End-to-end scan benchmark: `matchcut scan` of a 10-minute 1080p title
against `ffmpeg -f null` decoding the same file, in the same run; an
unchanged re-scan against the first scan; and a repairing scan (the title's
lists dropped, as a store from an older version or a damaged one has them)
against the first scan, which must give the same pairs.

The title: one minute of real footage (the evaluation takes, 15 shots,
average shot length about 4 s, as in feature films), 1920x1080 at
24000/1001, x264 defaults, repeated ten times without re-encoding.

Usage: python3 bench_scan.py MATCHCUT_BINARY CACHE_DIR [--json OUT]
"""

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from fractions import Fraction

import make_set
import sources

SPEC = ("scan_minute_1080p23976", 1920, 1080, Fraction(24000, 1001), 6, 15, 0)


def build(cache):
    out = os.path.join(cache, "scan_10min_1080p23976.mp4")
    if os.path.exists(out):
        return out
    os.makedirs(cache, exist_ok=True)
    found = sources.fetch(os.path.join(os.path.dirname(os.path.abspath(cache)), "shot-eval-sources"))
    rng = random.Random(7)
    title = make_set.plan(rng, make_set.takes(), [SPEC])[0]
    shots = make_set.cut_shots(rng, title, found, lengths=(60, 130))
    make_set.build(title, shots, found, cache)
    minute = os.path.join(cache, SPEC[0] + ".mp4")
    listing = os.path.join(cache, "ten.txt")
    with open(listing, "w") as f:
        f.write(f"file '{os.path.basename(minute)}'\n" * 10)
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "concat", "-safe", "0", "-i", listing,
                    "-c", "copy", out + ".tmp.mp4"], check=True)
    os.replace(out + ".tmp.mp4", out)
    return out


def timed(cmd):
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("cache")
    ap.add_argument("--json")
    args = ap.parse_args()
    title = build(args.cache)
    frames = int(subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-count_packets",
                                 "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", title],
                                check=True, capture_output=True, text=True).stdout.strip())
    ffmpeg = min(timed(["ffmpeg", "-v", "error", "-nostdin", "-i", title, "-f", "null", "-"]) for _ in range(2))
    library = tempfile.mkdtemp(prefix="scan-bench-")
    try:
        scan = timed([args.binary, "scan", title, "--library", library, "--json"])
        rescan = timed([args.binary, "scan", title, "--library", library, "--json"])
        list_pairs = lambda: json.loads(subprocess.run(
            [args.binary, "pairs", "--library", library, "--top", "100000", "--json"],
            check=True, capture_output=True, text=True).stdout)
        pairs = list_pairs()
        store = sqlite3.connect(os.path.join(library, ".matchcut", "library.sqlite"))
        store.executescript("UPDATE titles SET indexed = 0; DELETE FROM pairs; DELETE FROM duplicates;")
        store.close()
        repair = timed([args.binary, "scan", title, "--library", library, "--json"])
        repaired_same = sorted(p["id"] for p in list_pairs()) == sorted(p["id"] for p in pairs)
    finally:
        shutil.rmtree(library, ignore_errors=True)
    report = {"title": os.path.basename(title), "frames": frames,
              "ffmpeg_decode_s": round(ffmpeg, 2), "scan_s": round(scan, 2),
              "scan_over_ffmpeg": round(scan / ffmpeg, 3),
              "rescan_s": round(rescan, 3), "rescan_over_scan": round(rescan / scan, 4),
              "repair_s": round(repair, 3), "repair_over_scan": round(repair / scan, 4),
              "repaired_pairs_identical": repaired_same,
              "pairs_listed": len(pairs)}
    print(json.dumps(report, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
