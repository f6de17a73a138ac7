"""Cuts a trailer from the film the way trailer editors re-use footage: shots
trimmed at both ends, faded in and out, slowed down, re-graded, re-framed,
with titles lettered over them, joined by dissolves and a white flash, with
title cards between them, at another size and frame rate (960x540, 25 fps).

Usage: python3 trailer.py FILM_DIR
Reads FILM_DIR/bbb.mp4 and ../labels.json (the film's shots); writes
FILM_DIR/trailer.mp4 and FILM_DIR/trailer.json:
{"frame_rate": "25/1", "segments": [{"first_frame", "last_frame",
  "film_shot" (null for a card), "film_first", "film_last", "treatment"}]}
Trailer frames are 0-based; first_frame..last_frame is where the segment is
shown alone (a dissolve's frames belong to neither side).
"""

import json
import os
import subprocess
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
RATE = Fraction(25)
FILM_RATE = Fraction(24)
SIZE = (960, 540)
VERSION = 1

# (film shot, film first frame, film last frame, treatments); a card is
# ("card", text, seconds). Treatments: fadein, fadeout, slow2, slow15,
# text, grade, reframe; "dissolve" joins the segment to the next one.
PLAN = [
    ("card", "A BLENDER FOUNDATION FILM", 2.0),
    (5, 900, 1000, ["fadein"]),
    (14, 1980, 2060, ["text"]),
    (18, 2550, 2650, ["slow2", "dissolve"]),
    (23, 3200, 3300, []),
    (32, 4100, 4180, ["fadeout"]),
    ("card", "THIS SPRING", 1.5),
    (54, 5650, 5750, ["text", "grade"]),
    (87, 7800, 7900, ["slow15", "dissolve"]),
    (91, 8400, 8500, ["flash"]),
    (95, 9200, 9290, ["reframe"]),
    (102, 9620, 9700, ["grade"]),
    (119, 10480, 10560, ["text"]),
    ("card", "BIG BUCK BUNNY", 2.0),
    (129, 11380, 11480, ["slow2", "fadeout"]),
]
DISSOLVE = 0.5  # seconds
FLASH = 2  # white frames


def frames(seconds):
    return round(seconds * RATE)


def segment_filter(entry, source):
    """(filter chain from the film's copy `source`, or a card; length in
    trailer frames)."""
    w, h = SIZE
    if entry[0] == "card":
        _, text, seconds = entry
        n = frames(seconds)
        chain = (f"color=c=black:s={w}x{h}:r={RATE}:d={seconds},"
                 f"drawtext=text='{text}':fontcolor=white:fontsize=44:"
                 "x=(w-text_w)/2:y=(h-text_h)/2,"
                 f"fade=t=in:d=0.3,fade=t=out:st={seconds - 0.3}:d=0.3,"
                 "format=yuv420p,setsar=1")
        return chain, n
    _, first, last, treat = entry
    speed = 2.0 if "slow2" in treat else 1.5 if "slow15" in treat else 1.0
    seconds = (last - first + 1) / float(FILM_RATE) * speed
    n = frames(seconds)
    parts = [f"trim=start_frame={first}:end_frame={last + 1}", "setpts=PTS-STARTPTS"]
    if speed != 1.0:
        parts.append(f"setpts={speed}*PTS")
    parts += [f"fps={RATE}", f"trim=end_frame={n}"]
    if "reframe" in treat:  # pushed in 12 %, towards the upper left
        parts.append("crop=iw/1.12:ih/1.12:iw*0.04:ih*0.03")
    parts.append(f"scale={w}:{h}")
    if "grade" in treat:
        parts += ["eq=contrast=1.25:saturation=0.6:gamma=0.9", "colorbalance=rs=-0.05:bs=0.1"]
    if "text" in treat:
        parts.append("drawtext=text='NOBODY MESSES WITH THE BUNNY':fontcolor=white:fontsize=40:"
                     "borderw=2:x=(w-text_w)/2:y=h*0.78")
    if "fadein" in treat:
        parts.append("fade=t=in:d=0.6")
    if "fadeout" in treat:
        parts.append(f"fade=t=out:st={n / float(RATE) - 0.6:.3f}:d=0.6")
    parts += ["setsar=1", "format=yuv420p"]
    return f"[{source}]" + ",".join(parts), n


def build(film, out_dir):
    uses = [i for i, e in enumerate(PLAN) if e[0] != "card"]
    graph = ["[0:v]split=" + str(len(uses)) + "".join(f"[v{i}]" for i in uses)]
    lengths = []
    for i, entry in enumerate(PLAN):
        chain, n = segment_filter(entry, f"v{i}")
        graph.append(f"{chain},settb=1/{RATE},setpts=N[s{i}]")
        lengths.append(n)
    # Join left to right: a dissolve overlaps the next segment, a flash
    # puts white frames between.
    w, h = SIZE
    current, length, starts = "s0", lengths[0], [0]
    for i in range(1, len(PLAN)):
        prev = PLAN[i - 1]
        treat = prev[3] if prev[0] != "card" else []
        label = f"j{i}"
        if "dissolve" in treat:
            d = frames(DISSOLVE)
            graph.append(f"[{current}][s{i}]xfade=transition=fade:duration={DISSOLVE}:"
                         f"offset={(length - d) / float(RATE):.3f},settb=1/{RATE},setpts=N[{label}]")
            starts.append(length - d)
            length += lengths[i] - d
        elif "flash" in treat:
            graph.append(f"color=c=white:s={w}x{h}:r={RATE}:d={FLASH / float(RATE)},"
                         f"format=yuv420p,setsar=1,settb=1/{RATE},setpts=N[f{i}]")
            graph.append(f"[{current}][f{i}][s{i}]concat=n=3:v=1:a=0,settb=1/{RATE},setpts=N[{label}]")
            starts.append(length + FLASH)
            length += FLASH + lengths[i]
        else:
            graph.append(f"[{current}][s{i}]concat=n=2:v=1:a=0,settb=1/{RATE},setpts=N[{label}]")
            starts.append(length)
            length += lengths[i]
        current = label
    out = os.path.join(out_dir, "trailer.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", film, "-filter_complex",
                    ";".join(graph), "-map", f"[{current}]", "-an", "-c:v", "libx264", "-preset",
                    "veryfast", "-crf", "21", "-pix_fmt", "yuv420p", "-r", str(RATE), out],
                   check=True)
    return segments(starts, lengths)


def segments(starts, lengths):
    """Each segment's frames shown alone (outside dissolves)."""
    out = []
    d = frames(DISSOLVE)
    for i, entry in enumerate(PLAN):
        first, last = starts[i], starts[i] + lengths[i] - 1
        if i > 0 and PLAN[i - 1][0] != "card" and "dissolve" in PLAN[i - 1][3]:
            first += d
        if entry[0] != "card" and "dissolve" in entry[3]:
            last -= d
        seg = {"first_frame": first, "last_frame": last}
        if entry[0] == "card":
            seg.update(film_shot=None, treatment=["card"], text=entry[1])
        else:
            seg.update(film_shot=entry[0], film_first=entry[1], film_last=entry[2],
                       treatment=entry[3])
        out.append(seg)
    return out


def main():
    film_dir = sys.argv[1]
    out_json = os.path.join(film_dir, "trailer.json")
    if os.path.exists(out_json) and json.load(open(out_json)).get("version") == VERSION:
        return
    with open(os.path.join(HERE, "labels.json")) as f:
        shots = json.load(f)["shots"]
    for entry in PLAN:
        if entry[0] != "card":
            lo, hi = shots[str(entry[0])]
            assert lo <= entry[1] <= entry[2] <= hi, f"film shot {entry[0]} is {lo}-{hi}"
    segs = build(os.path.join(film_dir, "bbb.mp4"), film_dir)
    with open(out_json, "w") as f:
        json.dump({"version": VERSION, "frame_rate": f"{RATE.numerator}/{RATE.denominator}",
                   "segments": segs}, f, indent=1)
    print(f"built {film_dir}/trailer.mp4", file=sys.stderr)


if __name__ == "__main__":
    main()
