import { describe, expect, it } from "vitest";
import type { MotionParts } from "../bindings";
import { arrows, direction, explainMotion, movementWords, nextKind } from "./motion";

describe("motion", () => {
  it("cycles the kind filter: motion only, frame only, both", () => {
    expect(nextKind(null)).toBe("motion");
    expect(nextKind("motion")).toBe("frame");
    expect(nextKind("frame")).toBe(null);
  });

  it("names eight directions on screen, y down", () => {
    expect(direction([1, 0])).toBe("right");
    expect(direction([0, 1])).toBe("down");
    expect(direction([-1, -0.05])).toBe("left");
    expect(direction([0.7, -0.7])).toBe("up-right");
  });

  it("says the camera pans against the picture's movement", () => {
    expect(movementWords("camera", { velocity: [0.3, 0], at: [0.5, 0.5] })).toMatch(/^pans left: the picture moves right, 0.30 of the frame a second/);
    expect(movementWords("zoom", { velocity: [0.2, 0.01], at: [0.5, 0.5] })).toBe("zooms in");
    expect(movementWords("zoom", { velocity: [-0.2, 0], at: [0.5, 0.5] })).toBe("zooms out");
    expect(movementWords("subject", { velocity: [0, -0.4], at: [0.3, 0.6] })).toMatch(/^moves up/);
  });

  it("explains a pair with both ends and how alike they are", () => {
    const m: MotionParts = {
      what: "subject",
      direction: 0.97,
      speed_ratio: 0.8,
      exit: { velocity: [0.4, 0], at: [0.8, 0.5] },
      entry: { velocity: [0.5, 0], at: [0.2, 0.5] },
    };
    const lines = explainMotion(m);
    expect(lines[0]).toMatch(/^out: a subject moves right/);
    expect(lines[1]).toMatch(/^in: a subject moves right/);
    expect(lines[2]).toBe("same way 0.97 · speed ratio 0.80");
  });

  it("draws a pan centred, a run from the subject, a zoom as four arrows", () => {
    const [pan] = arrows("camera", { velocity: [0.25, 0], at: [0.5, 0.5] }, 400, 200);
    expect(pan).toEqual({ x1: 150, y1: 100, x2: 250, y2: 100 });
    const [fast] = arrows("camera", { velocity: [2, 0], at: [0.5, 0.5] }, 400, 200);
    expect(fast.x2 - fast.x1).toBeCloseTo(100, 6); // at most half the height
    const [run] = arrows("subject", { velocity: [0, 0.25], at: [0.2, 0.4] }, 400, 200);
    expect(run).toEqual({ x1: 80, y1: 80, x2: 80, y2: 130 });
    const zoomIn = arrows("zoom", { velocity: [0.1, 0], at: [0.5, 0.5] }, 400, 200);
    expect(zoomIn).toHaveLength(4);
    for (const s of zoomIn) {
      const out = Math.hypot(s.x2 - 200, s.y2 - 100) > Math.hypot(s.x1 - 200, s.y1 - 100);
      expect(out).toBe(true);
    }
  });
});
