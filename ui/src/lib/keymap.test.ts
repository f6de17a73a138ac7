import { describe, expect, it } from "vitest";
import { actionFor, SHEET } from "./keymap";

describe("the key map", () => {
  it("maps review keys to actions", () => {
    expect(actionFor({ key: "ArrowDown" })).toBe("next");
    expect(actionFor({ key: "ArrowUp" })).toBe("previous");
    expect(actionFor({ key: "a" })).toBe("approve");
    expect(actionFor({ key: "R", shiftKey: true })).toBe("reject");
    expect(actionFor({ key: "c" })).toBe("clear");
    expect(actionFor({ key: "f" })).toBe("filters");
    expect(actionFor({ key: "m" })).toBe("kind");
    expect(actionFor({ key: "z", ctrlKey: true })).toBe("undo");
    expect(actionFor({ key: "?", shiftKey: true })).toBe("help");
    expect(actionFor({ key: "Escape" })).toBe("close");
    expect(actionFor({ key: "1", altKey: true })).toBe("review");
    expect(actionFor({ key: "2", altKey: true })).toBe("library");
  });

  it("switches compare modes with the number keys, and the overlay with O", () => {
    expect(["1", "2", "3", "4"].map((key) => actionFor({ key }))).toEqual([
      "side",
      "onion",
      "wipe",
      "difference",
    ]);
    expect(actionFor({ key: "o" })).toBe("overlay");
    expect(actionFor({ key: "[" })).toBe("less");
    expect(actionFor({ key: "]" })).toBe("more");
  });

  it("plays, shuttles and trims as NLEs do", () => {
    const keys = ["j", "k", "l", "ArrowLeft", "ArrowRight", " ", "Tab", "-", "="];
    expect(keys.map((key) => actionFor({ key }))).toEqual([
      "shuttle-back",
      "stop",
      "shuttle-forward",
      "trim-back",
      "trim-forward",
      "play",
      "switch-side",
      "shorter",
      "longer",
    ]);
    expect(actionFor({ key: "ArrowLeft", shiftKey: true })).toBe("trim-back-10");
    expect(actionFor({ key: "ArrowRight", shiftKey: true })).toBe("trim-forward-10");
    expect(actionFor({ key: "l", ctrlKey: true })).toBe("loop");
    expect(actionFor({ key: "Tab", shiftKey: true })).toBeNull();
  });

  it("leaves modified letters alone", () => {
    expect(actionFor({ key: "a", ctrlKey: true })).toBeNull();
    expect(actionFor({ key: "z", ctrlKey: true, shiftKey: true })).toBeNull();
  });

  it("gives keys typed into a field to the field, except Escape", () => {
    expect(actionFor({ key: "a" }, true)).toBeNull();
    expect(actionFor({ key: "Escape" }, true)).toBe("close");
    expect(actionFor({ key: "1", altKey: true }, true)).toBe("review");
    expect(actionFor({ key: "z", ctrlKey: true }, true)).toBeNull();
    expect(actionFor({ key: "1" }, true)).toBeNull();
  });

  it("in the library walks the analysis queue, cancels, retries and adds", () => {
    expect(actionFor({ key: "ArrowDown" }, false, "library")).toBe("next");
    expect(actionFor({ key: "x" }, false, "library")).toBe("cancel-title");
    expect(actionFor({ key: "Delete" }, false, "library")).toBe("cancel-title");
    expect(actionFor({ key: "r" }, false, "library")).toBe("retry-title");
    expect(actionFor({ key: "r" }, false, "review")).toBe("reject");
    expect(actionFor({ key: "i", ctrlKey: true }, false, "library")).toBe("add-titles");
    expect(actionFor({ key: "w" }, false, "review")).toBe("watch-folder");
    expect(actionFor({ key: "o", ctrlKey: true }, false, "library")).toBe("open-library");
    // Review keys do nothing in the library.
    expect(actionFor({ key: "a" }, false, "library")).toBeNull();
    expect(actionFor({ key: " " }, false, "library")).toBeNull();
  });

  it("in the export place selects, moves and saves; review keys do nothing", () => {
    expect(actionFor({ key: "e", ctrlKey: true }, false, "review")).toBe("export");
    expect(actionFor({ key: "3", altKey: true }, false, "library")).toBe("export");
    expect(actionFor({ key: "ArrowDown" }, false, "export")).toBe("next");
    expect(actionFor({ key: "ArrowDown", altKey: true }, false, "export")).toBe("move-down");
    expect(actionFor({ key: "ArrowUp", altKey: true }, false, "export")).toBe("move-up");
    expect(actionFor({ key: "s", ctrlKey: true }, false, "export")).toBe("save-export");
    expect(actionFor({ key: "S", ctrlKey: true, shiftKey: true }, false, "export")).toBe("save-sheet");
    // Saving works from the view's fields; typing there does not move cuts.
    expect(actionFor({ key: "s", ctrlKey: true }, true, "export")).toBe("save-export");
    expect(actionFor({ key: "ArrowDown", altKey: true }, true, "export")).toBeNull();
    for (const key of ["a", "r", " ", "1", "x"]) expect(actionFor({ key }, false, "export")).toBeNull();
    // Moving and saving mean nothing elsewhere.
    expect(actionFor({ key: "ArrowDown", altKey: true }, false, "review")).toBeNull();
    expect(actionFor({ key: "s", ctrlKey: true }, false, "library")).toBeNull();
    // A sheet of the filtered list from the review.
    expect(actionFor({ key: "S", ctrlKey: true, shiftKey: true }, false, "review")).toBe("save-sheet");
    expect(actionFor({ key: "S", ctrlKey: true, shiftKey: true }, false, "library")).toBeNull();
  });

  it("names each action once on the sheet (the sheet is keyed by action)", () => {
    const actions = SHEET.map((s) => s.action);
    expect(new Set(actions).size).toBe(actions.length);
  });

  it("lists every action it maps on the sheet", () => {
    const shown = new Set(SHEET.map((s) => s.action));
    const actions = ["next", "approve", "reject", "clear", "undo", "help", "close", "review"];
    const intake = ["add-titles", "watch-folder", "cancel-title", "retry-title", "open-library"];
    intake.push("export", "move-down", "save-export", "save-sheet");
    for (const a of [...actions, "side", "onion", "wipe", "difference", "overlay", "less", ...intake]) {
      expect(shown.has(a as never)).toBe(true);
    }
  });
});
