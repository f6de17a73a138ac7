// From approve to saved files in the real window, as an editor works: three
// pairs approved with the keyboard, the export place (Ctrl+E), one cut
// dragged before another, the EDL and the XML saved through the native save
// dialog (answered here by typing, as a hand would), a review sheet saved
// the same way. OpenTimelineIO's own readers then read both files back in
// exactly the order and ranges the window shows, each XML clip at its own
// title's rate, and the sheet holds both frames of each cut; from the
// review, a sheet of the filtered list.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { attribute, click, closeApp, drag, findAll, openApp, press, run, screenshot, waitFor, waitUntil } from "./webdriver.mjs";

const library = process.env.MATCHCUT_E2E_EXPORT;
const out = join(library, "out");
const shots = process.env.MATCHCUT_E2E_SCREENSHOT;
const CTRL = "\uE009";
const SHIFT = "\uE008";

before(async () => {
  await openApp(library);
  await waitFor("[data-testid=pair-row]");
});

after(async () => {
  await closeApp();
});

function cli(...args) {
  const done = spawnSync(process.env.MATCHCUT_CLI, [...args, "--library", library], { encoding: "utf8" });
  assert.equal(done.status, 0, done.stderr);
  return done.stdout;
}

/** Answers the native save dialog titled `title`: the whole name replaced
 *  by `path`, then Enter. */
function answerSaveDialog(title, path) {
  const found = spawnSync("xdotool", ["search", "--sync", "--onlyvisible", "--name", title], { encoding: "utf8", timeout: 30000 });
  const id = found.stdout.trim().split("\n")[0];
  assert.ok(id, `the "${title}" dialog: ${found.stderr}`);
  for (const args of [["windowfocus", "--sync", id], ["key", "ctrl+a"], ["type", "--delay", "5", path], ["key", "Return"]]) {
    spawnSync("xdotool", args, { timeout: 10000 });
  }
}

/** The cuts as the export place shows them, in order. */
const shown = () =>
  run(`return [...document.querySelectorAll('[data-testid=export-cut]')].map((r) => ({
    pair: r.dataset.pair, recordIn: r.dataset.recordIn, recordCut: r.dataset.recordCut, recordOut: r.dataset.recordOut,
    sides: [...r.querySelectorAll('[data-testid=export-side]')].map((f) => ({
      name: f.dataset.name, path: f.dataset.path, clipIn: f.dataset.clipIn, frames: Number(f.dataset.frames), rate: f.dataset.rate })) }))`);

/** Frames since 00:00:00:00 of a timecode at `rate` (`;`: drop frame). */
function tcFrames(tc, rate) {
  const [num, den] = rate.split("/").map(Number);
  const base = Math.round(num / den);
  const [h, m, s, f] = tc.split(/[:;.]/).map(Number);
  const minutes = h * 60 + m;
  const dropped = tc.includes(";") ? (base / 15) * (minutes - Math.floor(minutes / 10)) : 0;
  return (minutes * 60 + s) * base + f - dropped;
}

/** `n` frames at rate `from` counted at rate `to`, to the nearest (halves up). */
function conform(n, from, to) {
  const [fn, fd] = from.split("/").map(BigInt);
  const [tn, td] = to.split("/").map(BigInt);
  const num = BigInt(n) * tn * fd;
  const den = td * fn;
  return Number((2n * num + den) / (2n * den));
}

test("approve, reorder, save EDL, XML and a review sheet: read back as shown", async () => {
  // Three pairs approved from the keyboard (each A moves to the next).
  for (let i = 0; i < 3; i++) {
    const before = await attribute((await findAll("[data-testid=pair-view]"))[0], "data-pair");
    await press("a");
    await waitUntil(async () => (await attribute((await findAll("[data-testid=pair-view]"))[0], "data-pair")) !== before, "the next pair");
  }
  const approved = JSON.parse(cli("decisions", "--json")).pairs.filter((d) => d.state === "approved");
  assert.equal(approved.length, 3, JSON.stringify(approved));

  await press("e", CTRL);
  await waitFor("[data-testid=export-view][data-cuts='3']");
  const first = await shown();
  assert.deepEqual(new Set(first.map((c) => c.pair)), new Set(approved.map((d) => d.pair_id)));

  // The third cut dragged above the first: the order is kept with the
  // library (the CLI's export order says the same).
  const rows = await findAll("[data-testid=export-cut]");
  await drag(rows[2], rows[0], -25);
  const wanted = [first[2].pair, first[0].pair, first[1].pair];
  await waitUntil(async () => JSON.stringify((await shown()).map((c) => c.pair)) === JSON.stringify(wanted), "the dragged order");
  assert.deepEqual(cli("export", "order").trim().split("\n"), wanted);
  // Alt+↓ then Alt+↑ on the selected (dragged) cut: back where it was.
  await press("\uE015", "\uE00A");
  await waitUntil(async () => (await shown())[1].pair === wanted[0], "moved down by key");
  await press("\uE013", "\uE00A");
  await waitUntil(async () => (await shown())[0].pair === wanted[0], "moved up by key");

  const edl = join(out, "trailer cuts.edl");
  await press("s", CTRL);
  answerSaveDialog("Save the sequence", edl);
  await waitUntil(async () => existsSync(edl) && (await findAll("[data-testid=export-status]")).length > 0, "the EDL saved");

  await click((await findAll("[data-testid=export-kind-xml]"))[0]);
  await waitUntil(async () => (await run("return document.querySelector('[data-testid=export-preview]').textContent")).startsWith("<?xml"), "the XML preview");
  const xml = join(out, "trailer cuts.xml");
  await press("s", CTRL);
  answerSaveDialog("Save the sequence", xml);
  await waitUntil(async () => existsSync(xml), "the XML saved");

  const sheet = join(out, "review sheet.html");
  await press("s", [CTRL, SHIFT]);
  answerSaveDialog("Save the review sheet", sheet);
  await waitUntil(async () => existsSync(sheet), "the review sheet saved", 60000);
  await screenshot(shots.replace("app-window", "export"));

  const cuts = await shown();
  assert.deepEqual(cuts.map((c) => c.pair), wanted);
  const rate = await attribute((await findAll("[data-testid=export-view]"))[0], "data-rate");
  const reader = join(process.env.MATCHCUT_ROOT, "tests/otio_read.py");
  const read = spawnSync(process.env.MATCHCUT_OTIO_PYTHON, [reader, edl, rate, xml, rate], { encoding: "utf8" });
  assert.equal(read.status, 0, read.stderr);
  const [fromEdl, fromXml] = JSON.parse(read.stdout);
  const sides = cuts.flatMap((c) => c.sides);
  assert.ok(new Set(sides.map((s) => s.rate)).size > 1, "the approved pairs join titles at two rates");

  // XML: every clip at its own title's rate, exactly the shown range.
  assert.equal(fromXml.clips.length, sides.length);
  fromXml.clips.forEach((clip, i) => {
    const side = sides[i];
    const [num, den] = side.rate.split("/").map(Number);
    assert.equal(clip.name, side.name);
    assert.equal(clip.path, side.path);
    assert.ok(Math.abs(clip.rate - num / den) < 1e-6, `${clip.rate} vs ${side.rate}`);
    assert.equal(clip.start, tcFrames(side.clipIn, side.rate), `XML clip ${i}`);
    assert.equal(clip.duration, side.frames, `XML clip ${i}`);
  });

  // EDL: one rate; a clip at another is conformed to it, its record
  // length as shown.
  assert.equal(fromEdl.record_start, tcFrames("01:00:00:00", rate));
  assert.equal(fromEdl.clips.length, sides.length);
  cuts.forEach((cut, n) => {
    const lengths = [
      tcFrames(cut.recordCut, rate) - tcFrames(cut.recordIn, rate),
      tcFrames(cut.recordOut, rate) - tcFrames(cut.recordCut, rate),
    ];
    cut.sides.forEach((side, k) => {
      const clip = fromEdl.clips[2 * n + k];
      const start = tcFrames(side.clipIn, side.rate);
      assert.equal(clip.name, side.name);
      if (side.rate === rate) {
        assert.equal(clip.start, start, `EDL clip ${2 * n + k}`);
        assert.equal(clip.duration, side.frames, `EDL clip ${2 * n + k}`);
      } else {
        assert.equal(clip.start, conform(start, side.rate, rate), `EDL clip ${2 * n + k} (conformed)`);
      }
      assert.equal(clip.duration, lengths[k], `EDL clip ${2 * n + k}: the record length shown`);
    });
  });

  // The sheet: both frames of each cut, inline, in the sequence's order.
  const html = readFileSync(sheet, "utf8");
  assert.equal((html.match(/<img [^>]*src="data:image\/jpeg;base64,\/9j\//g) ?? []).length, 2 * cuts.length);
  const order = [...html.matchAll(/data-pair="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(order, wanted);

  // From the review, the same for the list the filter keeps (all pairs).
  await press("1", "\uE00A");
  await waitFor("[data-testid=pair-list]");
  const total = Number(await attribute((await findAll("[data-testid=pair-list]"))[0], "data-total"));
  const listed = join(out, "all pairs.html");
  await press("s", [CTRL, SHIFT]);
  answerSaveDialog("Save the review sheet", listed);
  await waitUntil(async () => existsSync(listed), "the review list's sheet saved", 60000);
  const all = readFileSync(listed, "utf8");
  assert.equal((all.match(/<img [^>]*src="data:image\/jpeg;base64,/g) ?? []).length, 2 * Math.min(total, 300));
});
