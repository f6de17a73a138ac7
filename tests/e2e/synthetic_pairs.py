#!/usr/bin/env python3
"""Adds COUNT synthetic candidate pairs to an analysed library, for the
window's scale test: a 10,000-pair list must scroll and select smoothly.

The pairs join real frames of the library's real titles (so the window
decodes real full-resolution frames for them); their shots are numbered
apart from the real ones, one pair per pair of shots, so the ranking keeps
them all. Usage: synthetic_pairs.py LIBRARY COUNT
"""
import random
import sqlite3
import sys
from pathlib import Path


def main() -> None:
    library, count = Path(sys.argv[1]), int(sys.argv[2])
    db = sqlite3.connect(library / ".matchcut" / "library.sqlite")
    titles = db.execute("SELECT content_hash, frame_count FROM titles ORDER BY path").fetchall()
    if len(titles) < 2:
        sys.exit(f"{library}: needs two analysed titles, has {len(titles)}")
    rng = random.Random(17)
    rows = []
    for i in range(count):
        (a, a_frames), (b, b_frames) = titles[i % 2], titles[(i + 1) % 2]
        parts = [round(rng.uniform(0.2, 0.95), 3) for _ in range(6)]
        composition = round(sum(parts) / 6, 4)
        figure = round(rng.uniform(0, 1), 3)
        score = round(1.3 - i * (1.2 / count), 6)
        rows.append((
            f"synthetic{i:08d}", a, 100_000 + i, rng.randrange(a_frames), b, 200_000 + i,
            rng.randrange(b_frames), 0.5, composition, score, 1, 1, *parts, figure,
        ))
    with db:
        db.executemany(
            "INSERT OR REPLACE INTO pairs (id, from_hash, from_shot, from_frame, to_hash, to_shot,"
            " to_frame, descriptor, composition, score, in_exit_list, in_entry_list, light, edges,"
            " lines, subject, objects, salient, figure)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    print(f"{count} synthetic pairs in {library}")


if __name__ == "__main__":
    main()
