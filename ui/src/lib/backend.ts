// The one module components use to reach the core: the generated bindings
// behind a small interface a test can stand in for.
import {
  commands,
  events,
  type CutClip,
  type CutPoints,
  type Decided,
  type Filter,
  type Page,
  type PairLayout,
  type ScanProgress,
  type TeamSetup,
  type TitleChoice,
} from "../bindings";

export type Verdict = "approve" | "reject" | "clear";

export interface Backend {
  scan(): Promise<void>;
  page(filter: Filter, offset: number, limit: number): Promise<Page>;
  /** `cut`: where the editor put the cut (null: where proposed). */
  decide(pairId: string, decision: Verdict, cut: CutPoints | null, filter: Filter): Promise<Decided>;
  onProgress(f: (p: ScanProgress) => void): void;
  onReady(f: (pairs: number) => void): void;
  /** Other editors decided `pairs`, or the sync status changed. */
  onTeam(f: (pairs: string[], status: string | null) => void): void;
  teamStatus(): Promise<string>;
  titles(): Promise<TitleChoice[]>;
  layout(pairId: string): Promise<PairLayout>;
  /** Decode the full frames of the pairs after `pairId` ahead. */
  prefetch(pairId: string, filter: Filter): Promise<void>;
  /** Renders the pair cut at `cut` (null: as proposed), `seconds` either
   *  side, for playing; resolves when it can play. */
  prepareCut(pairId: string, cut: CutPoints | null, seconds: number): Promise<CutClip>;
  /** The timecodes of the pair's out-frame and in-frame cut at `cut`. */
  cutTimecodes(pairId: string, cut: CutPoints): Promise<[string, string]>;
  /** `http://127.0.0.1:PORT/SECRET`: where clips are fetched from. */
  mediaBase(): Promise<string>;
  teamSettings(): Promise<TeamSetup>;
  saveTeamSettings(editor: string, shared: string): Promise<TeamSetup>;
}

function ok<T>(result: { status: "ok"; data: T } | { status: "error"; error: string }): T {
  if (result.status === "error") throw new Error(result.error);
  return result.data;
}

let mediaBase: Promise<string> | undefined;

export const tauri: Backend = {
  async scan() {
    ok(await commands.scanLibrary());
  },
  async page(filter, offset, limit) {
    return ok(await commands.reviewPage(filter, offset, limit));
  },
  async prepareCut(pairId, cut, seconds) {
    return ok(await commands.prepareCut(pairId, cut, seconds));
  },
  async cutTimecodes(pairId, cut) {
    return ok(await commands.cutTimecodes(pairId, cut));
  },
  mediaBase() {
    // One server and one secret per session: asked once.
    mediaBase ??= commands.mediaBase().then(ok);
    return mediaBase;
  },
  async decide(pairId, decision, cut, filter) {
    return ok(await commands.decide(pairId, decision, cut, filter));
  },
  onProgress(f) {
    events.scanProgress.listen((e) => f(e.payload));
  },
  onReady(f) {
    events.reviewReady.listen((e) => f(e.payload.pairs));
  },
  async teamStatus() {
    return ok(await commands.teamStatus());
  },
  onTeam(f) {
    events.teamChanged.listen((e) => f(e.payload.pairs, e.payload.status));
  },
  async titles() {
    return ok(await commands.reviewTitles());
  },
  async layout(pairId) {
    return ok(await commands.pairLayout(pairId));
  },
  async prefetch(pairId, filter) {
    ok(await commands.prefetchFrames(pairId, filter));
  },
  async teamSettings() {
    return ok(await commands.teamSettings());
  },
  async saveTeamSettings(editor, shared) {
    return ok(await commands.saveTeamSettings(editor, shared));
  },
};

/** A frame of a title, as the window loads it (served from the core's
 *  frame cache; `width` for a smaller copy). */
export function frameUrl(contentHash: string, frame: number, width?: number): string {
  const query = width ? `?w=${width}` : "";
  return `frame://localhost/${contentHash}/${frame}${query}`;
}
