// A motion pair's movement in words and as arrows over a frame. Velocities
// are how the picture moves on screen (frame widths and heights a second;
// a zoom's are relative scale and radians a second), so the camera pans the
// other way.
import type { Arrow, Kind, MotionParts, PairKind } from "../bindings";

/** The kind filter after M: both kinds → motion only → frame only → both. */
export function nextKind(kind: PairKind | null | undefined): PairKind | null {
  if (!kind) return "motion";
  return kind === "motion" ? "frame" : null;
}

/** Floats cross as `number | null` (NaN is null): null reads as 0. */
const n = (x: number | null | undefined) => x ?? 0;
const pair = (v: [number | null, number | null]): [number, number] => [n(v[0]), n(v[1])];

const COMPASS = ["right", "down-right", "down", "down-left", "left", "up-left", "up", "up-right"];

/** The nearest of eight directions of a screen vector (y down). */
export function direction(v: [number, number]): string {
  const turn = Math.atan2(v[1], v[0]) / (2 * Math.PI);
  return COMPASS[(Math.round(turn * 8) + 8) % 8];
}

/** The opposite of a direction word. */
const opposite = (d: string) => COMPASS[(COMPASS.indexOf(d) + 4) % 8];

/** One end's movement in words. */
export function movementWords(kind: Kind, a: Arrow): string {
  const [x, y] = pair(a.velocity);
  if (kind === "zoom") {
    if (Math.abs(x) >= Math.abs(y)) return x >= 0 ? "zooms in" : "zooms out";
    return y >= 0 ? "rolls clockwise" : "rolls anticlockwise";
  }
  const speed = Math.hypot(x, y).toFixed(2);
  if (kind === "camera") return `pans ${opposite(direction([x, y]))}: the picture moves ${direction([x, y])}, ${speed} of the frame a second`;
  return `moves ${direction([x, y])}, ${speed} of the frame a second`;
}

/** Why a motion pair was proposed, in an editor's words. */
export function explainMotion(m: MotionParts): string[] {
  const who = m.what === "subject" ? "a subject" : "the camera";
  return [
    `out: ${who} ${movementWords(m.what, m.exit)}`,
    `in: ${who} ${movementWords(m.what, m.entry)}`,
    `same way ${n(m.direction).toFixed(2)} · speed ratio ${n(m.speed_ratio).toFixed(2)}`,
  ];
}

export interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** The arrows of one end over a `width`×`height` frame: where the picture
 *  goes in one second (at most half the frame's height), centred for the
 *  camera, from the subject for a subject; four from the centre for a zoom
 *  (outwards when it zooms in). */
export function arrows(kind: Kind, a: Arrow, width: number, height: number): Segment[] {
  const [at, v] = [pair(a.at), pair(a.velocity)];
  const [cx, cy] = [at[0] * width, at[1] * height];
  if (kind === "zoom") {
    const reach = Math.min(Math.max(Math.abs(v[0]) * width, 12), height * 0.3);
    const [inner, outer] = v[0] >= 0 ? [height * 0.12, height * 0.12 + reach] : [height * 0.12 + reach, height * 0.12];
    return [
      [1, 1],
      [-1, 1],
      [1, -1],
      [-1, -1],
    ].map(([dx, dy]) => {
      const u = Math.SQRT1_2;
      return { x1: cx + dx * u * inner, y1: cy + dy * u * inner, x2: cx + dx * u * outer, y2: cy + dy * u * outer };
    });
  }
  let [dx, dy] = [v[0] * width, v[1] * height];
  const length = Math.hypot(dx, dy);
  const longest = height * 0.5;
  if (length > longest) [dx, dy] = [(dx * longest) / length, (dy * longest) / length];
  const [x1, y1] = kind === "camera" ? [cx - dx / 2, cy - dy / 2] : [cx, cy];
  return [{ x1, y1, x2: x1 + dx, y2: y1 + dy }];
}
