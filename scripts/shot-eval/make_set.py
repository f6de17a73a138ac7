"""Builds the shot-segmentation evaluation set: titles spliced from
single-shot segments of real footage, joined by hard cuts, dissolves
(ffmpeg `xfade`) and fades to and from black or white (`fade`), with flashes
and fast camera moves inside some shots, and the exact ground truth.

Usage: python3 make_set.py OUT_DIR [--seed-offset N]
(a non-zero offset builds a held-out set of other titles from the same footage)

Writes OUT_DIR/<title>.mp4 and OUT_DIR/truth.json:
{"<title>.mp4": {"frame_rate", "frame_count", "transitions":
  [{"kind": "cut"|"dissolve"|"fade", "from_frame", "to_frame"}]}}
with the CLI contract's meaning of from_frame and to_frame.
"""

import json
import os
import random
import subprocess
import sys
from fractions import Fraction

import sources

VERSION = 5  # bump to rebuild cached sets

# name, width, height, rate, segments, seed
TITLES = [
    ("eval_a_720p25", 1280, 720, Fraction(25), 24, 11),
    ("eval_b_720p25", 1280, 720, Fraction(25), 24, 12),
    ("eval_c_720p2997", 1280, 720, Fraction(30000, 1001), 24, 13),
    ("eval_d_540p24", 960, 540, Fraction(24), 24, 14),
    ("eval_e_720p25", 1280, 720, Fraction(25), 24, 15),
    ("eval_f_1080p23976", 1920, 1080, Fraction(24000, 1001), 40, 16),
]


def plan_title(rng, names, segments):
    """Segments (source, range, length, look) and the transitions between them."""
    plan, last = [], None
    for i in range(segments):
        name = rng.choice([n for n in names if n != last])
        last = name
        kind = None
        if i > 0:
            kind = rng.choices(["cut", "dissolve", "fade_black", "fade_white"], [60, 22, 12, 6])[0]
        plan.append({"source": name, "transition": kind, "frames": rng.randint(28, 80),
                     "zoom": rng.uniform(1.0, 1.6), "fx": rng.random(), "fy": rng.random(),
                     "flip": rng.random() < 0.4,
                     "flash": rng.random() < 0.15, "pan": rng.random() < 0.12,
                     "gradual_len": rng.randint(10, 25), "hold": rng.choice([0, 0, 0, 4, 10]),
                     "start": rng.random()})
    return plan


def segment_filter(seg, src, probe, rate, size, rng):
    """The filter chain of input i, and its exact length in output frames."""
    w, h = size
    first, last = rng.choice(src.ranges)
    avail = int((last - first + 1) / probe["rate"] * float(rate))
    frames = max(12, min(seg["frames"], avail))
    cw = min(probe["width"], probe["height"] * w / h) / seg["zoom"]
    ch = cw * h / w
    x0 = (probe["width"] - cw) * seg["fx"]
    y0 = (probe["height"] - ch) * seg["fy"]
    x = f"{x0:.1f}"
    if seg["pan"] and seg["zoom"] > 1.25:  # a fast pan across the whole width
        span = probe["width"] - cw
        x = f"min({span:.1f}\\,max(0\\,{span:.1f}*abs(sin(n/{rng.uniform(3, 7):.2f}))))"
    skip = int(first + seg["start"] * max(0, (last - first + 1) - frames * probe["rate"] / float(rate)))
    parts = [f"trim=start_frame={skip}", "setpts=PTS-STARTPTS", f"fps={rate}", f"trim=end_frame={frames}", f"settb={rate.denominator}/{rate.numerator}", "setpts=N",
             f"crop={cw:.0f}:{ch:.0f}:{x}:{y0:.1f}", f"scale={w}:{h}", "setsar=1"]
    if seg["flip"]:
        parts.append("hflip")
    if seg["flash"] and frames > 20:
        at = rng.randint(6, frames - 8)
        parts.append(f"eq=brightness={rng.uniform(0.3, 0.5):.2f}:enable='between(n,{at},{at + rng.randint(0, 2)})'")
    parts.append("format=yuv420p")
    return parts, frames


def build_title(name, w, h, rate, segments, seed, found, out_dir):
    rng = random.Random(seed)
    by_name = {s.name: s for s in sources.SOURCES}
    plan = plan_title(rng, list(by_name), segments)
    inputs, chains, lengths = [], [], []
    for i, seg in enumerate(plan):
        path, probe = found[seg["source"]]
        parts, frames = segment_filter(seg, by_name[seg["source"]], probe, rate, (w, h), rng)
        inputs += ["-i", path]
        chains.append(parts)
        lengths.append(frames)
    graph, truth, total = join(plan, chains, lengths, rate)
    out = os.path.join(out_dir, f"{name}.mp4")
    cmd = ["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex", ";".join(graph),
           "-map", "[v]", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
           "-pix_fmt", "yuv420p", "-r", str(rate), out]
    subprocess.run(cmd, check=True)
    return {"frame_rate": f"{rate.numerator}/{rate.denominator}", "frame_count": total,
            "transitions": truth}


def budget(plan, lengths, pure=8):
    """Sizes each gradual transition so every shot keeps `pure` whole frames."""
    head = [0] * len(plan)
    for i in range(1, len(plan)):
        seg, gl = plan[i], plan[i]["gradual_len"]
        tail_room = lengths[i - 1] - head[i - 1] - pure
        head_room = lengths[i] // 2 - pure // 2
        if seg["transition"] == "dissolve":
            seg["dissolve"] = head[i] = max(4, min(gl, tail_room, head_room))
        elif seg["transition"] in ("fade_black", "fade_white"):
            seg["fade_out"] = max(3, min(gl // 2 + 1, tail_room))
            seg["fade_in"] = head[i] = max(3, min(gl - gl // 2, head_room))


def join(plan, chains, lengths, rate):
    """Joins the segments in order; returns the graph, the truth and the length."""
    budget(plan, lengths)
    graph, truth = [], []
    for i, seg in enumerate(plan):
        nxt = plan[i + 1] if i + 1 < len(plan) else None
        parts = list(chains[i])
        if nxt and nxt["transition"] in ("fade_black", "fade_white"):
            parts.append(f"fade=t=out:start_frame={lengths[i] - nxt['fade_out']}:nb_frames={nxt['fade_out']}:color={nxt['transition'][5:]}")
        if seg["transition"] in ("fade_black", "fade_white"):
            parts.append(f"fade=t=in:start_frame=0:nb_frames={seg['fade_in']}:color={seg['transition'][5:]}")
        graph.append(f"[{i}:v]" + ",".join(parts) + f"[s{i}]")
    total = lengths[0]
    cur = "s0"
    for i in range(1, len(plan)):
        seg, n = plan[i], lengths[i]
        kind = seg["transition"]
        out = f"j{i}" if i + 1 < len(plan) else "v"
        retime = f"settb={rate.denominator}/{rate.numerator},setpts=N"
        if kind == "cut":
            graph.append(f"[{cur}][s{i}]concat=n=2:v=1:a=0,{retime}[{out}]")
            truth.append({"kind": "cut", "from_frame": total - 1, "to_frame": total})
            total += n
        elif kind == "dissolve":
            length = seg["dissolve"]
            offset = Fraction(total - length) / rate
            graph.append(f"[{cur}][s{i}]xfade=transition=fade:duration={float(Fraction(length) / rate):.6f}:"
                         f"offset={float(offset):.6f},{retime}[{out}]")
            truth.append({"kind": "dissolve", "from_frame": total - length, "to_frame": total})
            total += n - length
        else:
            colour = kind[5:]
            hold = seg["hold"]
            pad = f"[{cur}]tpad=stop={hold}:stop_mode=add:color={colour},{retime}[p{i}];" if hold else ""
            src = f"p{i}" if hold else cur
            graph.append(f"{pad}[{src}][s{i}]concat=n=2:v=1:a=0,{retime}[{out}]")
            from_frame = total - seg["fade_out"]
            total += hold
            truth.append({"kind": "fade", "from_frame": from_frame, "to_frame": total + seg["fade_in"]})
            total += n
        cur = out
    return graph, truth, total


def main():
    todo = sources.set_to_build(sys.argv, VERSION)
    if todo is None:
        return
    out_dir, offset, truth_path, found = todo
    truth = {"version": VERSION, "seed_offset": offset, "titles": {}}
    for name, w, h, rate, segments, seed in TITLES:
        print(f"building {name}", file=sys.stderr)
        truth["titles"][f"{name}.mp4"] = build_title(name, w, h, rate, segments, seed + offset, found, out_dir)
    with open(truth_path, "w") as f:
        json.dump(truth, f, indent=1)


if __name__ == "__main__":
    main()
