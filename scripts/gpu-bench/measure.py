"""The GPU benchmark's measurements (run by scripts/gpu-bench.sh).

usage: measure.py MATCHCUT FFMPEG TITLE OUT_DIR
"""

import json
import os
import subprocess
import sys
import tempfile
import time

MC, FF, TITLE, OUT = sys.argv[1:5]
REPORT = {"title": os.path.basename(TITLE)}
LIBRARIES = tempfile.mkdtemp(prefix="matchcut-gpu-bench-")


def run(name, argv, env=None):
    """Runs argv; returns (wall seconds, peak RSS MB, CPU seconds, stdout)."""
    log = open(os.path.join(OUT, f"{name}.log"), "w")
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log,
                            env={**os.environ, **(env or {})})
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        log.close()
        tail = open(os.path.join(OUT, f"{name}.log")).read()[-3000:]
        print(f"{name}: exit {proc.returncode}\n{stdout.decode()[-2000:]}\n{tail}", flush=True)
        return None
    cpu = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss / 1024, cpu, stdout.decode()


def facts():
    try:
        smi = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                              "--format=csv,noheader"], capture_output=True, text=True)
        REPORT["gpu"] = smi.stdout.strip() or smi.stderr.strip()
    except FileNotFoundError:
        REPORT["gpu"] = "no nvidia-smi: no NVIDIA driver"
    REPORT["cores"] = os.cpu_count()
    probe = json.loads(subprocess.run([MC, "probe", TITLE, "--json"], capture_output=True,
                                      text=True, check=True).stdout)
    info = probe[0] if isinstance(probe, list) else probe
    REPORT["probe"] = {k: info.get(k) for k in ("codec", "width", "height", "frame_rate", "frame_count")}
    print(json.dumps(REPORT, indent=1), flush=True)
    return int(info.get("frame_count") or 0)


def model():
    if "model" in SKIP:
        return
    got = run("model", [MC, "--device", "gpu", "bench-model", "--batch", os.environ.get("GPU_BENCH_BATCHES", "16,64,256"), "--seconds", "3"])
    if got:
        REPORT["model"] = [json.loads(line) for line in got[3].splitlines() if line.startswith("{")]
        for line in REPORT["model"]:
            print("model", line, flush=True)


def ffmpeg(frames):
    base = [FF, "-hide_banner", "-nostdin", "-loglevel", "error"]
    for name, extra in (("ffmpeg_cpu", []), ("ffmpeg_nvdec", ["-hwaccel", "cuda"])):
        if name in SKIP:
            continue
        got = run(name, base + extra + ["-i", TITLE, "-f", "null", "-"])
        if got:
            wall, peak, cpu, _ = got
            REPORT[name] = {"wall_s": round(wall, 2), "fps": round(frames / wall, 1),
                            "cpu_s": round(cpu, 1), "peak_mb": round(peak)}
            print(name, REPORT[name], flush=True)


SCANS = {
    "scan_cpu": ["--decode", "cpu", "--preprocess", "cpu", "--device", "cpu"],
    "scan_gpu_model": ["--decode", "cpu", "--preprocess", "cpu", "--device", "gpu"],
    "scan_gpu_sw_decode": ["--decode", "cpu", "--preprocess", "gpu", "--device", "gpu"],
    "scan_gpu": ["--decode", "gpu", "--preprocess", "gpu", "--device", "gpu"],
}
# GPU_BENCH_SKIP: comma-separated parts to leave out (model, ffmpeg_nvdec,
# or a scan's name).
SKIP = set(filter(None, os.environ.get("GPU_BENCH_SKIP", "").split(",")))


def scans(frames):
    for name, flags in SCANS.items():
        if name in SKIP:
            continue
        library = os.path.join(LIBRARIES, name)
        got = run(name, [MC, *flags, "-v", "scan", TITLE, "--library", library, "--json"])
        if not got:
            continue
        wall, peak, cpu, stdout = got
        entry = {"wall_s": round(wall, 2), "fps": round(frames / wall, 1),
                 "cpu_s": round(cpu, 1), "peak_mb": round(peak)}
        try:
            entry["report"] = json.loads(stdout)
        except ValueError:
            entry["report"] = stdout[-2000:]
        REPORT[name] = entry
        print(name, {k: v for k, v in entry.items() if k != "report"}, flush=True)
        pairs = subprocess.run([MC, "pairs", "--library", library, "--top", "50", "--json"],
                               capture_output=True, text=True)
        entry["pairs"] = json.loads(pairs.stdout) if pairs.returncode == 0 else pairs.stderr


def identity(value):
    """A pair's identity: its non-float leaves (titles, frames, kinds), not
    its rank."""
    if isinstance(value, dict):
        return tuple((k, identity(v)) for k, v in sorted(value.items()) if k != "rank")
    if isinstance(value, list):
        return tuple(identity(v) for v in value)
    return None if isinstance(value, float) else value


def compare():
    lists = {n: REPORT[n]["pairs"] for n in SCANS if isinstance(REPORT.get(n, {}).get("pairs"), list)}
    if "scan_cpu" not in lists:
        return
    base = [identity(p) for p in lists["scan_cpu"]]
    for name, pairs in lists.items():
        ids = [identity(p) for p in pairs]
        same_order = sum(a == b for a, b in zip(base, ids))  # same pair at the same rank
        common = len(set(base) & set(ids))
        REPORT[f"{name}_vs_cpu"] = {"pairs": len(ids), "same_position": same_order, "in_common": common}
        print(f"{name} vs scan_cpu: {len(ids)} pairs, {same_order} at the same rank, "
              f"{common} in common", flush=True)


def main():
    frames = facts()
    model()
    ffmpeg(frames)
    scans(frames)
    compare()
    with open(os.path.join(OUT, "gpu-bench.json"), "w") as f:
        json.dump(REPORT, f, indent=1)


main()
