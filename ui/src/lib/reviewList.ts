// The review list's view state: which rows are loaded (pages of the
// filtered list), which is selected, and the decisions to undo. Pure; the
// component feeds it pages from the backend.

import type { CutPoints } from "../bindings";
export interface Row {
  pair: { id: string };
}

export interface PageLike<R extends Row> {
  total: number;
  offset: number;
  rows: R[];
}

export const PAGE = 100;

export class ListState<R extends Row> {
  total = 0;
  selected = 0;
  /** Loaded rows by position in the filtered list. */
  private rows = new Map<number, R>();

  /** Where the list is scrolled to (the first row in view): rows near it
   *  stay loaded as well as those near the selection. */
  viewed = 0;

  /** Takes a page; rows far from both the selection and the view are
   *  dropped so memory stays bounded however long the list. */
  take(page: PageLike<R>, keep = 5 * PAGE): void {
    this.total = page.total;
    page.rows.forEach((row, i) => this.rows.set(page.offset + i, row));
    for (const at of [...this.rows.keys()]) {
      const far = (anchor: number) => Math.abs(at - anchor) > keep;
      if (far(this.selected) && far(this.viewed)) this.rows.delete(at);
    }
    if (this.selected >= this.total) this.selected = Math.max(0, this.total - 1);
  }

  at(position: number): R | undefined {
    return this.rows.get(position);
  }

  loaded(): number {
    return this.rows.size;
  }

  /** The page offsets a view of `first…last` needs that are not loaded. */
  missing(first: number, last: number): number[] {
    const pages = new Set<number>();
    for (let p = Math.max(0, first); p <= Math.min(last, this.total - 1); p++) {
      if (!this.rows.has(p)) pages.add(Math.floor(p / PAGE) * PAGE);
    }
    return [...pages];
  }

  move(by: number): void {
    if (this.total === 0) return;
    this.selected = Math.min(this.total - 1, Math.max(0, this.selected + by));
  }

  select(id: string): boolean {
    for (const [at, row] of this.rows) {
      if (row.pair.id === id) {
        this.selected = at;
        return true;
      }
    }
    return false;
  }

  replace(row: R): void {
    for (const [at, old] of this.rows) {
      if (old.pair.id === row.pair.id) this.rows.set(at, row);
    }
  }

  /** Everything reloads (a filter changed, the team decided). */
  reset(): void {
    this.rows.clear();
  }
}

/** Decisions and trims made here, newest last: what Ctrl+Z restores. */
export interface Undo {
  pairId: string;
  /** The editor's decision before: "approve", "reject", or none. */
  before: "approve" | "reject" | "clear" | null;
  /** A trim: where the cut was before it (null: as proposed). */
  cut?: CutPoints | null;
}

export function undoDecision(before: Undo["before"]): "approve" | "reject" | "clear" {
  return before ?? "clear";
}
