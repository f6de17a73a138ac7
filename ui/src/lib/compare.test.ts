import { describe, expect, it } from "vitest";
import type { Components } from "../bindings";
import { dividerAt, explain, nudge } from "./compare";

const none: Components = {
  descriptor: 0, composition: 0, light: 0, edges: 0, lines: 0, subject: 0, objects: 0, salient: 0, figure: 0,
};

describe("comparing two frames", () => {
  it("keeps the mix between 0 and 1 in steps", () => {
    expect(nudge(0.5, 0.1)).toBe(0.6);
    expect(nudge(0.95, 0.1)).toBe(1);
    expect(nudge(0.05, -0.1)).toBe(0);
  });

  it("puts the wipe divider under the pointer, inside the frame", () => {
    expect(dividerAt(150, 100, 200)).toBe(0.25);
    expect(dividerAt(50, 100, 200)).toBe(0);
    expect(dividerAt(400, 100, 200)).toBe(1);
    expect(dividerAt(10, 0, 0)).toBe(0.5);
  });

  it("says what lines up, the strongest contribution first", () => {
    const why = explain({ ...none, subject: 0.6, lines: 0.9, light: 0.3, salient: 0.8, figure: 0.7 });
    expect(why.lines.map((r) => r.part)).toEqual(["salient", "subject", "lines"]);
    expect(why.lines[0].text).toContain("figure stands out");
    expect(why.figure).toBe("both frames show a clear figure");
  });

  it("says so when nothing lines up and there is no figure", () => {
    const why = explain(none);
    expect(why.lines).toEqual([]);
    expect(why.figure).toContain("no clear figure");
  });
});
