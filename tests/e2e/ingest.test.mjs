// Titles reaching a library while the editor works, in the real window:
// files dropped on it (a real XDND drag under Xvfb, tests/e2e/drop.py),
// a file written slowly into a watched folder, a broken file among good
// ones, cancel then retry; the pairs join the review list in place.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { open } from "node:fs/promises";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attribute, closeApp, findAll, openApp, press, run, screenshot, waitFor, waitUntil } from "./webdriver.mjs";

const dir = process.env.MATCHCUT_E2E_INGEST;
const library = join(dir, "library");
const inbox = join(dir, "inbox");
const source = join(dir, "source");
const shots = process.env.MATCHCUT_E2E_SCREENSHOT;

before(async () => {
  await openApp(library);
  await waitFor("[data-testid=place-library]");
});

after(async () => {
  await closeApp();
});

/** The analysis queue's rows: name → state, as the window shows them. */
const rows = () =>
  run(`return Object.fromEntries([...document.querySelectorAll('[data-testid=ingest-row]')]
    .map((r) => [r.dataset.name, { state: r.dataset.state, text: r.querySelector('[data-testid=ingest-state]').textContent }]))`);

/** The same drag, watched: whether the window showed where the files
 *  would go while they were over it (screenshotted then). */
async function dropWatched(...names) {
  const child = spawn("/usr/bin/python3", [join(process.env.MATCHCUT_ROOT, "tests/e2e/drop.py"), "Matchcut", ...names.map((n) => join(source, n))]);
  const exited = new Promise((done) => child.on("exit", done));
  let shown = false;
  let code = null;
  exited.then((c) => (code = c));
  while (code === null) {
    if (!shown && (await findAll("[data-testid=drop-target]")).length) {
      shown = true;
      await screenshot(shots.replace("app-window", "library-drop"));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(code, 0, "the drag and drop");
  return shown;
}

function drop(...names) {
  const out = spawnSync("/usr/bin/python3", [join(process.env.MATCHCUT_ROOT, "tests/e2e/drop.py"), "Matchcut", ...names.map((n) => join(source, n))], {
    encoding: "utf8",
  });
  assert.equal(out.status, 0, `the drag and drop: ${out.stderr}`);
}

/** Round trips of a command from the page while `busy()` holds. */
async function ipcWhile(busy) {
  const times = [];
  while ((await busy()) && times.length < 200) {
    const ms = await run(`const t0 = performance.now();
      return window.__TAURI_INTERNALS__.invoke('team_status').then(() => performance.now() - t0);`);
    times.push(ms);
    await new Promise((r) => setTimeout(r, 100));
  }
  return times;
}

const quantile = (values, q) => Math.round([...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)]);

test("dropped titles are analysed in the background; a broken one is reported; the window stays responsive", async () => {
  await press("2", "\uE00A"); // Alt+2: the library
  await waitFor("[data-testid=ingest]");
  assert.ok(await dropWatched("bbb-sky.mp4", "bbb-branch.mp4", "broken.mp4"), "the window showed the drop target");
  await waitUntil(async () => (await findAll("[data-testid=drop-target]")).length === 0, "the drop target gone");
  const seen = new Set();
  await waitUntil(async () => {
    const r = await rows();
    if (r["bbb-branch.mp4"]) seen.add(r["bbb-branch.mp4"].state);
    return Object.keys(r).length === 3;
  }, "three rows", 20000);
  const analysing = async () => {
    const r = await rows();
    if (r["bbb-branch.mp4"]) seen.add(r["bbb-branch.mp4"].state);
    return Object.values(r).some((t) => t.state === "queued" || t.state === "analysing");
  };
  const ipc = await ipcWhile(analysing);
  await waitUntil(async () => !(await analysing()), "every dropped title done", 180000);
  const r = await rows();
  assert.equal(r["bbb-sky.mp4"].state, "ready", JSON.stringify(r));
  assert.equal(r["bbb-branch.mp4"].state, "ready", JSON.stringify(r));
  assert.equal(r["broken.mp4"].state, "failed");
  assert.match(r["broken.mp4"].text, /broken\.mp4/, "the reason names the file");
  assert.ok(seen.has("queued") || seen.has("analysing"), `seen going through the queue: ${[...seen]}`);
  const report = { round_trips: ipc.length, p50_ms: quantile(ipc, 0.5), p95_ms: quantile(ipc, 0.95), max_ms: Math.round(Math.max(...ipc)) };
  writeFileSync(shots.replace("app-window.png", "ipc-latency.json"), JSON.stringify(report));
  console.log("ipc while analysing:", JSON.stringify(report));
  assert.ok(ipc.length >= 5, "measured while analysing");
  await screenshot(shots.replace("app-window", "library-ingest"));
});

test("their pairs join the review list, and a title saved slowly into a watched folder is analysed once, after it is complete", async () => {
  await press("1", "\uE00A"); // Alt+1: review
  await waitFor("[data-testid=pair-row][data-pair]", 30000);
  await press("\uE015"); // ↓: the second pair
  const view = async () => attribute((await findAll("[data-testid=pair-view]"))[0], "data-pair");
  const count = async () => Number((await run("return document.querySelector('[data-testid=pair-count]').textContent")).split(" ")[0]);
  const chosen = await view();
  const before = await count();

  // Written in five parts 600 ms apart, held open throughout.
  const bytes = readFileSync(join(source, "bbb-meadow.mp4"));
  const file = await open(join(inbox, "bbb-meadow.mp4"), "w");
  const part = Math.ceil(bytes.length / 5);
  // The queue as the app holds it (the Library place is not on screen).
  const named = async () =>
    (await run("return window.__TAURI_INTERNALS__.invoke('ingest_titles')")).find((t) => t.name === "bbb-meadow.mp4");
  for (let i = 0; i < 5; i++) {
    await file.write(bytes.subarray(i * part, (i + 1) * part));
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(await named(), undefined, "nothing done while it is written");
  }
  await file.close();
  const closed = Date.now();
  await waitUntil(async () => (await count()) > before, "its pairs in the list", 180000);
  const shownMs = Date.now() - closed;
  assert.equal((await named()).state, "ready");
  // The editor's pair stays selected, unless the new title's shots
  // replaced it as a candidate: then its place is kept, and said.
  const pairs = JSON.parse(spawnSync(process.env.MATCHCUT_CLI, ["pairs", "--json", "--library", library], { encoding: "utf8" }).stdout);
  const still = pairs.findIndex((p) => p.id === chosen);
  if (still >= 0) assert.equal(await view(), chosen, "the editor's pair still selected");
  else {
    assert.equal(await view(), pairs[1].id, "the place kept");
    await waitFor("[data-testid=review-notice]");
  }
  console.log("selected pair after the new title:", still >= 0 ? `kept, now #${still + 1}` : "replaced as a candidate; place kept");
  const list = spawnSync(process.env.MATCHCUT_CLI, ["scan", inbox, "--library", library, "--json"], { encoding: "utf8" });
  assert.equal(JSON.parse(list.stdout).titles[0].status, "cached", "analysed once, and only once");
  // Against the time the same title takes to scan into a library of its own.
  const alone = mkdtempSync(join(tmpdir(), "matchcut-alone-"));
  const scan = spawnSync(process.env.MATCHCUT_CLI, ["scan", join(source, "bbb-meadow.mp4"), "--library", alone, "--json"], { encoding: "utf8" });
  const report = { closed_to_pairs_listed_ms: shownMs, scan_alone_ms: Math.round(JSON.parse(scan.stdout).seconds * 1000) };
  writeFileSync(shots.replace("app-window.png", "watch-latency.json"), JSON.stringify(report));
  console.log("watched title:", JSON.stringify(report));
});

test("cancel then retry a title from the keyboard", async () => {
  await press("2", "\uE00A");
  drop("bbb-long.mp4");
  await waitUntil(async () => (await rows())["bbb-long.mp4"]?.state === "analysing", "analysing", 30000);
  // ↓ to its row (the last), X cancels it, R retries it.
  const names = await run("return [...document.querySelectorAll('[data-testid=ingest-row]')].map((r) => r.dataset.name)");
  for (let i = 0; i < names.length; i++) await press("\uE015");
  await press("x");
  await waitUntil(async () => (await rows())["bbb-long.mp4"].state === "cancelled", "cancelled", 20000);
  await press("r");
  await waitUntil(async () => (await rows())["bbb-long.mp4"].state === "ready", "ready after the retry", 180000);
});
