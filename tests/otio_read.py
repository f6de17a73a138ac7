"""Reads EDLs, .otio files and Final Cut Pro 7 XML with OpenTimelineIO's own
readers (the cmx_3600 and fcp_xml adapters for the first and last) and
prints what it found as JSON, for tests/export.rs and the e2e tests.

    otio_read.py FILE RATE [FILE RATE ...]

RATE is "num/den" (EDLs carry no rate). EDLs are read without
ignore_timecode_mismatch, so a record range that disagrees with its source
range fails the read. Output: one object per file, in order:
{"file", "name", "record_start", "clips": [{"name", "start", "duration",
"rate", "target_url", "path", "reel"}]} with times in frames at each clip's
rate; "path" is the file path a file:// URL names (else the URL as is).
"""

import json
import sys
from fractions import Fraction
from urllib.parse import unquote, urlparse

import opentimelineio as otio


def frames(t):
    # The nearest frame at the time's own rate (to_frames truncates; the
    # FCP reader's durations are record lengths rescaled to the clip rate).
    return round(t.value)


def local_path(url):
    if url is not None and url.startswith("file:"):
        return unquote(urlparse(url).path)
    return url


def read(path, rate):
    if path.endswith(".edl"):
        timeline = otio.adapters.read_from_file(
            path, adapter_name="cmx_3600", rate=rate)
    elif path.endswith(".xml"):
        timeline = otio.adapters.read_from_file(path, adapter_name="fcp_xml")
    else:
        timeline = otio.adapters.read_from_file(path)
    if len(timeline.tracks) != 1:
        raise SystemExit(f"{path}: {len(timeline.tracks)} tracks, 1 expected")
    track = timeline.tracks[0]
    if timeline.global_start_time is not None:
        record_start = frames(timeline.global_start_time)
    else:
        # The EDL reader keeps the first record timecode as the track's
        # negative source start.
        record_start = -frames(track.source_range.start_time)
    clips = []
    for clip in track.find_clips():
        reference = clip.media_reference
        clips.append({
            "name": clip.name,
            "start": frames(clip.source_range.start_time),
            "duration": frames(clip.source_range.duration),
            "rate": clip.source_range.start_time.rate,
            "target_url": getattr(reference, "target_url", None),
            "path": local_path(getattr(reference, "target_url", None)),
            "reel": clip.metadata.get("cmx_3600", {}).get("reel"),
        })
    return {"file": path, "name": timeline.name,
            "record_start": record_start, "clips": clips}


def main(args):
    out = []
    for path, rate in zip(args[0::2], args[1::2]):
        out.append(read(path, float(Fraction(rate))))
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
