// Presentation of probed facts; pure functions, unit-tested in format.test.ts.
import type { MediaInfo } from "../bindings";

/** "24000/1001" → "23.976", "25/1" → "25". */
export function formatRate(rate: string): string {
  const [num, den] = rate.split("/").map(Number);
  if (!num || !den) return rate;
  const fps = num / den;
  return Number.isInteger(fps) ? String(fps) : fps.toFixed(3).replace(/0+$/, "");
}

/** "25 → 23.976 fps" when a pair joins titles at two rates, else null. */
export function mixedRates(from: string, to: string): string | null {
  if (!from || !to || from === to) return null;
  return `${formatRate(from)} → ${formatRate(to)} fps`;
}

/** Frames as a duration in minutes and seconds, from the exact rate. */
export function formatDuration(frames: number, rate: string): string {
  const [num, den] = rate.split("/").map(Number);
  if (!num || !den) return `${frames} frames`;
  const seconds = Math.floor((frames * den) / num);
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

/** "1920×1080", with the display size when rotation turns it. */
export function formatSize(info: Pick<MediaInfo, "width" | "height" | "rotation">): string {
  const turned = info.rotation % 180 === 90;
  const [w, h] = turned ? [info.height, info.width] : [info.width, info.height];
  return turned ? `${w}×${h} (rotated ${info.rotation}°)` : `${w}×${h}`;
}

/** A short colour description: "bt709 tv". */
export function formatColor(info: Pick<MediaInfo, "color">): string {
  const { matrix, range } = info.color;
  return [matrix, range].filter((v) => v && v !== "unknown").join(" ") || "unspecified";
}

/** A scan's speed and time left: " · 212 frames/s · about 1 min 5 s left". */
export function rate(p: { frames_per_s?: number | null; eta_s?: number | null }): string {
  if (p.frames_per_s == null) return "";
  const speed = ` · ${Math.round(p.frames_per_s)} frames/s`;
  if (p.eta_s == null) return speed;
  const left = p.eta_s >= 60 ? `${Math.floor(p.eta_s / 60)} min ${p.eta_s % 60} s` : `${p.eta_s} s`;
  return `${speed} · about ${left} left`;
}
