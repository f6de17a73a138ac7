// The one module components use to reach the core: the generated bindings
// behind a small interface a test can stand in for.
import {
  commands,
  events,
  type CutClip,
  type CutPoints,
  type CutsReport,
  type Decided,
  type ExportPreview,
  type ExportSettings,
  type Filter,
  type IngestTitle,
  type Page,
  type PairLayout,
  type SheetReport,
  type TeamSetup,
  type TitleChoice,
} from "../bindings";

export type Verdict = "approve" | "reject" | "clear";

export interface Backend {
  page(filter: Filter, offset: number, limit: number): Promise<Page>;
  /** Where pair `pairId` stands in the filtered list (null: not in it). */
  position(filter: Filter, pairId: string): Promise<number | null>;
  /** `cut`: where the editor put the cut (null: where proposed). */
  decide(pairId: string, decision: Verdict, cut: CutPoints | null, filter: Filter): Promise<Decided>;
  /** A title's state in the analysis queue changed. */
  onIngest(f: (t: IngestTitle) => void): void;
  /** Files dragged over the window: how many (0: gone). */
  onDropHover(f: (items: number) => void): void;
  /** Pairs joined the review list. */
  onReady(f: (pairs: number) => void): void;
  ingestTitles(): Promise<IngestTitle[]>;
  /** Add…: the native file dialog; the titles queued. */
  chooseTitles(): Promise<IngestTitle[]>;
  cancelTitle(id: number): Promise<boolean>;
  retryTitle(id: number): Promise<boolean>;
  watchedFolders(): Promise<string[]>;
  /** The native folder dialog; the watched folders then. */
  chooseWatchFolder(): Promise<string[]>;
  unwatchFolder(index: number): Promise<string[]>;
  /** The libraries opened lately, this one first. */
  recentLibraries(): Promise<string[]>;
  /** Open library…: the native folder dialog; the app starts again on it. */
  chooseLibrary(): Promise<void>;
  openRecentLibrary(index: number): Promise<void>;
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
  /** The export settings kept with the library. */
  exportSettings(): Promise<ExportSettings>;
  /** Keeps `settings`; the sequence and the file they give. */
  exportPreview(settings: ExportSettings): Promise<ExportPreview>;
  /** Keeps `ids` as the sequence's order. */
  setCutOrder(ids: string[]): Promise<void>;
  /** Save…: the native dialog, then the file written (null: cancelled). */
  saveExport(settings: ExportSettings): Promise<CutsReport | null>;
  /** Review sheet…: the native dialog, then the page written. */
  saveReviewSheet(): Promise<SheetReport | null>;
  /** The same for the review list's pairs `filter` keeps. */
  saveFilteredSheet(filter: Filter): Promise<SheetReport | null>;
}

function ok<T>(result: { status: "ok"; data: T } | { status: "error"; error: string }): T {
  if (result.status === "error") throw new Error(result.error);
  return result.data;
}

let mediaBase: Promise<string> | undefined;

export const tauri: Backend = {
  async page(filter, offset, limit) {
    return ok(await commands.reviewPage(filter, offset, limit));
  },
  async position(filter, pairId) {
    return ok(await commands.reviewPosition(filter, pairId));
  },
  onIngest(f) {
    events.ingestChanged.listen((e) => f(e.payload));
  },
  onDropHover(f) {
    events.dropHover.listen((e) => f(e.payload.items));
  },
  async ingestTitles() {
    return ok(await commands.ingestTitles());
  },
  async chooseTitles() {
    return ok(await commands.chooseTitles());
  },
  async cancelTitle(id) {
    return ok(await commands.cancelTitle(id));
  },
  async retryTitle(id) {
    return ok(await commands.retryTitle(id));
  },
  async watchedFolders() {
    return ok(await commands.watchedFolders());
  },
  async chooseWatchFolder() {
    return ok(await commands.chooseWatchFolder());
  },
  async unwatchFolder(index) {
    return ok(await commands.unwatchFolder(index));
  },
  async recentLibraries() {
    return ok(await commands.recentLibraries());
  },
  async chooseLibrary() {
    ok(await commands.chooseLibrary());
  },
  async openRecentLibrary(index) {
    ok(await commands.openRecentLibrary(index));
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
  async exportSettings() {
    return ok(await commands.exportSettings());
  },
  async exportPreview(settings) {
    return ok(await commands.exportPreview(settings));
  },
  async setCutOrder(ids) {
    ok(await commands.setCutOrder(ids));
  },
  async saveExport(settings) {
    return ok(await commands.saveExport(settings));
  },
  async saveReviewSheet() {
    return ok(await commands.saveReviewSheet());
  },
  async saveFilteredSheet(filter) {
    return ok(await commands.saveFilteredSheet(filter));
  },
};

/** A frame of a title, as the window loads it (served from the core's
 *  frame cache; `width` for a smaller copy). */
export function frameUrl(contentHash: string, frame: number, width?: number): string {
  const query = width ? `?w=${width}` : "";
  return `frame://localhost/${contentHash}/${frame}${query}`;
}
