import { describe, expect, it } from "vitest";
import { ListState, PAGE, undoDecision } from "./reviewList";

const rows = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ pair: { id: `p${from + i}` } }));

describe("the review list state", () => {
  it("loads pages, moves the selection within the list, finds rows", () => {
    const list = new ListState();
    list.take({ total: 250, offset: 0, rows: rows(0, PAGE) });
    expect(list.total).toBe(250);
    expect(list.at(5)?.pair.id).toBe("p5");
    list.move(-3);
    expect(list.selected).toBe(0);
    list.move(400);
    expect(list.selected).toBe(249);
    expect(list.missing(95, 120)).toEqual([100]);
    expect(list.select("p7")).toBe(true);
    expect(list.selected).toBe(7);
    expect(list.select("p199")).toBe(false);
  });

  it("keeps memory bounded on a 10,000-pair list", () => {
    const list = new ListState();
    for (let offset = 0; offset < 10_000; offset += PAGE) {
      list.selected = offset;
      list.viewed = offset;
      list.take({ total: 10_000, offset, rows: rows(offset, PAGE) });
    }
    expect(list.loaded()).toBeLessThanOrEqual(6 * PAGE + 1);
    expect(list.at(9_999)?.pair.id).toBe("p9999");
    expect(list.at(0)).toBeUndefined();
  });

  it("keeps the rows scrolled to, far from the selection, and those near the selection", () => {
    const list = new ListState();
    list.take({ total: 10_000, offset: 0, rows: rows(0, PAGE) });
    list.viewed = 9_950;
    list.take({ total: 10_000, offset: 9_900, rows: rows(9_900, PAGE) });
    expect(list.at(9_999)?.pair.id).toBe("p9999");
    expect(list.at(0)?.pair.id).toBe("p0");
    expect(list.loaded()).toBe(2 * PAGE);
  });

  it("replaces a decided row in place and undoes to what was before", () => {
    const list = new ListState<{ pair: { id: string }; mine?: string }>();
    list.take({ total: 3, offset: 0, rows: rows(0, 3) });
    list.replace({ pair: { id: "p1" }, mine: "approve" });
    expect(list.at(1)?.mine).toBe("approve");
    expect(undoDecision(null)).toBe("clear");
    expect(undoDecision("reject")).toBe("reject");
  });
});
