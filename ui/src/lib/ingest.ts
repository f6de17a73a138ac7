// The analysis queue as the window shows it: titles by id, updated by the
// core's events, and how each state reads.
import type { IngestTitle } from "../bindings";

export type IngestRow = IngestTitle;

export class IngestList {
  private rows = new Map<number, IngestRow>();
  selected = 0;

  /** Takes a title's new state (or the whole list, at start). */
  apply(...titles: IngestRow[]): void {
    for (const t of titles) this.rows.set(t.id, t);
  }

  /** In the order asked, as the core numbers them. */
  all(): IngestRow[] {
    return [...this.rows.values()].sort((a, b) => a.id - b.id);
  }

  /** The title being analysed now, if any. */
  current(): IngestRow | undefined {
    return this.all().find((t) => t.state === "analysing");
  }

  /** Titles waiting or being analysed. */
  pending(): number {
    return this.all().filter((t) => t.state === "queued" || t.state === "analysing").length;
  }

  move(by: number): void {
    const n = this.rows.size;
    if (n) this.selected = Math.min(n - 1, Math.max(0, this.selected + by));
  }

  at(index: number): IngestRow | undefined {
    return this.all()[index];
  }
}

/** What can be done to a title in its state. */
export function canCancel(t: IngestRow): boolean {
  return t.state === "queued" || t.state === "analysing";
}

export function canRetry(t: IngestRow): boolean {
  return t.state === "failed" || t.state === "cancelled";
}

/** 0–1 through the title's frames, when known. */
export function fraction(t: IngestRow): number | null {
  if (t.state !== "analysing") return t.state === "ready" || t.state === "cached" ? 1 : null;
  if (t.stage === "frames" && t.total > 0) return Math.min(1, t.done / t.total);
  if (t.stage === "embed" || t.stage === "index") return 1;
  return 0;
}

/** Seconds as m:ss (h:mm:ss past an hour). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

const STAGES: Record<string, string> = {
  checking: "checking",
  queued: "starting",
  frames: "finding shots",
  embed: "describing keyframes",
  index: "pairing",
  waiting: "waiting for another scan",
};

/** The state in words, as the row shows it. */
export function describe(t: IngestRow): string {
  switch (t.state) {
    case "queued":
      return "queued";
    case "analysing": {
      const parts = [STAGES[t.stage] ?? t.stage];
      if (t.stage === "frames" && t.total) parts.push(`${t.done}/${t.total} frames`);
      if (t.frames_per_s) parts.push(`${Math.round(t.frames_per_s)} frames/s`);
      if (t.eta_s != null) parts.push(`${clock(t.eta_s)} left`);
      return parts.join(" · ");
    }
    case "ready":
      return `ready · ${t.shots} shots · ${t.pairs} pairs in the library`;
    case "cached":
      return `already analysed · ${t.shots} shots`;
    case "failed":
      return `failed: ${t.reason}`;
    case "cancelled":
      return "cancelled";
    case "missing":
      return "missing: the file is gone (decisions kept)";
    case "moved":
      return `moved to ${t.to}`;
  }
}
