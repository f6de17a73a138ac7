#!/usr/bin/env python3
"""Catalogue mode's driver: analyses a catalogue of titles on a Ray cluster.

Each title not analysed yet becomes one Ray task running
`matchcut worker analyse --in TITLE --out DIR` (the features file is keyed by
the title's content, model and parameters; the worker computes nothing when
it exists). The worker's exit code decides what happens next:

  0   done (or already there)                  -> recorded
  65  bad input (not a video, undecodable)     -> reported, never retried
  75  transient (I/O, model, store)            -> tried again (--retries)
  a crash (killed by a signal, any other code) -> tried again (--retries)
  the Ray worker process dies                  -> Ray runs the task again

The driver remembers what it scheduled in DIR/catalogue-state.json, by each
title's path, size and modification time and the features' name suffix (from
`matchcut worker key`): a second run over the same catalogue schedules no
task at all, without hashing a byte. A changed file, or new models, are
analysed again.

With --build DIR, the catalogue is then built from the features files
(`matchcut catalogue build`, one more task): sharded indexes and the
proposals file, DIR/proposals-{build id}.parquet, whose path the summary
gives. A run that analysed nothing new does not build again.

Usage:
  driver.py --matchcut BIN --out DIR [--build DIR] [--address ADDR]
            [--retries N] [--cpus N] [--gpus-per-task G] [--temp-dir T]
            TITLE_OR_FOLDER...

A folder is walked for video files; a `.txt` file lists titles, one a line.
Without --address a single-node cluster is started for the run, bound to
127.0.0.1, without a dashboard, and stopped at the end. Progress goes to
stderr, one line a title; the summary (JSON) to stdout. Exit 0 when every
title is analysed, 1 when any failed (the summary says which and why).
"""

import argparse
import json
import os
import subprocess
import sys
import time

VIDEO = {".mp4", ".mov", ".m4v", ".mkv", ".mxf", ".avi", ".webm", ".ts", ".mts"}
STATE = "catalogue-state.json"


def run_worker(binary, title, out):
    """One worker run: done, cached, failed (bad input) or transient."""
    proc = subprocess.run(
        [binary, "worker", "analyse", "--in", title, "--out", out],
        capture_output=True,
        text=True,
    )
    lines = proc.stderr.strip().splitlines()
    reason = lines[-1].removeprefix("error: ") if lines else "no message"
    if proc.returncode == 0:
        report = json.loads(proc.stdout.strip().splitlines()[-1])
        report["status"] = "cached" if report.get("cached") else "done"
        return report
    if proc.returncode == 65:
        return {"status": "failed", "reason": reason}
    if proc.returncode < 0:
        return {"status": "transient", "reason": f"the worker was killed by signal {-proc.returncode}"}
    return {"status": "transient", "reason": f"exit {proc.returncode}: {reason}"}


def titles_of(paths):
    """Every title the arguments name, absolute and sorted."""
    found = set()
    for arg in paths:
        if os.path.isdir(arg):
            for root, _, files in os.walk(arg):
                for name in files:
                    if os.path.splitext(name)[1].lower() in VIDEO:
                        found.add(os.path.abspath(os.path.join(root, name)))
        elif arg.endswith(".txt"):
            with open(arg, encoding="utf-8") as listing:
                found.update(os.path.abspath(l.strip()) for l in listing if l.strip())
        else:
            found.add(os.path.abspath(arg))
    return sorted(found)


def stamp(title):
    """What a title's record is checked against: its size and mtime."""
    try:
        st = os.stat(title)
    except OSError:
        return None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def load_state(out, suffix):
    """The records of titles and the last build, if of today's models."""
    try:
        with open(os.path.join(out, STATE), encoding="utf-8") as f:
            state = json.load(f)
    except (OSError, ValueError):
        return {}, None
    if state.get("suffix") != suffix:
        return {}, None
    return state.get("titles", {}), state.get("build")


def save_state(out, suffix, titles, build):
    path = os.path.join(out, STATE)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump({"suffix": suffix, "titles": titles, "build": build}, f, indent=1, sort_keys=True)
    os.replace(path + ".tmp", path)


def run_build(binary, features, out):
    """`matchcut catalogue build`: its report, or a failure."""
    proc = subprocess.run(
        [binary, "catalogue", "build", "--features", features, "--out", out],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        return {"status": "failed", "reason": lines[-1] if lines else f"exit {proc.returncode}"}
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    report["status"] = "built"
    return report


def current(record, title, out):
    """Whether a title's record says it needs no task."""
    if not record or record.get("stamp") != stamp(title):
        return False
    if record["status"] == "failed":
        return True  # the same bad file: reported again, not retried
    return os.path.exists(os.path.join(out, record["file"]))


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="+")
    p.add_argument("--matchcut", required=True, help="the matchcut binary on every node")
    p.add_argument("--out", required=True, help="the features folder (shared by every node)")
    p.add_argument("--build", help="build the catalogue here after the analyses")
    p.add_argument("--address", help="an existing cluster (default: start one here)")
    p.add_argument("--retries", type=int, default=3, help="tries after the first, transient failures only")
    p.add_argument("--cpus", type=int, help="CPUs of the cluster started here")
    p.add_argument("--cpus-per-task", type=float, default=1)
    p.add_argument("--gpus-per-task", type=float, default=0)
    p.add_argument("--temp-dir", help="Ray's temporary folder for the cluster started here")
    return p.parse_args()


def start_ray(args):
    import ray

    if args.address:
        ray.init(address=args.address, log_to_driver=False)
    else:
        ray.init(
            num_cpus=args.cpus,
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
            _temp_dir=args.temp_dir,
            log_to_driver=False,
            configure_logging=False,
        )
    return ray


def schedule(ray, args, todo):
    """Runs the tasks; yields (title, result, tries) as each title ends.
    A transient result is tried again, up to --retries more times; Ray
    itself runs a task again whose Ray worker process died."""
    task = ray.remote(run_worker).options(
        num_cpus=args.cpus_per_task,
        num_gpus=args.gpus_per_task,
        max_retries=args.retries,
    )
    submit = lambda t: task.remote(args.matchcut, t, args.out)
    pending = {submit(t): (t, 1) for t in todo}
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        title, tries = pending.pop(ready[0])
        try:
            result = ray.get(ready[0])
        except Exception as e:  # Ray's own retries spent
            result = {"status": "failed", "reason": f"the task failed: {e}"}
        if result["status"] == "transient":
            if tries <= args.retries:
                print(f"retry {title}: {result['reason']}", file=sys.stderr, flush=True)
                pending[submit(title)] = (title, tries + 1)
                continue
            result = {"status": "failed", "reason": f"transient, {args.retries} retries spent: {result['reason']}"}
        yield title, result, tries


def main():
    args = parse()
    os.makedirs(args.out, exist_ok=True)
    key = json.loads(subprocess.run([args.matchcut, "worker", "key"], check=True, capture_output=True, text=True).stdout)
    suffix = key["suffix"]
    records, last_build = load_state(args.out, suffix)
    titles = titles_of(args.paths)
    todo = [t for t in titles if not current(records.get(t), t, args.out)]
    summary = {"titles": len(titles), "scheduled": len(todo), "done": [], "cached": [], "failed": [], "tries": {}}
    for t in titles:
        if t not in todo:
            record = records[t]
            if record["status"] == "failed":
                summary["failed"].append({"path": t, "reason": record["reason"], "scheduled": False})
            else:
                summary["cached"].append(t)
    started = time.monotonic()
    build_wanted = args.build and not (
        not todo and last_build and os.path.exists(last_build.get("file", ""))
    )
    if build_wanted:
        last_build = None
    if todo or build_wanted:
        ray = start_ray(args)
        try:
            for n, (title, result, tries) in enumerate(schedule(ray, args, todo), 1):
                status = result["status"]
                summary["tries"][title] = tries
                record = {"status": status, "stamp": stamp(title)}
                if status == "failed":
                    record["reason"] = result["reason"]
                    summary["failed"].append({"path": title, "reason": result["reason"], "scheduled": True})
                else:
                    record["file"] = os.path.basename(result["file"])
                    summary[status].append(title)
                records[title] = record
                save_state(args.out, suffix, records, last_build)
                detail = f": {result['reason']}" if status == "failed" else ""
                print(f"[{n}/{len(todo)}] {status} {title}{detail}", file=sys.stderr, flush=True)
            if build_wanted:
                summary["scheduled"] += 1
                task = ray.remote(run_build).options(num_cpus=args.cpus_per_task)
                last_build = ray.get(task.remote(args.matchcut, args.out, args.build))
                print(f"build: {last_build['status']}", file=sys.stderr, flush=True)
                save_state(args.out, suffix, records, last_build if last_build["status"] == "built" else None)
        finally:
            ray.shutdown()
    summary["build"] = last_build
    summary["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(summary, indent=1))
    build_failed = args.build and (not last_build or last_build.get("status") != "built")
    return 1 if summary["failed"] or build_failed else 0


if __name__ == "__main__":
    sys.exit(main())
