// The export view's sequence as the editor arranges it: which cut is
// selected, moving cuts (keys or a drag), and where a drag would drop.

/** `list` with the item at `from` put before the item now at `to`
 *  (`to` = length: last). */
export function reorder<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length) return [...list];
  const out = [...list];
  const [item] = out.splice(from, 1);
  const at = Math.max(0, Math.min(to > from ? to - 1 : to, out.length));
  out.splice(at, 0, item);
  return out;
}

/** Where a drag at height `y` drops among rows (their top and height, in
 *  order): the index it goes before (rows.length: after the last). */
export function dropIndex(y: number, rows: readonly { top: number; height: number }[]): number {
  for (let i = 0; i < rows.length; i++) {
    if (y < rows[i].top + rows[i].height / 2) return i;
  }
  return rows.length;
}

/** The cuts' order and the selected one. */
export class SequenceOrder {
  ids: string[] = [];
  selected = 0;

  /** Takes the sequence as the core lays it out; the selection follows
   *  its cut where it moved (or stays in range). */
  set(ids: string[]) {
    const current = this.ids[this.selected];
    this.ids = [...ids];
    const found = current === undefined ? -1 : this.ids.indexOf(current);
    this.selected = found >= 0 ? found : Math.min(this.selected, Math.max(0, this.ids.length - 1));
  }

  select(delta: number) {
    if (!this.ids.length) return;
    this.selected = Math.max(0, Math.min(this.ids.length - 1, this.selected + delta));
  }

  /** Moves the item at `from` before the one at `to`; the moved one stays
   *  selected. False when nothing changed. */
  move(from: number, to: number): boolean {
    const next = reorder(this.ids, from, to);
    if (next.every((id, i) => id === this.ids[i])) return false;
    const id = this.ids[from];
    this.ids = next;
    this.selected = this.ids.indexOf(id);
    return true;
  }

  /** Alt+↓ / Alt+↑: the selected cut one place later / earlier. */
  moveSelected(delta: 1 | -1): boolean {
    const to = delta > 0 ? this.selected + 2 : this.selected - 1;
    if (to < 0 || to > this.ids.length) return false;
    return this.move(this.selected, to);
  }
}
