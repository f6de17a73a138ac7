import { describe as group, expect, it } from "vitest";
import type { IngestTitle } from "../bindings";
import { IngestList, canCancel, canRetry, clock, describe, fraction } from "./ingest";

const row = (id: number, state: Partial<IngestTitle> & Pick<IngestTitle, "state">): IngestTitle =>
  ({ id, path: `/in/t${id}.mov`, name: `t${id}.mov`, ...state }) as IngestTitle;

group("the analysis queue", () => {
  it("keeps each title's latest state, in the order asked", () => {
    const list = new IngestList();
    list.apply(row(2, { state: "queued" }), row(1, { state: "queued" }));
    list.apply(row(1, { state: "analysing", stage: "frames", done: 10, total: 40, frames_per_s: 50, eta_s: 1 }));
    expect(list.all().map((t) => t.id)).toEqual([1, 2]);
    expect(list.current()?.id).toBe(1);
    expect(list.pending()).toBe(2);
    list.apply(row(1, { state: "ready", shots: 12, pairs: 30 }));
    expect(list.current()).toBeUndefined();
    expect(list.pending()).toBe(1);
  });

  it("moves the selection within the list", () => {
    const list = new IngestList();
    list.apply(row(1, { state: "queued" }), row(2, { state: "queued" }));
    list.move(5);
    expect(list.selected).toBe(1);
    list.move(-9);
    expect(list.selected).toBe(0);
    expect(list.at(1)?.id).toBe(2);
  });

  it("says what each state allows and how far it is", () => {
    const analysing = row(1, { state: "analysing", stage: "frames", done: 30, total: 120, frames_per_s: 61.4, eta_s: 75 });
    expect(canCancel(analysing) && !canRetry(analysing)).toBe(true);
    expect(fraction(analysing)).toBe(0.25);
    expect(describe(analysing)).toBe("finding shots · 30/120 frames · 61 frames/s · 1:15 left");
    const failed = row(2, { state: "failed", reason: "/in/t2.mov: not a readable video file" });
    expect(canRetry(failed) && !canCancel(failed)).toBe(true);
    expect(describe(failed)).toBe("failed: /in/t2.mov: not a readable video file");
    expect(fraction(failed)).toBeNull();
    expect(describe(row(3, { state: "moved", to: "/in/new.mov" }))).toBe("moved to /in/new.mov");
    expect(clock(3725)).toBe("1:02:05");
  });
});
