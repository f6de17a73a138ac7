// Playing a cut and trimming it: where each picture of a cut clip lies in
// time, which picture shows at a time, and the editor's cut points moved
// within their shots. Pure; the Player component drives a <video> by it.
import type { CutClip, CutPoints, ClipPart, PairView } from "../bindings";

/** The outgoing side (up to the out-frame) or the incoming side (from the in-frame). */
export type Side = "out" | "in";

const frameSeconds = (part: ClipPart) => part.rate_den / part.rate_num;

/** Seconds into the clip where the incoming part starts: the cut. */
export function cutTime(clip: CutClip): number {
  return clip.from.frames * frameSeconds(clip.from);
}

/** Seconds into the clip where picture `k` of a side starts. */
export function startOf(clip: CutClip, side: Side, k: number): number {
  return side === "out" ? k * frameSeconds(clip.from) : cutTime(clip) + k * frameSeconds(clip.to);
}

/** Where to seek so that picture `k` of a side shows: its middle. */
export function seekTime(clip: CutClip, side: Side, k: number): number {
  const part = side === "out" ? clip.from : clip.to;
  return startOf(clip, side, k) + frameSeconds(part) / 2;
}

/** The clip's length in seconds. */
export function duration(clip: CutClip): number {
  return cutTime(clip) + clip.to.frames * frameSeconds(clip.to);
}

export interface Shown {
  side: Side;
  /** The picture's index within its part. */
  k: number;
  /** The title's frame index. */
  frame: number;
  timecode: string;
}

/** The picture showing `t` seconds into the clip. */
export function shownAt(clip: CutClip, t: number): Shown {
  const out = t < cutTime(clip);
  const part = out ? clip.from : clip.to;
  const into = out ? t : t - cutTime(clip);
  const k = Math.min(part.frames - 1, Math.max(0, Math.floor(into / frameSeconds(part) + 1e-6)));
  return { side: out ? "out" : "in", k, frame: part.source_frames[k] ?? part.first_frame + k, timecode: part.timecodes[k] ?? "" };
}

/** The pair's proposed cut. */
export function proposal(pair: PairView): CutPoints {
  return { out_frame: pair.from.frame, in_frame: pair.to.frame };
}

export function sameCut(a: CutPoints, b: CutPoints): boolean {
  return a.out_frame === b.out_frame && a.in_frame === b.in_frame;
}

/** `cut` with one side's point moved `by` frames, kept inside its shot. */
export function trim(pair: PairView, cut: CutPoints, side: Side, by: number): CutPoints {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  return side === "out"
    ? { ...cut, out_frame: clamp(cut.out_frame + by, pair.from.shot_first, pair.from.shot_last) }
    : { ...cut, in_frame: clamp(cut.in_frame + by, pair.to.shot_first, pair.to.shot_last) };
}

/** The pair as cut at `cut`: its ends' frames moved, for the stills. */
export function cutAt(pair: PairView, cut: CutPoints): PairView {
  if (sameCut(cut, proposal(pair))) return pair;
  return {
    ...pair,
    from: { ...pair.from, frame: cut.out_frame, timecode: "" },
    to: { ...pair.to, frame: cut.in_frame, timecode: "" },
  };
}

/** Shuttle speeds, J / L pressed again for the next. */
export const SPEEDS = [1, 2, 4, 8];

/** The next shuttle speed in a direction (+1 forward, −1 back) from `now`
 *  (negative: backwards; 0: stopped). */
export function shuttle(now: number, direction: 1 | -1): number {
  if (Math.sign(now) !== direction) return direction * SPEEDS[0];
  const at = SPEEDS.indexOf(Math.abs(now));
  return direction * SPEEDS[Math.min(SPEEDS.length - 1, at + 1)];
}

/** What to do about a playing clip whose time has not moved. */
export type Stall = "ok" | "nudge" | "give-up";

/**
 * Watches a playing clip for a player that stops moving without saying so
 * (WebKitGTK's can, waiting for data that never comes): once the time has
 * stood still `limitMs` while not seeking, nudge it (the player reloads
 * the clip where it stood and plays on), at most `nudges` times a play;
 * after that, give up, so the window says so instead of showing "playing"
 * for ever.
 */
export class StallWatch {
  private lastTime = Number.NaN;
  private since = 0;
  private nudged = 0;

  constructor(
    private readonly limitMs = 3000,
    private readonly nudges = 2,
  ) {}

  /** The clip's time `t` seen at `nowMs`; `seeking` pauses the watch. */
  observe(nowMs: number, t: number, seeking: boolean): Stall {
    if (seeking || t !== this.lastTime) {
      this.lastTime = t;
      this.since = nowMs;
      return "ok";
    }
    if (nowMs - this.since < this.limitMs) return "ok";
    this.since = nowMs;
    if (this.nudged >= this.nudges) return "give-up";
    this.nudged++;
    return "nudge";
  }
}
