"""Shot-segmentation benchmark: accuracy of `matchcut shots` and of
PySceneDetect (ContentDetector, AdaptiveDetector) on the evaluation set, and
speed of each against `ffmpeg -f null` decoding of the same 1080p title, all
in one run.

Usage: python bench.py MATCHCUT_BINARY SET_DIR [--json OUT]
(run with a Python that has scenedetect-headless; `make bench` sets one up).
"""

import argparse
import json
import os
import subprocess
import sys
import time

from score import Tally

SPEED_TITLE = "eval_f_1080p23976.mp4"


def ours(binary, paths):
    out = subprocess.run([binary, "shots", "--json", *paths], check=True,
                         capture_output=True, text=True).stdout
    return {os.path.basename(d["path"]): d["transitions"] for d in json.loads(out)}


def pyscenedetect(path, detector):
    """Cuts PySceneDetect finds, as one-frame transitions (default settings)."""
    from scenedetect import AdaptiveDetector, ContentDetector, detect
    det = ContentDetector() if detector == "content" else AdaptiveDetector()
    scenes = detect(path, det)
    return [{"kind": "cut", "from_frame": s.frame_num - 1, "to_frame": s.frame_num}
            for s, _ in scenes[1:]]


def accuracy(binary, set_dir, truth):
    paths = [os.path.join(set_dir, name) for name in truth]
    found = {"matchcut": ours(binary, paths)}
    for det in ("content", "adaptive"):
        found[f"pyscenedetect-{det}"] = {os.path.basename(p): pyscenedetect(p, det) for p in paths}
    table = {}
    for tool, per_title in found.items():
        tally = Tally()
        for name, t in truth.items():
            tally.add(per_title[name], t["transitions"])
        table[tool] = tally.summary()
    return table


def timed(cmd, repeats=3):
    best = None
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    return best


def speed(binary, path, frames):
    py = sys.executable
    runs = {
        "ffmpeg -f null (decode)": ["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"],
        "matchcut shots": [binary, "shots", "--json", path],
        "pyscenedetect content": [py, "-m", "scenedetect", "-q", "-i", path, "detect-content"],
        "pyscenedetect adaptive": [py, "-m", "scenedetect", "-q", "-i", path, "detect-adaptive"],
    }
    return {name: frames / timed(cmd) for name, cmd in runs.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("set_dir")
    ap.add_argument("--json")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args()
    with open(os.path.join(args.set_dir, "truth.json")) as f:
        truth = json.load(f)["titles"]
    report = {"accuracy": accuracy(args.binary, args.set_dir, truth)}
    counts = {k: sum(1 for t in truth.values() for x in t["transitions"] if x["kind"] == k)
              for k in ("cut", "dissolve", "fade")}
    print(f"shot evaluation set: {len(truth)} titles, {sum(counts.values())} transitions {counts}, "
          f"tolerance ±2 frames")
    keys = ["f1", "precision", "recall", "cut_recall", "cut_precision", "cut_exact",
            "dissolve_recall", "fade_recall", "gradual_recall", "gradual_mean_boundary_error"]
    labels = ["F1", "prec", "recall", "cut R", "cut P", "cut exact", "dissolve R", "fade R",
              "gradual R", "grad err"]
    print(f"{'':24}" + "".join(f"{k:>11}" for k in labels))
    for tool, s in report["accuracy"].items():
        print(f"{tool:24}" + "".join(f"{s[k]:11.3f}" for k in keys))
    if not args.no_speed:
        path = os.path.join(args.set_dir, SPEED_TITLE)
        fps = speed(args.binary, path, truth[SPEED_TITLE]["frame_count"])
        report["speed_fps"] = fps
        base = fps["pyscenedetect content"]
        print(f"speed on {SPEED_TITLE} ({truth[SPEED_TITLE]['frame_count']} frames, 1080p), best of 3:")
        for name, v in fps.items():
            print(f"  {name:26} {v:8.1f} frames/s  {v / base:5.2f}x PySceneDetect content  "
                  f"{v / fps['ffmpeg -f null (decode)']:5.2f}x ffmpeg decode")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
