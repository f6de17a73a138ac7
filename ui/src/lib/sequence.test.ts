import { describe, expect, it } from "vitest";
import { dropIndex, reorder, SequenceOrder } from "./sequence";

describe("the export view's order", () => {
  it("moves an item before another, or last", () => {
    const list = ["a", "b", "c", "d"];
    expect(reorder(list, 0, 2)).toEqual(["b", "a", "c", "d"]);
    expect(reorder(list, 3, 0)).toEqual(["d", "a", "b", "c"]);
    expect(reorder(list, 1, 4)).toEqual(["a", "c", "d", "b"]);
    expect(reorder(list, 1, 1)).toEqual(list);
    expect(reorder(list, 1, 2)).toEqual(list);
    expect(reorder(list, 9, 0)).toEqual(list);
  });

  it("drops before the row whose upper half the pointer is over", () => {
    const rows = [0, 100, 200].map((top) => ({ top, height: 100 }));
    expect(dropIndex(-5, rows)).toBe(0);
    expect(dropIndex(49, rows)).toBe(0);
    expect(dropIndex(51, rows)).toBe(1);
    expect(dropIndex(260, rows)).toBe(3);
    expect(dropIndex(10, [])).toBe(0);
  });

  it("keeps the moved cut selected and stops at the ends", () => {
    const order = new SequenceOrder();
    order.set(["a", "b", "c"]);
    expect(order.moveSelected(-1)).toBe(false);
    expect(order.moveSelected(1)).toBe(true);
    expect(order.ids).toEqual(["b", "a", "c"]);
    expect(order.selected).toBe(1);
    expect(order.moveSelected(1)).toBe(true);
    expect(order.moveSelected(1)).toBe(false);
    expect(order.ids).toEqual(["b", "c", "a"]);
    order.select(-5);
    expect(order.selected).toBe(0);
  });

  it("follows the selected cut when the sequence comes back changed", () => {
    const order = new SequenceOrder();
    order.set(["a", "b", "c"]);
    order.select(1);
    order.set(["x", "c", "b"]);
    expect(order.selected).toBe(2);
    order.set(["x"]);
    expect(order.selected).toBe(0);
  });
});
