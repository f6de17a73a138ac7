"""Scores `matchcut scan`, `duplicates` and `pairs` on a match-cut evaluation
set (see make_set.py): duplicate recall and precision, duplicates and
near-duplicates leaking into the pairs, and scan / re-scan times.

Usage: python3 evaluate.py MATCHCUT_BINARY SET_DIR [--top N] [--sheet OUT.png] [--json OUT]
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time


def run(binary, *args):
    out = subprocess.run([binary, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def publish(report, path):
    """Prints the report, and writes it to `path` when there is one."""
    print(json.dumps(report, indent=1))
    if path:
        with open(path, "w") as f:
            json.dump(report, f, indent=1)


class Truth:
    def __init__(self, set_dir):
        with open(os.path.join(set_dir, "truth.json")) as f:
            self.titles = json.load(f)["titles"]

    def shot(self, path, frame):
        """(title, index, shot) of the ground-truth shot holding `frame`."""
        name = os.path.basename(path)
        for i, s in enumerate(self.titles[name]["shots"]):
            if s["first_frame"] <= frame <= s["last_frame"]:
                return name, i, s
        raise KeyError(f"{name}: frame {frame} in no shot")

    def relation(self, a, b):
        """'same' (one shot), 'duplicate' (same source frames, other title),
        'setup' (same take, same title), 'take' (same take, other title,
        other frames) or 'different'."""
        (ta, ia, sa), (tb, ib, sb) = a, b
        if (ta, ia) == (tb, ib):
            return "same"
        if sa["take"] != sb["take"]:
            return "different"
        if ta == tb:
            return "setup"
        overlap = sa["src_first"] <= sb["src_last"] and sb["src_first"] <= sa["src_last"]
        return "duplicate" if overlap else "take"

    def planted(self):
        """Every planted copy and the original shots its frames come from."""
        out = []
        for name, t in self.titles.items():
            for i, s in enumerate(t["shots"]):
                if not s["transform"]:
                    continue
                originals = [(n, j) for n, u in self.titles.items() if n != name
                             for j, o in enumerate(u["shots"])
                             if self.relation((name, i, s), (n, j, o)) == "duplicate"]
                out.append(((name, i), s["transform"], originals))
        return out


def score_duplicates(truth, groups):
    linked, counts = set(), {"duplicate": 0, "take": 0, "different": 0, "setup": 0, "same": 0}
    for g in groups:
        members = [truth.shot(m["path"], (m["first_frame"] + m["last_frame"]) // 2) for m in g["members"]]
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = members[x], members[y]
                if a[0] == b[0]:
                    continue
                counts[truth.relation(a, b)] += 1
                linked.add(((a[0], a[1]), (b[0], b[1])))
                linked.add(((b[0], b[1]), (a[0], a[1])))
    planted = truth.planted()
    found = [p for p in planted if any((p[0], o) in linked for o in p[2])]
    reported = sum(counts.values())
    return {
        "planted": len(planted),
        "recognised": len(found),
        "recall": len(found) / max(1, len(planted)),
        "missed": [f"{p[0][0]}#{p[0][1]} ({p[1]})" for p in planted if p not in found],
        "links_reported": reported,
        "links_by_truth": counts,
        "precision": (counts["duplicate"] + counts["take"]) / max(1, reported),
        "precision_strict": counts["duplicate"] / max(1, reported),
    }


def score_pairs(truth, pairs, top):
    counts = {"duplicate": 0, "take": 0, "different": 0, "setup": 0, "same": 0}
    top_counts = dict(counts)
    for p in pairs:
        a = truth.shot(p["from"]["path"], p["from"]["frame"])
        b = truth.shot(p["to"]["path"], p["to"]["frame"])
        rel = truth.relation(a, b)
        counts[rel] += 1
        if p["rank"] <= top:
            top_counts[rel] += 1
    return {"pairs": len(pairs), "by_truth": counts, f"top{top}_by_truth": top_counts,
            "duplicates_in_pairs": counts["duplicate"],
            "near_duplicate_leaks": counts["setup"] + counts["same"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("set_dir")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--sheet")
    ap.add_argument("--json")
    args = ap.parse_args()
    truth = Truth(args.set_dir)
    library = tempfile.mkdtemp(prefix="match-eval-")
    try:
        started = time.perf_counter()
        scan = run(args.binary, "scan", args.set_dir, "--library", library, "--json")
        first = time.perf_counter() - started
        started = time.perf_counter()
        run(args.binary, "scan", args.set_dir, "--library", library, "--json")
        again = time.perf_counter() - started
        groups = run(args.binary, "duplicates", "--library", library, "--json")
        pairs = run(args.binary, "pairs", "--library", library, "--top", "1000", "--json")
        if args.sheet:
            subprocess.run([args.binary, "pairs", "--library", library, "--top", str(args.top),
                            "--sheet", args.sheet], check=True, capture_output=True)
    finally:
        shutil.rmtree(library, ignore_errors=True)
    report = {
        "titles": len(scan["titles"]),
        "failed": [t for t in scan["titles"] if t["status"] == "failed"],
        "duplicates": score_duplicates(truth, groups),
        "pairs": score_pairs(truth, pairs, args.top),
        "scan_seconds": round(first, 2),
        "rescan_seconds": round(again, 3),
        "rescan_share": round(again / first, 4),
    }
    publish(report, args.json)


if __name__ == "__main__":
    main()
