// How the pair view compares the two frames, and the score in words.
import type { Components } from "../bindings";

export type Mode = "side" | "onion" | "wipe" | "difference";

export const MODES: { mode: Mode; key: string; label: string }[] = [
  { mode: "side", key: "1", label: "Side by side" },
  { mode: "onion", key: "2", label: "Onion skin" },
  { mode: "wipe", key: "3", label: "Wipe" },
  { mode: "difference", key: "4", label: "Difference" },
];

/** The onion skin's opacity or the wipe's divider, 0…1, moved by `by`. */
export function nudge(mix: number, by: number): number {
  return Math.round(Math.min(1, Math.max(0, mix + by)) * 100) / 100;
}

/** Where a pointer at `x` across a box from `left`, `width` wide puts the
 *  wipe's divider, 0…1. */
export function dividerAt(x: number, left: number, width: number): number {
  if (width <= 0) return 0.5;
  return Math.min(1, Math.max(0, (x - left) / width));
}

/** The framing parts of a pair's components. */
export type Part = "subject" | "salient" | "objects" | "lines" | "light" | "edges" | "figure";

/** What each framing part means when the two frames agree on it, and its
 *  weight in the score (matching::composition::WEIGHTS). */
const PARTS: { key: Part; weight: number; agree: string }[] = [
  { key: "subject", weight: 0.285, agree: "the subject stands out in the same place, at the same size" },
  { key: "salient", weight: 0.23, agree: "a figure stands out against its ground in the same place" },
  { key: "objects", weight: 0.2, agree: "the network sees the subject in the same place" },
  { key: "lines", weight: 0.115, agree: "lines run the same way in the same places" },
  { key: "light", weight: 0.085, agree: "light and shade fall alike" },
  { key: "edges", weight: 0.085, agree: "contours sit in the same places" },
];

/** Agreement at or above this is said to line up. */
export const AGREES = 0.5;

export interface Reason {
  part: Part;
  value: number;
  text: string;
}

/** Why the pair scored as it did: the parts that line up, strongest
 *  contribution first, then how clearly both frames show a figure. */
export function explain(c: Components): { lines: Reason[]; figure: string } {
  // Parts a library analysed before they existed are absent: no agreement.
  const at = (key: Part) => c[key] ?? 0;
  const lines = PARTS.filter((p) => at(p.key) >= AGREES)
    .sort((a, b) => b.weight * at(b.key) - a.weight * at(a.key))
    .map((p) => ({ part: p.key, value: at(p.key), text: p.agree }));
  const shown = at("figure");
  const figure =
    shown >= 0.5
      ? "both frames show a clear figure"
      : shown >= 0.2
        ? "a figure is only faint in one frame"
        : "no clear figure: the match is in the layout";
  return { lines, figure };
}
