import { describe, expect, it } from "vitest";
import type { CutClip, PairEnd, PairView } from "../bindings";
import { cutAt, cutTime, duration, proposal, seekTime, shownAt, shuttle, StallWatch, trim } from "./playback";

const part = (first: number, frames: number, step: (k: number) => number, name: string) => ({
  first_frame: first,
  frames,
  rate_num: 24000,
  rate_den: 1001,
  title_rate: "",
  source_frames: Array.from({ length: frames }, (_, k) => first + step(k)),
  timecodes: Array.from({ length: frames }, (_, k) => `${name}${k}`),
});
// 48 pictures of a 23.976 title, then 48 of a 29.97 one (60 frames, every
// fifth dropped) in a 23.976 clip.
const clip: CutClip = {
  id: "c",
  from: part(152, 48, (k) => k, "out"),
  to: part(500, 48, (k) => Math.floor((k * 30) / 24), "in"),
  width: 1280,
  height: 720,
  sound: true,
};

const end = (frame: number, first: number, last: number): PairEnd => ({
  path: "/a.mov", content_hash: "a", shot: 1, frame, timecode: "t", shot_in: "", shot_out: "",
  shot_first: first, shot_last: last, frame_rate: "24/1", missing: false,
});
const pair = { id: "p", from: end(199, 100, 199), to: end(500, 500, 620) } as PairView;

describe("a cut clip's time", () => {
  it("puts the cut where the outgoing part's last picture ends", () => {
    expect(cutTime(clip)).toBeCloseTo((48 * 1001) / 24000, 9);
    expect(duration(clip)).toBeCloseTo((96 * 1001) / 24000, 9);
  });

  it("seeks to the middle of a picture, and finds it there", () => {
    const last = shownAt(clip, seekTime(clip, "out", 47));
    expect(last).toEqual({ side: "out", k: 47, frame: 199, timecode: "out47" });
    const first = shownAt(clip, seekTime(clip, "in", 0));
    expect(first).toEqual({ side: "in", k: 0, frame: 500, timecode: "in0" });
    expect(shownAt(clip, cutTime(clip) - 1e-4).frame).toBe(199);
    expect(shownAt(clip, cutTime(clip) + 1e-4).frame).toBe(500);
    expect(shownAt(clip, seekTime(clip, "in", 4)).frame).toBe(505);
    expect(shownAt(clip, 99).frame).toBe(558);
  });
});

describe("trimming", () => {
  it("moves the focused side's point and keeps it inside its shot", () => {
    const cut = proposal(pair);
    expect(trim(pair, cut, "out", -3)).toEqual({ out_frame: 196, in_frame: 500 });
    expect(trim(pair, cut, "out", 1)).toEqual(cut);
    expect(trim(pair, cut, "in", 10)).toEqual({ out_frame: 199, in_frame: 510 });
    expect(trim(pair, cut, "in", -1)).toEqual(cut);
  });

  it("shows the stills of the trimmed cut", () => {
    const moved = cutAt(pair, { out_frame: 190, in_frame: 505 });
    expect([moved.from.frame, moved.to.frame]).toEqual([190, 505]);
    expect(cutAt(pair, proposal(pair))).toBe(pair);
  });
});

describe("shuttle", () => {
  it("speeds up with each press in one direction and turns at once", () => {
    expect(shuttle(0, 1)).toBe(1);
    expect(shuttle(1, 1)).toBe(2);
    expect(shuttle(8, 1)).toBe(8);
    expect(shuttle(4, -1)).toBe(-1);
    expect(shuttle(-1, -1)).toBe(-2);
  });
});

describe("StallWatch", () => {
  it("leaves a moving clip alone", () => {
    const w = new StallWatch(1000);
    for (let ms = 0; ms < 10000; ms += 100) expect(w.observe(ms, ms / 1000, false)).toBe("ok");
  });
  it("nudges a clip stood still, then gives up", () => {
    const w = new StallWatch(1000, 1);
    expect(w.observe(0, 2, false)).toBe("ok");
    expect(w.observe(999, 2, false)).toBe("ok");
    expect(w.observe(1000, 2, false)).toBe("nudge");
    expect(w.observe(1500, 2, false)).toBe("ok");
    expect(w.observe(2000, 2, false)).toBe("give-up");
  });
  it("waits again once the clip moves, and while seeking; nudges a few times a play at most", () => {
    const w = new StallWatch(1000, 2);
    w.observe(0, 2, false);
    expect(w.observe(1000, 2, false)).toBe("nudge");
    expect(w.observe(1100, 2.1, false)).toBe("ok");
    expect(w.observe(2100, 2.1, true)).toBe("ok");
    expect(w.observe(3000, 2.1, false)).toBe("ok");
    expect(w.observe(3100, 2.1, false)).toBe("nudge");
    expect(w.observe(3200, 2.2, false)).toBe("ok");
    expect(w.observe(4200, 2.2, false)).toBe("give-up");
  });
});
