"""Builds the motion evaluation set: titles of real pictures (stills of the
full *Big Buck Bunny*, CC-BY 3.0) moved in known ways, so every shot end's
movement is known exactly, with planted continuations: different footage
moving the same way at the same speed, somewhere else in the library.

- A **camera** end pans or tilts (the picture moves right, left, down or
  up at 0.10 or 0.25 frame sizes a second) or zooms (in or out, 15 % or
  35 % a second): a window moving over an upscaled still (zoompan).
- A **subject** end: a piece of another still (a ninth of the frame)
  moves right or left across a standing picture at 0.2 or 0.4 widths a
  second; the shot's other end stands still.
- **Still** ends move not at all. A shot's two halves move independently
  (entry over the first second, exit over the last).
- 16 classes (8 pan/tilt, 4 zoom, 4 subject); each appears at 2 exits and
  2 entries, the rest of the 120 ends stand still. The entries of an exit's
  class are its **continuations** (the truth).
- Three titles of 20 shots of 2 s, at 25, 24000/1001 and 30000/1001 fps,
  960x540: speeds are per second and per frame size, so they must compare
  across rates.

Usage: python3 make_set.py FILM OUT_DIR [--seed N] [--start SECONDS]
(the held-out set: another seed and stills from other moments).
Writes OUT_DIR/<title>.mp4 and OUT_DIR/truth.json:
{"version", "classes": {name: {"kind", "velocity"}}, "titles": {"<title>.mp4":
{"frame_rate", "shots": [{"first_frame", "last_frame", "entry", "exit",
"source_seconds"}]}}}
"""

import argparse
import json
import math
import os
import random
import subprocess
import tempfile
from fractions import Fraction

VERSION = 2
W, H = 960, 540
SHOT_SECONDS = 2
HALF = SHOT_SECONDS / 2
TITLES = [("motion_a", "25"), ("motion_b", "24000/1001"), ("motion_c", "30000/1001")]
SHOTS_PER_TITLE = 20
REPEATS = 2
# Stills come from here on in the film (after the opening titles), one
# every STEP seconds, so that no two shots show the same film shot.
FIRST_SECOND, STEP = 14.0, 7.7
Z0 = 2.0  # a camera window is half the upscaled still: room to move


def classes():
    out = {}
    for speed in (0.10, 0.25):
        tag = f"{int(speed * 100):02d}"
        out[f"pan_right_{tag}"] = ("camera", (speed, 0.0))
        out[f"pan_left_{tag}"] = ("camera", (-speed, 0.0))
        out[f"tilt_down_{tag}"] = ("camera", (0.0, speed))
        out[f"tilt_up_{tag}"] = ("camera", (0.0, -speed))
    for rate in (0.15, 0.35):
        tag = f"{int(rate * 100):02d}"
        out[f"zoom_in_{tag}"] = ("zoom", (rate, 0.0))
        out[f"zoom_out_{tag}"] = ("zoom", (-rate, 0.0))
    for speed in (0.2, 0.4):
        tag = f"{int(speed * 100):02d}"
        out[f"subject_right_{tag}"] = ("subject", (speed, 0.0))
        out[f"subject_left_{tag}"] = ("subject", (-speed, 0.0))
    return out


CLASSES = classes()


def assign(rng):
    """(entry, exit) class names of every shot (60), "still" where nothing
    moves; a subject end's shot stands still at its other end."""
    n = len(TITLES) * SHOTS_PER_TITLE
    for _ in range(1000):
        ends = {i: ["still", "still"] for i in range(n)}
        ok = True
        for side in (1, 0):  # exits, then entries
            free = [i for i in range(n) if ends[i][side] == "still"]
            rng.shuffle(free)
            for name, (kind, _) in CLASSES.items():
                for _ in range(REPEATS):
                    def fits(i):
                        other = ends[i][1 - side]
                        if other == "still":
                            return True
                        return kind != "subject" and CLASSES[other][0] != "subject"

                    pick = next((i for i in free if fits(i)), None)
                    if pick is None:
                        ok = False
                        break
                    free.remove(pick)
                    ends[pick][side] = name
        if ok:
            return [tuple(ends[i]) for i in range(n)]
    raise SystemExit("no assignment found")


def run(args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def still(film, seconds, out):
    run(["-ss", f"{seconds:.3f}", "-i", film, "-frames:v", "1", out])


def camera_path(entry, exit_):
    """zoompan's z, x, y expressions (of `on`, the output frame, through
    the rate `R` baked in by the caller) for a window on a 2W x 2H still."""
    iw, ih = 2 * W, 2 * H

    def part(name):
        kind, v = CLASSES[name] if name != "still" else ("still", (0.0, 0.0))
        return kind, v

    (k1, v1), (k2, v2) = part(entry), part(exit_)
    a1 = v1[0] if k1 == "zoom" else 0.0
    a2 = v2[0] if k2 == "zoom" else 0.0
    pan1 = v1 if k1 == "camera" else (0.0, 0.0)
    pan2 = v2 if k2 == "camera" else (0.0, 0.0)
    z_half = Z0 * math.exp(a1 * HALF)
    w1, h1 = iw / Z0, ih / Z0
    w2, h2 = iw / z_half, ih / z_half
    # The window moves against the picture: a picture moving right is a
    # window moving left.
    def centre(t):
        t1, t2 = min(t, HALF), max(t - HALF, 0.0)
        return (
            -pan1[0] * w1 * t1 - pan2[0] * w2 * t2,
            -pan1[1] * h1 * t1 - pan2[1] * h2 * t2,
        )

    def zoom(t):
        return Z0 * math.exp(a1 * min(t, HALF) + a2 * max(t - HALF, 0.0))

    samples = [i / 50 * SHOT_SECONDS for i in range(51)]
    # Shift the path so that the window stays inside the still throughout.
    lo_x = max(iw / zoom(t) / 2 - centre(t)[0] for t in samples)
    hi_x = min(iw - iw / zoom(t) / 2 - centre(t)[0] for t in samples)
    lo_y = max(ih / zoom(t) / 2 - centre(t)[1] for t in samples)
    hi_y = min(ih - ih / zoom(t) / 2 - centre(t)[1] for t in samples)
    assert lo_x <= hi_x and lo_y <= hi_y, (entry, exit_)
    cx0, cy0 = (lo_x + hi_x) / 2, (lo_y + hi_y) / 2
    t = "(on/R)"
    t1, t2 = f"min({t},{HALF})", f"max({t}-{HALF},0)"
    z = f"{Z0}*exp({a1}*{t1}+{a2}*{t2})"
    cx = f"({cx0}-({pan1[0] * w1})*{t1}-({pan2[0] * w2})*{t2})"
    cy = f"({cy0}-({pan1[1] * h1})*{t1}-({pan2[1] * h2})*{t2})"
    return z, f"{cx}-iw/({z})/2", f"{cy}-ih/({z})/2"


def camera_shot(png, entry, exit_, rate, frames, out):
    z, x, y = camera_path(entry, exit_)
    r = str(float(Fraction(rate)))
    z, x, y = (e.replace("R", r) for e in (z, x, y))
    vf = (
        f"scale={2 * W}:{2 * H}:flags=lanczos,"
        f"zoompan=z='{z}':x='{x}':y='{y}':d={frames}:s={W}x{H}:fps={rate},"
        "format=yuv420p"
    )
    run(["-i", png, "-vf", vf, "-frames:v", str(frames), "-c:v", "libx264",
         "-preset", "veryfast", "-crf", "16", "-r", rate, out])


def subject_shot(png, patch, entry, exit_, rate, frames, out):
    pw, ph = W // 3, H // 3
    v1 = CLASSES[entry][1][0] if entry != "still" else 0.0
    v2 = CLASSES[exit_][1][0] if exit_ != "still" else 0.0
    travel = (v1 + v2) * W * HALF
    # The piece starts where its whole run stays mostly in view.
    x0 = (W - pw) / 2 - travel / 2
    x = f"{x0}+{v1 * W}*min(t,{HALF})+{v2 * W}*max(t-{HALF},0)"
    graph = (
        f"[0:v]scale={W}:{H}:flags=lanczos[b];[1:v]scale={pw}:{ph}:flags=lanczos[p];"
        f"[b][p]overlay=x='{x}':y={(H - ph) // 2}:eval=frame,format=yuv420p"
    )
    seconds = f"{frames / float(Fraction(rate)):.4f}"
    run(["-loop", "1", "-framerate", rate, "-t", seconds, "-i", png,
         "-loop", "1", "-framerate", rate, "-t", seconds, "-i", patch,
         "-filter_complex", graph, "-frames:v", str(frames), "-c:v", "libx264",
         "-preset", "veryfast", "-crf", "16", "-r", rate, out])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("film")
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=float, default=FIRST_SECOND)
    args = parser.parse_args()
    truth_path = os.path.join(args.out, "truth.json")
    if os.path.exists(truth_path):
        with open(truth_path) as f:
            made = json.load(f)
            if (made.get("version"), made.get("seed"), made.get("start")) == (VERSION, args.seed, args.start):
                print(f"motion evaluation set already in {args.out}")
                return
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    ends = assign(rng)
    total = len(ends)
    truth = {"version": VERSION, "seed": args.seed, "start": args.start, "classes": {k: {"kind": v[0], "velocity": v[1]} for k, v in CLASSES.items()}, "titles": {}}
    with tempfile.TemporaryDirectory() as work:
        for t, (name, rate) in enumerate(TITLES):
            frames = round(SHOT_SECONDS * Fraction(rate))
            parts, shots = [], []
            for s in range(SHOTS_PER_TITLE):
                n = t * SHOTS_PER_TITLE + s
                entry, exit_ = ends[n]
                seconds = args.start + STEP * n
                png = os.path.join(work, f"{n}.png")
                still(args.film, seconds, png)
                part = os.path.join(work, f"{name}_{s:02d}.mp4")
                kinds = {CLASSES[e][0] for e in (entry, exit_) if e != "still"}
                if "subject" in kinds:
                    patch = os.path.join(work, f"{n}_patch.png")
                    # A piece of a still from the other half of the film.
                    still(args.film, args.start + STEP * ((n + total // 2) % total) + 4.0, patch)
                    subject_shot(png, patch, entry, exit_, rate, frames, part)
                else:
                    camera_shot(png, entry, exit_, rate, frames, part)
                parts.append(part)
                shots.append({
                    "first_frame": s * frames,
                    "last_frame": (s + 1) * frames - 1,
                    "entry": entry,
                    "exit": exit_,
                    "source_seconds": round(seconds, 3),
                })
            listing = os.path.join(work, f"{name}.txt")
            with open(listing, "w") as f:
                f.writelines(f"file '{p}'\n" for p in parts)
            run(["-f", "concat", "-safe", "0", "-i", listing, "-c:v", "libx264",
                 "-preset", "veryfast", "-crf", "18", "-r", rate,
                 os.path.join(args.out, f"{name}.mp4")])
            truth["titles"][f"{name}.mp4"] = {"frame_rate": rate, "shots": shots}
            print(f"{name}.mp4: {len(shots)} shots at {rate} fps")
    with open(truth_path, "w") as f:
        json.dump(truth, f, indent=1)


if __name__ == "__main__":
    main()
