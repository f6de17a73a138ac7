#!/usr/bin/env python3
"""Adds candidate pairs joining given titles of an analysed library, for
the window's playback test: each pair cuts from the last frame of the
first title's first shot to the first frame of the second title's first
shot, so the cut has frames either side to play and to trim.
The titles may be one piece of footage (test patterns): they are not
marked as duplicates here.

Usage: cut_pairs.py LIBRARY FROM_FILE:TO_FILE [FROM_FILE:TO_FILE ...]
"""
import sqlite3
import sys
from pathlib import Path


def main() -> None:
    library = Path(sys.argv[1])
    db = sqlite3.connect(library / ".matchcut" / "library.sqlite")
    hashes = {Path(path).name: h for h, path in db.execute("SELECT content_hash, path FROM titles")}
    rows = []
    for n, spec in enumerate(sys.argv[2:]):
        a, b = (hashes[name] for name in spec.split(":"))
        # Test patterns may be set aside as graphics; their shots still count.
        shot = lambda h: db.execute(
            "SELECT shot, first_frame, last_frame FROM shots WHERE content_hash = ?1"
            " UNION ALL SELECT shot, first_frame, last_frame FROM set_aside WHERE content_hash = ?1"
            " ORDER BY shot LIMIT 1",
            (h,),
        ).fetchone()
        (a_shot, _, a_last), (b_shot, b_first, _) = shot(a), shot(b)
        rows.append((f"cut{n:02d}", a, a_shot, a_last, b, b_shot, b_first, 0.9, 0.9, 2.0 - n * 0.1))
    with db:
        # The fixtures are one test pattern at several rates and codecs: as
        # footage they are duplicates, which the ranking keeps apart. Here
        # they stand for different titles.
        db.execute("DELETE FROM duplicates")
        db.execute("DELETE FROM pairs")
        db.executemany(
            "INSERT INTO pairs (id, from_hash, from_shot, from_frame, to_hash, to_shot, to_frame,"
            " descriptor, composition, score, in_exit_list, in_entry_list)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1)",
            rows,
        )
    print(f"{len(rows)} cut pairs in {library}")


if __name__ == "__main__":
    main()
