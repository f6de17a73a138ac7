import { describe, expect, it } from "vitest";
import { formatColor, formatDuration, formatRate, formatSize, mixedRates, rate } from "./format";

describe("formatRate", () => {
  it("shows integer rates plainly and NTSC rates to three places", () => {
    expect(formatRate("25/1")).toBe("25");
    expect(formatRate("24000/1001")).toBe("23.976");
    expect(formatRate("30000/1001")).toBe("29.97");
    expect(formatRate("60000/1001")).toBe("59.94");
  });
  it("passes through what it cannot parse", () => {
    expect(formatRate("n/a")).toBe("n/a");
  });
});

describe("formatDuration", () => {
  it("uses the exact rational rate", () => {
    expect(formatDuration(132, "25/1")).toBe("0:05");
    expect(formatDuration(107892, "30000/1001")).toBe("59:59");
  });
});

describe("formatSize", () => {
  it("reports the upright size of rotated footage", () => {
    expect(formatSize({ width: 1920, height: 1080, rotation: 0 })).toBe("1920×1080");
    expect(formatSize({ width: 1920, height: 1080, rotation: 90 })).toBe("1080×1920 (rotated 90°)");
  });
});

describe("formatColor", () => {
  it("leaves out unknown fields", () => {
    const color = { matrix: "bt709", range: "unknown", primaries: "bt709", transfer: "bt709" };
    expect(formatColor({ color })).toBe("bt709");
    expect(formatColor({ color: { ...color, matrix: "unknown" } })).toBe("unspecified");
  });
});

describe("scan progress", () => {
  it("gives the speed and the time left once known", () => {
    expect(rate({ frames_per_s: null, eta_s: null })).toBe("");
    expect(rate({ frames_per_s: 211.6, eta_s: null })).toBe(" · 212 frames/s");
    expect(rate({ frames_per_s: 100, eta_s: 65 })).toBe(" · 100 frames/s · about 1 min 5 s left");
    expect(rate({ frames_per_s: 100, eta_s: 9 })).toBe(" · 100 frames/s · about 9 s left");
  });
});

describe("mixedRates", () => {
  it("names both rates only when a pair joins two", () => {
    expect(mixedRates("25/1", "24000/1001")).toBe("25 → 23.976 fps");
    expect(mixedRates("25/1", "25/1")).toBeNull();
    expect(mixedRates("", "25/1")).toBeNull();
  });
});
