"""Re-used footage between a film and a trailer cut from it (trailer.py):
how many of the trailer's re-used shots `matchcut duplicates` links to the
film shot they were cut from, whether any pair joins a trailer shot with
its source, and which other links there are.

The film and the trailer are scanned into LIBRARY (memoised by the
library). A trailer shot of the scan belongs to the trailer segment that
holds its middle frame; a film shot is a segment's source when its frames
hold the segment's film frames (labels.json records the film's shots).

Usage: python3 trailer_eval.py MATCHCUT FILM_DIR LIBRARY [--json OUT]
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from evaluate import publish, run  # noqa: E402  (the set scorer's helpers)


class Truth:
    def __init__(self, film_dir):
        with open(os.path.join(film_dir, "trailer.json")) as f:
            self.segments = json.load(f)["segments"]
        with open(os.path.join(HERE, "labels.json")) as f:
            self.film_shots = {int(k): tuple(v) for k, v in json.load(f)["shots"].items()}

    def segment(self, frame):
        """Index of the trailer segment showing `frame` alone, or None."""
        return next((i for i, s in enumerate(self.segments)
                     if s["first_frame"] <= frame <= s["last_frame"]), None)

    def film_shot(self, frame):
        return next((n for n, (a, b) in self.film_shots.items() if a <= frame <= b), None)

    def reused(self):
        return [i for i, s in enumerate(self.segments) if s["film_shot"] is not None]


def side(truth, member, trailer_name):
    """('trailer', segment) or ('film', film shot) of a shot (path and frames)."""
    middle = (member["first_frame"] + member["last_frame"]) // 2
    if os.path.basename(member["path"]) == trailer_name:
        return "trailer", truth.segment(middle)
    return "film", truth.film_shot(middle)


def score(truth, groups, pairs, trailer_name):
    links = set()
    for g in groups:
        ends = [side(truth, m, trailer_name) for m in g["members"]]
        for kind, seg in ends:
            if kind != "trailer" or seg is None:
                continue
            links.update((seg, shot) for k, shot in ends if k == "film")
    reused = truth.reused()
    linked = [i for i in reused if (i, truth.segments[i]["film_shot"]) in links]
    others = sorted((seg, shot) for seg, shot in links
                    if seg in reused and shot != truth.segments[seg]["film_shot"])
    card_links = sorted((seg, shot) for seg, shot in links if seg not in reused)
    offered = []
    for p in pairs:
        ends = []
        for end in (p["from"], p["to"]):
            member = {"path": end["path"], "first_frame": end["frame"], "last_frame": end["frame"]}
            ends.append(side(truth, member, trailer_name))
        kinds = {k for k, _ in ends}
        if kinds != {"trailer", "film"}:
            continue
        seg = next(s for k, s in ends if k == "trailer")
        shot = next(s for k, s in ends if k == "film")
        if seg in reused and truth.segments[seg]["film_shot"] == shot:
            offered.append({"rank": p["rank"], "segment": seg, "film_shot": shot})
    return {
        "reused": len(reused),
        "linked": len(linked),
        "share_linked": len(linked) / max(1, len(reused)),
        "missed": [{"segment": i, "film_shot": truth.segments[i]["film_shot"],
                    "treatment": truth.segments[i]["treatment"]} for i in reused if i not in linked],
        "other_links": [{"segment": s, "film_shot": f} for s, f in others],
        "card_links": [{"segment": s, "film_shot": f} for s, f in card_links],
        "offered_with_source": offered,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("film_dir")
    ap.add_argument("library")
    ap.add_argument("--json")
    args = ap.parse_args()
    subprocess.run([sys.executable, os.path.join(HERE, "trailer.py"), args.film_dir], check=True)
    truth = Truth(args.film_dir)
    film, trailer = (os.path.join(args.film_dir, n) for n in ("bbb.mp4", "trailer.mp4"))
    run(args.binary, "scan", film, trailer, "--library", args.library, "--json")
    groups = run(args.binary, "duplicates", "--library", args.library, "--json")
    pairs = run(args.binary, "pairs", "--library", args.library, "--top", "5000", "--json")
    publish(score(truth, groups, pairs, "trailer.mp4"), args.json)


if __name__ == "__main__":
    main()
