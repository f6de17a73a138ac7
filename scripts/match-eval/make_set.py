"""Builds the match-cut evaluation set: titles cut from takes of real footage
(the shot-evaluation sources), each title interleaving a few camera set-ups
(shot/reverse-shot style), with duplicate footage planted across titles.

- A **take** is one single-shot range of a source clip. Each title uses its
  own takes, each with one framing (crop, zoom, flip): a take in a title is
  one set-up, and its shots are consecutive pieces of it, cut back to
  again and again. Shots of one set-up are near-duplicates.
- **Planted duplicates**: later titles re-use shots of earlier titles (the
  same source frames and framing) with one transform: re-encoded at low
  quality, re-graded, resized (down and up), cropped by 10 % or zoomed by
  15 % off-centre. Titles differ in size and frame rate as well. The copies
  are cut in one of four ways: as the original (`same`), entering through a
  dissolve from the shot before (`dissolve`), trimmed at both ends
  (`trimmed`), or longer than the original, into the pieces of its take
  around it (`longer`): their boundaries differ from the original's.
- No take appears in two titles except as a planted duplicate, so any other
  cross-title link is a false duplicate.

Usage: python3 make_set.py OUT_DIR [--seed-offset N]
Writes OUT_DIR/<title>.mp4 and OUT_DIR/truth.json:
{"titles": {"<title>.mp4": {"frame_rate", "shots": [{"first_frame",
  "last_frame", "take", "src_first", "src_last", "transform", "cut"}]}}}
(shot i ends where shot i+1 begins; a dissolve is split at its middle).
"""

import json
import os
import random
import subprocess
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "shot-eval"))
import sources  # noqa: E402

VERSION = 5

# name, width, height, rate, set-ups, interleaved shots, planted duplicates
TITLES = [
    ("match_a_720p25", 1280, 720, Fraction(25), 3, 12, 0),
    ("match_b_1080p23976", 1920, 1080, Fraction(24000, 1001), 3, 12, 4),
    ("match_c_540p2997", 960, 540, Fraction(30000, 1001), 3, 12, 6),
]
# Footage whose licence lets its frames appear in our docs (the contact
# sheet): not `ball` (GPL-3) nor `dog` (CC-BY-SA-4.0).
EXCLUDED = {"ball", "dog"}
TRANSFORMS = ["reencode", "grade", "resize", "crop10", "zoom15"]
CUTS = ["same", "dissolve", "trimmed", "longer"]
DISSOLVE = 10  # frames


def takes():
    """Every single-shot range of every source: (take id, source, first, last)."""
    out = []
    for s in sources.SOURCES:
        if s.name in EXCLUDED:
            continue
        for i, (first, last) in enumerate(s.ranges):
            out.append((f"{s.name}{i}" if len(s.ranges) > 1 else s.name, s, first, last))
    return out


def plan(rng, all_takes, specs=TITLES):
    """Per title: set-ups (take + framing) and the interleaved shot order."""
    pool = list(all_takes)
    rng.shuffle(pool)
    long_first = sorted(pool, key=lambda t: -(t[3] - t[2]))
    titles, used = [], set()
    for name, w, h, rate, n_setups, n_shots, n_dups in specs:
        setups = [t for t in long_first if t[0] not in used][:n_setups]
        used.update(t[0] for t in setups)
        framing = {t[0]: {"zoom": rng.uniform(1.0, 1.3), "fx": rng.random(), "fy": rng.random(),
                          "flip": rng.random() < 0.3} for t in setups}
        order, last = [], None
        for _ in range(n_shots):
            pick = rng.choice([t for t in setups if t[0] != last])
            order.append(pick)
            last = pick[0]
        titles.append({"name": name, "size": (w, h), "rate": rate, "order": order,
                       "framing": framing, "dups": n_dups})
    return titles


def cut_shots(rng, title, found, lengths=(20, 45)):
    """Each shot's source range: consecutive pieces of its take."""
    cursor, shots = {}, []
    for take_id, src, first, last in title["order"]:
        ratio = found[src.name][1]["rate"] / float(title["rate"])
        frames = min(rng.randint(*lengths), int((last - first - 1) / ratio))
        need = int(frames * ratio) + 2
        start = cursor.get(take_id, first)
        if start + need > last + 1:
            start = first
        cursor[take_id] = start + need
        shots.append({"take": take_id, "source": src.name, "src_first": start,
                      "src_last": min(last, start + need - 1), "frames": frames,
                      "take_range": (first, last), "ratio": ratio,
                      "framing": title["framing"][take_id], "transform": None, "cut": None})
    return shots


def plant(rng, titles, shots_of):
    """Copies of earlier titles' shots, transformed, at random places."""
    for i, title in enumerate(titles):
        own = {s["take"] for s in shots_of[i]}
        earlier = [s for j in range(i) for s in shots_of[j] if s["take"] not in own]
        picks = rng.sample(earlier, min(title["dups"], len(earlier)))
        for n, shot in enumerate(picks):
            copy = recut(dict(shot, transform=TRANSFORMS[(n + i) % len(TRANSFORMS)]),
                         CUTS[(n + i) % len(CUTS)])
            row = shots_of[i]
            free = [at for at in range(1, len(row))
                    if copy["take"] not in (row[at - 1]["take"], row[at]["take"])]
            row.insert(rng.choice(free) if free else len(row), copy)


def recut(copy, cut):
    """A planted copy's source range for its way of being cut: trimmed by
    30 % at the head and 20 % at the tail (kept when that would leave fewer
    than 16 frames: then it enters through a dissolve), or 40 % longer at
    each end, as far as its take goes."""
    first, last = copy["src_first"], copy["src_last"]
    length, ratio = last - first + 1, copy["ratio"]
    if cut == "trimmed":
        frames = copy["frames"] - int(copy["frames"] * 0.3) - int(copy["frames"] * 0.2)
        if frames < 16:
            return dict(copy, cut="dissolve")
        head = int(length * 0.3)
        return dict(copy, cut=cut, src_first=first + head,
                    src_last=min(last, first + head + int(frames * ratio) + 1), frames=frames)
    if cut == "longer":
        lo, hi = copy["take_range"]
        start, end = max(lo, first - int(length * 0.4)), min(hi, last + int(length * 0.4))
        frames = int((end - start - 1) / ratio)
        return dict(copy, cut=cut, src_first=start, src_last=end, frames=frames)
    return dict(copy, cut=cut)


def shot_filter(shot, probe, rate, size):
    w, h = size
    f = shot["framing"]
    cw = min(probe["width"], probe["height"] * w / h) / f["zoom"]
    ch = cw * h / w
    x0, y0 = (probe["width"] - cw) * f["fx"], (probe["height"] - ch) * f["fy"]
    parts = [f"trim=start_frame={shot['src_first']}:end_frame={shot['src_last'] + 1}",
             "setpts=PTS-STARTPTS", f"fps={rate}",
             # exactly `frames` frames, even from a variable-rate source
             f"tpad=stop_mode=clone:stop={shot['frames']}", f"trim=end_frame={shot['frames']}",
             f"crop={cw:.0f}:{ch:.0f}:{x0:.1f}:{y0:.1f}", f"scale={w}:{h}"]
    if f["flip"]:
        parts.append("hflip")
    parts += transform_filter(shot["transform"], w, h)
    parts += ["setsar=1", "format=yuv420p", f"settb={rate.denominator}/{rate.numerator}", "setpts=N"]
    return parts


def transform_filter(kind, w, h):
    if kind == "grade":
        return ["eq=brightness=0.06:contrast=1.2:saturation=1.4:gamma=0.85",
                "colorbalance=rs=0.08:bs=-0.06"]
    if kind == "resize":
        return [f"scale={w // 3}:{h // 3}", f"scale={w}:{h}:flags=bilinear"]
    if kind == "crop10":
        return [f"crop=iw*0.9:ih*0.9:iw*0.05:ih*0.05", f"scale={w}:{h}"]
    if kind == "zoom15":
        return [f"crop=iw/1.15:ih/1.15:iw*0.13/1.15:ih*0.02", f"scale={w}:{h}"]
    if kind == "reencode":  # heavy compression, then the title's own encode
        return ["noise=alls=6:allf=t", "gblur=sigma=1.2"]
    return []


def build(title, shots, found, out_dir):
    w, h = title["size"]
    rate = title["rate"]
    inputs, graph = [], []
    for i, shot in enumerate(shots):
        inputs += ["-i", found[shot["source"]][0]]
        graph.append(f"[{i}:v]" + ",".join(shot_filter(shot, found[shot["source"]][1], rate, (w, h))) + f"[s{i}]")
    graph += join(shots, rate)
    out = os.path.join(out_dir, title["name"] + ".mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *inputs, "-filter_complex", ";".join(graph),
                    "-map", "[v]", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
                    "-pix_fmt", "yuv420p", "-r", str(rate), out], check=True)
    truth, at = [], 0
    for shot in shots:
        if shot["cut"] == "dissolve" and truth:
            at -= DISSOLVE
            truth[-1]["last_frame"] = at + DISSOLVE // 2 - 1
        truth.append({"first_frame": at + (DISSOLVE // 2 if shot["cut"] == "dissolve" and truth else 0),
                      "last_frame": at + shot["frames"] - 1, "take": shot["take"],
                      "src_first": shot["src_first"], "src_last": shot["src_last"],
                      "transform": shot["transform"], "cut": shot["cut"]})
        at += shot["frames"]
    return {"frame_rate": f"{rate.numerator}/{rate.denominator}", "shots": truth}


def join(shots, rate):
    """Filters joining [s0]…[sN] into [v]: cuts, and a dissolve of
    DISSOLVE frames before each copy cut that way."""
    graph, current, length = [], "s0", shots[0]["frames"]
    for i in range(1, len(shots)):
        label = "v" if i == len(shots) - 1 else f"j{i}"
        if shots[i]["cut"] == "dissolve":
            offset = (length - DISSOLVE) / float(rate)
            graph.append(f"[{current}][s{i}]xfade=transition=fade:duration={DISSOLVE / float(rate):.5f}:"
                         f"offset={offset:.5f},settb={rate.denominator}/{rate.numerator},setpts=N[{label}]")
            length += shots[i]["frames"] - DISSOLVE
        else:
            graph.append(f"[{current}][s{i}]concat=n=2:v=1:a=0,"
                         f"settb={rate.denominator}/{rate.numerator},setpts=N[{label}]")
            length += shots[i]["frames"]
        current = label
    if len(shots) == 1:
        graph.append("[s0]null[v]")
    return graph


def main():
    todo = sources.set_to_build(sys.argv, VERSION)
    if todo is None:
        return
    out_dir, offset, truth_path, found = todo
    rng = random.Random(1000 + offset)
    titles = plan(rng, takes())
    shots_of = [cut_shots(rng, t, found) for t in titles]
    plant(rng, titles, shots_of)
    truth = {"version": VERSION, "seed_offset": offset, "titles": {}}
    for title, shots in zip(titles, shots_of):
        print(f"building {title['name']}", file=sys.stderr)
        truth["titles"][title["name"] + ".mp4"] = build(title, shots, found, out_dir)
    with open(truth_path, "w") as f:
        json.dump(truth, f, indent=1)


if __name__ == "__main__":
    main()
