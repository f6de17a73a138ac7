"""Precision of the top of the candidate list on a real film, against labels
judged by eye (labels.json).

`fetch.sh` puts the film and its two parts in tests/fixtures/film/. Each of
`bbb.mp4` (`full`), `tuned.mp4` (the first 4:57, where thresholds and
weights were chosen) and `heldout.mp4` (the rest, never looked at while
tuning) is scanned into a library of its own under LIBRARIES (memoised: a
re-run costs a re-scan check) and ranked by `matchcut pairs --json`.

A pair is keyed by its two shots in the whole film ("OUT>IN", shot numbers
of the film's `shots/3` segmentation, whose frame ranges labels.json records
and this script checks); a part's shots are mapped onto the film's by their
frames. Labels: `match` (a framing match an editor would use), `setup` (one
camera set-up, or one place and subject), `blank` (a dark, faded, flat,
title or credits frame at either end), `unrelated`. Precision@N counts
`match`. Unlabelled pairs are listed so they can be judged and added. The
labels judge framing, so the list scored is the frame pairs'
(`--kind frame`); how many motion pairs the whole list's top N holds is
reported beside it (scripts/motion-eval/ scores those).

Usage: python3 evaluate.py MATCHCUT FILM_DIR LIBRARIES [--top 20] [--json OUT]
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(binary, *args):
    out = subprocess.run([binary, *args], check=True, capture_output=True, text=True)
    return out.stdout


def shot_ranges(binary, film):
    titles = json.loads(run(binary, "shots", "--json", film))
    return {s["index"]: (s["first_frame"], s["last_frame"]) for s in titles[0]["shots"]}


def film_shot(ranges, frame):
    """The film's shot holding `frame`."""
    return next((n for n, (a, b) in ranges.items() if a <= frame <= b), None)


def score(pairs, labels, film, part_ranges, offset, top):
    def to_film(shot):
        a, b = part_ranges[shot]
        return film_shot(film, offset + (a + b) // 2)

    rows, counts = [], {}
    for rank, p in enumerate(pairs[:top], 1):
        key = f'{to_film(p["from"]["shot"])}>{to_film(p["to"]["shot"])}'
        label = labels.get(key, {}).get("label", "unlabelled")
        counts[label] = counts.get(label, 0) + 1
        rows.append({"rank": rank, "key": key, "label": label, "score": p["score"],
                     "from_frame": offset + p["from"]["frame"], "to_frame": offset + p["to"]["frame"],
                     "components": p.get("components", {})})
    # Fewer than n pairs listed: the missing ones count as not matches.
    at = lambda n: sum(r["label"] == "match" for r in rows[:n]) / n
    return {"precision_at_10": at(10), "precision_at_20": at(20), "counts": counts, "pairs": rows}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("film_dir")
    ap.add_argument("libraries")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--json")
    args = ap.parse_args()
    with open(os.path.join(HERE, "labels.json")) as f:
        spec = json.load(f)
    film = shot_ranges(args.binary, os.path.join(args.film_dir, "bbb.mp4"))
    for key, want in spec["shots"].items():
        if tuple(film.get(int(key), ())) != tuple(want):
            sys.exit(f"shot {key} is {film.get(int(key))}, the labels were judged on {want}")
    report = {}
    for part, name, offset in (("full", "bbb.mp4", 0), ("tuned", "tuned.mp4", 0),
                               ("heldout", "heldout.mp4", spec["heldout_offset"])):
        path, library = os.path.join(args.film_dir, name), os.path.join(args.libraries, part)
        run(args.binary, "scan", path, "--library", library)
        pairs = json.loads(run(args.binary, "pairs", "--library", library, "--top", str(args.top),
                               "--kind", "frame", "--json"))
        r = score(pairs, spec["labels"], film, shot_ranges(args.binary, path), offset, args.top)
        both = json.loads(run(args.binary, "pairs", "--library", library, "--top", str(args.top), "--json"))
        r["motion_in_top"] = sum(p["kind"] == "motion" for p in both)
        report[part] = r
        p10, p20 = r["precision_at_10"], r["precision_at_20"]
        fmt = lambda v: "n/a" if v is None else f"{v:.2f}"
        print(f"{part:8} P@10 {fmt(p10)}  P@20 {fmt(p20)}  {r['counts']}  "
              f"(motion pairs in the whole list's top {args.top}: {r['motion_in_top']})")
        for row in r["pairs"]:
            if row["label"] == "unlabelled":
                print(f"    unlabelled #{row['rank']} {row['key']} (frames {row['from_frame']} -> {row['to_frame']})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
