"""Scores motion pairs on the motion evaluation set (make_set.py).

Scans the set's titles into a new library, then reads the library's store:
- **recall@10**: for each exit that moves, the share of its continuations
  (entries of its class, in another title or at least `SCENE_WINDOW + 1`
  shots away, which the product may pair) among the 10 entries its motion
  list holds; the mean over exits. The **baseline** is the same exit's
  frame list (the 10 entries whose framing is most alike), the pairs
  Matchcut proposed before motion.
- **precision@10**: the share of the library's 10 best motion pairs
  (`matchcut pairs --kind motion --top 10`) that are continuations; and of
  every listed motion pair.
- **still shots**: motion pairs with a still end (must be none), and with a
  shot still at both ends.
- **measured motion**: each moving end's measured velocity against the
  truth (median error, in frame sizes a second; zoom in scale a second).

Usage: python3 evaluate.py MATCHCUT SET_DIR LIBRARY [--json OUT] [--sheet OUT.png]
"""

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import time

SCENE_WINDOW = 12  # matching::MatchParams::scene_window
K = 10


def scan(binary, set_dir, library):
    if os.path.exists(library):
        shutil.rmtree(library)
    os.makedirs(library)
    titles = sorted(f for f in os.listdir(set_dir) if f.endswith(".mp4"))
    for t in titles:
        os.symlink(os.path.join(os.path.abspath(set_dir), t), os.path.join(library, t))
    start = time.monotonic()
    out = subprocess.run(
        [binary, "scan", library, "--library", library, "--json"],
        check=True, capture_output=True, text=True,
    )
    report = json.loads(out.stdout)
    failed = [t for t in report["titles"] if t["status"] == "failed"]
    if failed:
        raise SystemExit(f"scan failed: {failed}")
    return time.monotonic() - start


def truth_ends(truth, db):
    """(hash, shot) -> (title, truth shot), by frame range."""
    by_path = {}
    for path, content_hash in db.execute("SELECT path, content_hash FROM titles"):
        by_path[os.path.basename(path)] = content_hash
    out, unmatched = {}, 0
    for name, title in truth["titles"].items():
        h = by_path[name]
        stored = {
            (first, last): shot
            for shot, first, last in db.execute(
                "SELECT shot, first_frame, last_frame FROM shots WHERE content_hash = ?", (h,)
            )
        }
        for i, s in enumerate(title["shots"]):
            shot = stored.get((s["first_frame"], s["last_frame"]))
            if shot is None:
                unmatched += 1
                continue
            out[(h, shot)] = (name, i, s)
    return out, unmatched


def continuations(ends, key, classes):
    """The entries that continue the exit of `key`."""
    name, i, s = ends[key]
    cls = s["exit"]
    out = set()
    for other, (oname, oi, os_) in ends.items():
        if os_["entry"] != cls or other == key:
            continue
        if oname == name and abs(oi - i) <= SCENE_WINDOW:
            continue
        out.add(other)
    return out


def lists(db, where):
    """Each exit's list: (from hash, shot) -> [(to hash, shot)] best first."""
    out = {}
    rows = db.execute(
        f"SELECT from_hash, from_shot, to_hash, to_shot FROM pairs WHERE {where} ORDER BY score DESC, id"
    )
    for fh, fs, th, ts in rows:
        out.setdefault((fh, fs), []).append((th, ts))
    return out


def recall(ends, classes, listed):
    scores = []
    for key, (_, _, s) in ends.items():
        if s["exit"] == "still":
            continue
        truth = continuations(ends, key, classes)
        if not truth:
            continue
        found = set(listed.get(key, [])[:K])
        scores.append(len(found & truth) / len(truth))
    return statistics.mean(scores) if scores else 0.0, len(scores)


def is_continuation(ends, a, b):
    return a in ends and b in ends and ends[a][2]["exit"] != "still" and ends[a][2]["exit"] == ends[b][2]["entry"]


def measured_errors(ends, classes, db):
    errors = {"camera": [], "zoom": [], "subject": []}
    for (h, shot), (_, _, s) in ends.items():
        row = db.execute("SELECT motion FROM shots WHERE content_hash = ? AND shot = ?", (h, shot)).fetchone()
        if not row or not row[0]:
            continue
        m = json.loads(row[0])
        for side in ("entry", "exit"):
            cls = s[side]
            if cls == "still":
                continue
            kind, v = classes[cls]["kind"], classes[cls]["velocity"]
            end = m[side]
            if kind == "camera":
                got = (end["pan"], end["tilt"])
            elif kind == "zoom":
                got = (end["zoom"], end["roll"])
            else:
                got = tuple(end["subject"])
            errors[kind].append(((got[0] - v[0]) ** 2 + (got[1] - v[1]) ** 2) ** 0.5)
    return {k: round(statistics.median(v), 4) if v else None for k, v in errors.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("set_dir")
    parser.add_argument("library")
    parser.add_argument("--json")
    parser.add_argument("--sheet")
    args = parser.parse_args()
    with open(os.path.join(args.set_dir, "truth.json")) as f:
        truth = json.load(f)
    classes = truth["classes"]
    seconds = scan(args.binary, args.set_dir, args.library)
    db = sqlite3.connect(os.path.join(args.library, ".matchcut", "library.sqlite"))
    ends, unmatched = truth_ends(truth, db)
    motion = lists(db, "kind = 'motion'")
    frame = lists(db, "kind = 'frame' AND in_exit_list = 1")
    motion_recall, queries = recall(ends, classes, motion)
    frame_recall, _ = recall(ends, classes, frame)
    top = json.loads(subprocess.run(
        [args.binary, "pairs", "--library", args.library, "--kind", "motion", "--top", str(K), "--json"]
        + (["--sheet", args.sheet] if args.sheet else []),
        check=True, capture_output=True, text=True,
    ).stdout)
    key = lambda end: (end["content_hash"], end["shot"])  # noqa: E731
    top_right = sum(is_continuation(ends, key(p["from"]), key(p["to"])) for p in top)
    all_pairs = [(a, b) for a, bs in motion.items() for b in bs]
    all_right = sum(is_continuation(ends, a, b) for a, b in all_pairs)
    still_exit = sum(1 for a, _ in all_pairs if a in ends and ends[a][2]["exit"] == "still")
    still_entry = sum(1 for _, b in all_pairs if b in ends and ends[b][2]["entry"] == "still")
    still_shots = {k for k, (_, _, s) in ends.items() if s["entry"] == "still" and s["exit"] == "still"}
    with_still_shot = sum(1 for a, b in all_pairs if a in still_shots or b in still_shots)
    report = {
        "titles": len(truth["titles"]),
        "shots": sum(len(t["shots"]) for t in truth["titles"].values()),
        "shots_not_found": unmatched,
        "queries": queries,
        "recall_at_10": round(motion_recall, 3),
        "frame_baseline_recall_at_10": round(frame_recall, 3),
        "precision_at_10": round(top_right / max(len(top), 1), 3),
        "top_listed": len(top),
        "motion_pairs": len(all_pairs),
        "motion_pairs_right": all_right,
        "pairs_with_a_still_end": still_exit + still_entry,
        "still_shots": len(still_shots),
        "pairs_with_a_still_shot": with_still_shot,
        "median_error": measured_errors(ends, classes, db),
        "scan_seconds": round(seconds, 1),
    }
    print(json.dumps(report, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
