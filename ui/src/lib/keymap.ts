// The app's one key map (shared UI.md): a key press → an action name.
// Components never read keys themselves; App.svelte asks `actionFor`.

export type Action =
  | "next"
  | "previous"
  | "approve"
  | "reject"
  | "clear"
  | "undo"
  | "help"
  | "close"
  | "review"
  | "library"
  | "filters"
  | "kind"
  | "side"
  | "onion"
  | "wipe"
  | "difference"
  | "overlay"
  | "less"
  | "more"
  | "play"
  | "shuttle-back"
  | "stop"
  | "shuttle-forward"
  | "trim-back"
  | "trim-forward"
  | "trim-back-10"
  | "trim-forward-10"
  | "switch-side"
  | "loop"
  | "shorter"
  | "longer"
  | "add-titles"
  | "watch-folder"
  | "cancel-title"
  | "retry-title"
  | "open-library"
  | "export"
  | "move-up"
  | "move-down"
  | "save-export"
  | "save-sheet";

/** Where the editor is: some keys mean something else in each place. */
export type Place = "review" | "library" | "export";

export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
}

/** The shortcut sheet: what each key does, in the order it is shown. */
export const SHEET: { keys: string; action: Action; label: string }[] = [
  { keys: "↓ / ↑", action: "next", label: "next / previous pair" },
  { keys: "A", action: "approve", label: "approve the selected pair" },
  { keys: "R", action: "reject", label: "reject the selected pair" },
  { keys: "C", action: "clear", label: "clear your decision" },
  { keys: "Ctrl+Z", action: "undo", label: "undo your last decision or trim" },
  { keys: "Space", action: "play", label: "play / pause the cut" },
  { keys: "J / K / L", action: "shuttle-forward", label: "shuttle back / stop / forward (again: faster)" },
  { keys: "← / →", action: "trim-forward", label: "move the focused side's cut point a frame (Shift: 10)" },
  { keys: "Tab", action: "switch-side", label: "focus the outgoing or the incoming side" },
  { keys: "− / =", action: "longer", label: "play less / more either side of the cut" },
  { keys: "Ctrl+L", action: "loop", label: "loop the cut on / off" },
  { keys: "1", action: "side", label: "compare side by side" },
  { keys: "2", action: "onion", label: "compare as onion skin (incoming over outgoing)" },
  { keys: "3", action: "wipe", label: "compare with a wipe (drag the divider)" },
  { keys: "4", action: "difference", label: "compare by difference" },
  { keys: "[ / ]", action: "less", label: "onion opacity or wipe divider −/+ 10%" },
  { keys: "O", action: "overlay", label: "layout overlay: where the subject stands out, lines" },
  { keys: "F", action: "filters", label: "filters (undecided, across titles, kind, score, state, who)" },
  { keys: "M", action: "kind", label: "list motion pairs only, then frame pairs only, then both" },
  { keys: "Alt+1 / 2 / 3", action: "review", label: "review / library / export" },
  { keys: "Ctrl+E", action: "export", label: "export: the approved cuts as a sequence" },
  { keys: "Alt+↓ / Alt+↑", action: "move-down", label: "export: move the selected cut later / earlier (or drag it)" },
  { keys: "Ctrl+S", action: "save-export", label: "export: save the sequence (EDL, OTIO or XML)" },
  { keys: "Ctrl+Shift+S", action: "save-sheet", label: "save a review sheet (HTML) to share: the sequence, or in review the filtered list" },
  { keys: "Ctrl+I", action: "add-titles", label: "add titles to analyse (or drop files and folders on the window)" },
  { keys: "Ctrl+O", action: "open-library", label: "open another library (recent ones in the library place)" },
  { keys: "W", action: "watch-folder", label: "watch a folder: titles saved there are analysed as they arrive" },
  { keys: "X / Delete", action: "cancel-title", label: "library: cancel the selected title's analysis" },
  { keys: "R", action: "retry-title", label: "library: retry the selected title" },
  { keys: "?", action: "help", label: "this sheet" },
  { keys: "Esc", action: "close", label: "close what is open" },
];

/** The action a key press asks for, if any. Keys typed into a text field
 *  are the field's but for Escape, Alt+1/2/3 and Ctrl+S (the caller passes
 *  `inField`). */
export function actionFor(press: KeyPress, inField = false, place: Place = "review"): Action | null {
  const action = anywhere(press, inField);
  if (place === "export") return action && EXPORT.has(action) ? action : null;
  if (action === "move-up" || action === "move-down" || action === "save-export") return null;
  if (action === "save-sheet" && place !== "review") return null;
  if (place !== "library") return action;
  // In the library the arrows walk the analysis queue; R retries.
  if (action === "reject") return "retry-title";
  if (action === "cancel-title" || action === "next" || action === "previous") return action;
  return action && LIBRARY.has(action) ? action : null;
}

/** What the library place answers to besides its own keys. */
const LIBRARY = new Set<Action>(["help", "close", "review", "library", "export", "add-titles", "watch-folder", "retry-title", "open-library"]);

/** What the export place answers to. */
const EXPORT = new Set<Action>([
  "help", "close", "review", "library", "export", "next", "previous", "move-up", "move-down",
  "save-export", "save-sheet", "add-titles", "open-library",
]);

function anywhere(press: KeyPress, inField: boolean): Action | null {
  const plain = !press.ctrlKey && !press.altKey && !press.metaKey;
  // Keys typed into a field are the field's, except Escape, the places
  // (Alt+digit types nothing) and saving.
  const place = press.altKey && !press.ctrlKey && !press.metaKey && /^[123]$/.test(press.key);
  const save = (press.ctrlKey || press.metaKey) && !press.altKey && press.key.toLowerCase() === "s";
  if (inField && press.key !== "Escape" && !place && !save) return null;
  if (save) return press.shiftKey ? "save-sheet" : "save-export";
  if (press.altKey && !press.ctrlKey && !press.metaKey) {
    if (press.key === "1") return "review";
    if (press.key === "2") return "library";
    if (press.key === "3") return "export";
    if (press.key === "ArrowDown") return "move-down";
    if (press.key === "ArrowUp") return "move-up";
    return null;
  }
  if ((press.ctrlKey || press.metaKey) && !press.shiftKey && press.key.toLowerCase() === "e") {
    return "export";
  }
  if ((press.ctrlKey || press.metaKey) && !press.shiftKey && press.key.toLowerCase() === "z") {
    return "undo";
  }
  if ((press.ctrlKey || press.metaKey) && !press.shiftKey && press.key.toLowerCase() === "l") {
    return "loop";
  }
  if ((press.ctrlKey || press.metaKey) && !press.shiftKey && press.key.toLowerCase() === "i") {
    return "add-titles";
  }
  if ((press.ctrlKey || press.metaKey) && !press.shiftKey && press.key.toLowerCase() === "o") {
    return "open-library";
  }
  if (!plain) return null;
  switch (press.key) {
    case " ":
      return "play";
    case "j":
    case "J":
      return "shuttle-back";
    case "k":
    case "K":
      return "stop";
    case "l":
    case "L":
      return "shuttle-forward";
    case "ArrowLeft":
      return press.shiftKey ? "trim-back-10" : "trim-back";
    case "ArrowRight":
      return press.shiftKey ? "trim-forward-10" : "trim-forward";
    case "Tab":
      return press.shiftKey ? null : "switch-side";
    case "-":
      return "shorter";
    case "=":
    case "+":
      return "longer";
    case "ArrowDown":
      return "next";
    case "ArrowUp":
      return "previous";
    case "a":
    case "A":
      return "approve";
    case "r":
    case "R":
      return "reject";
    case "c":
    case "C":
      return "clear";
    case "f":
    case "F":
      return "filters";
    case "m":
    case "M":
      return "kind";
    case "1":
      return "side";
    case "2":
      return "onion";
    case "3":
      return "wipe";
    case "4":
      return "difference";
    case "o":
    case "O":
      return "overlay";
    case "[":
      return "less";
    case "]":
      return "more";
    case "w":
    case "W":
      return "watch-folder";
    case "x":
    case "X":
    case "Delete":
      return "cancel-title";
    case "?":
      return "help";
    case "Escape":
      return "close";
    default:
      return null;
  }
}
