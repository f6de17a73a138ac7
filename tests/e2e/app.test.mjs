// Drives the real Matchcut window through WebKitWebDriver (W3C WebDriver over
// HTTP, no client library) and checks the title list against the CLI.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const driver = process.env.WEBDRIVER_URL;
const app = process.env.MATCHCUT_APP;
const library = process.env.MATCHCUT_E2E_LIBRARY;
let session;

async function call(method, path, body) {
  const response = await fetch(`${driver}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30000),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

async function waitForDriver() {
  for (let i = 0; i < 100; i++) {
    try {
      const status = await call("GET", "/status");
      if (status.ready !== false) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`WebKitWebDriver did not start at ${driver}`);
}

// W3C names the element key ...cecc; WebKitWebDriver answers with ...cecf.
const ELEMENT = "element-6066-11e4-a52e-4f735466cecc";
const s = (path) => `/session/${session}${path}`;

async function findAll(css) {
  const found = await call("POST", s("/elements"), { using: "css selector", value: css });
  return found.map((e) => e[ELEMENT] ?? Object.values(e)[0]);
}

async function findWithin(element, css) {
  const found = await call("POST", s(`/element/${element}/element`), { using: "css selector", value: css });
  return found[ELEMENT] ?? Object.values(found)[0];
}

async function text(element) {
  return call("GET", s(`/element/${element}/text`));
}

async function attribute(element, name) {
  return call("GET", s(`/element/${element}/attribute/${name}`));
}

async function click(element) {
  await call("POST", s(`/element/${element}/click`), {});
}

async function press(key, modifier) {
  const down = modifier ? [{ type: "keyDown", value: modifier }] : [];
  const up = modifier ? [{ type: "keyUp", value: modifier }] : [];
  await call("POST", s("/actions"), {
    actions: [
      {
        type: "key",
        id: "keyboard",
        actions: [...down, { type: "keyDown", value: key }, { type: "keyUp", value: key }, ...up],
      },
    ],
  });
  await call("DELETE", s("/actions"));
}

async function screenshot(path) {
  const png = Buffer.from(await call("GET", s("/screenshot")), "base64");
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  writeFileSync(path, png);
}

/** The team's decisions on the library, as `matchcut decisions --json` says. */
function decisions() {
  const out = spawnSync(process.env.MATCHCUT_CLI, ["decisions", "--json", "--library", library], { encoding: "utf8" });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

async function waitUntil(check, what, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} after ${timeoutMs} ms`);
}

async function waitFor(css, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const found = await findAll(css);
    if (found.length > 0) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${css} after ${timeoutMs} ms`);
}

before(async () => {
  await waitForDriver();
  const created = await call("POST", "/session", {
    capabilities: {
      alwaysMatch: {
        "webkitgtk:browserOptions": { binary: app, args: ["--library", library] },
      },
    },
  });
  session = created.sessionId;
});

after(async () => {
  if (session) await call("DELETE", `/session/${session}`).catch(() => {});
});

test("the window lists every title of the library with the facts the CLI reports, and is screenshotted", async () => {
  // The CLI exits 1 because one file is broken; its JSON still lists all.
  const cli = spawnSync(process.env.MATCHCUT_CLI, ["titles", "--json", library], { encoding: "utf8" });
  assert.equal(cli.status, 1, cli.stderr);
  const expected = JSON.parse(cli.stdout);
  assert.equal(expected.length, 7);
  await click((await waitFor("[data-testid=place-library]"))[0]);
  await waitFor("[data-testid=titles]");
  // A screenshot of the loaded list, for people to look at.
  const png = Buffer.from(await call("GET", s("/screenshot")), "base64");
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  writeFileSync(process.env.MATCHCUT_E2E_SCREENSHOT, png);
  const rows = await findAll("[data-testid=title-row]");
  assert.equal(rows.length, expected.length, "one row per title");
  for (const [i, row] of rows.entries()) {
    const want = expected[i];
    assert.equal(await attribute(row, "data-file"), want.file_name);
    const rowText = await text(row);
    if (want.info) {
      const frames = await text(await findWithin(row, "[data-testid=frame-count]"));
      assert.equal(frames, String(want.info.frame_count), `${want.file_name} frame count`);
      assert.ok(rowText.includes(want.info.codec), `${want.file_name} codec`);
    } else {
      assert.ok(rowText.includes("not a readable video file"), `${want.file_name} shows its error: ${rowText}`);
    }
  }
  const df = rows[expected.findIndex((t) => t.file_name === "cfr_2997_df.mov")];
  assert.ok((await text(df)).includes("00:00:59;00"), "drop-frame start timecode shown");
  const rotated = rows[expected.findIndex((t) => t.file_name === "rotated_90.mp4")];
  assert.ok((await text(rotated)).includes("240×320 (rotated 270°)"), "upright size shown");
});

test("review: the library is analysed in the background, pairs listed, decided from the keyboard", async () => {
  await click((await waitFor("[data-testid=place-review]"))[0]);
  const rows = await waitFor("[data-testid=pair-row][data-pair]", 120000);
  assert.ok(rows.length > 0, "pairs listed");
  await waitFor("[data-testid=pair-view] [data-testid=frame-out]");
  // Both frames decoded and shown before the screenshot.
  await waitUntil(
    () =>
      call("POST", s("/execute/sync"), {
        script:
          "return [...document.querySelectorAll('[data-testid=pair-view] img, [data-testid=pair-row] img')].every((i) => i.complete && i.naturalWidth > 0)",
        args: [],
      }),
    "both frames and the thumbnails in view shown",
    30000,
  );
  await new Promise((r) => setTimeout(r, 1000)); // painted
  await screenshot(process.env.MATCHCUT_E2E_SCREENSHOT.replace("app-window", "review"));
  const first = await attribute((await findAll("[data-testid=pair-view]"))[0], "data-pair");
  const state = (id) => decisions().pairs.find((p) => p.pair_id === id)?.state ?? "none";

  await press("a");
  await waitUntil(() => state(first) === "approved", `${first} approved in the store`);
  // The list moved on to another undecided pair: reject it.
  const second = await attribute((await findAll("[data-testid=pair-view]"))[0], "data-pair");
  assert.notEqual(second, first, "the view moved on after the decision");
  await press("r");
  await waitUntil(() => state(second) === "rejected", `${second} rejected in the store`);
  // Ctrl+Z takes the rejection back.
  await press("z", "\uE009");
  await waitUntil(() => state(second) === "cleared", `${second} cleared by undo`);
  assert.equal(state(first), "approved");
  // Another editor decides in another process: the window shows it, with
  // the editor's name, without being asked.
  const third = await attribute((await findAll("[data-testid=pair-row][data-pair]"))[2], "data-pair");
  const started = Date.now();
  // Bo works in a library of his own on the same shared store.
  const bo = mkdtempSync(join(tmpdir(), "matchcut-bo-"));
  const cli = spawnSync(
    process.env.MATCHCUT_CLI,
    ["decide", third, "reject", "--editor", "bo", "--library", bo, "--shared", join(library, "decisions.sqlite")],
    { encoding: "utf8" },
  );
  assert.equal(cli.status, 0, cli.stderr);
  const row = `[data-testid=pair-row][data-pair="${third}"]`;
  await waitUntil(async () => {
    const found = await findAll(row);
    return found.length > 0 && (await attribute(found[0], "data-by")).includes("bo");
  }, "another editor's decision shown");
  const shownMs = Date.now() - started;
  writeFileSync(process.env.MATCHCUT_E2E_SCREENSHOT.replace("app-window.png", "team-latency.json"), JSON.stringify({ shown_ms: shownMs }));
  assert.equal(await attribute((await findAll(row))[0], "data-state"), "rejected");
  assert.match(await text((await findAll("[data-testid=sync-status]"))[0]), /synced|pending/);
  // F: only the undecided pairs (the approved one and Bo's rejection go).
  const count = async () => Number((await text((await findAll("[data-testid=pair-count]"))[0])).split(" ")[0]);
  const all = await count();
  await press("f");
  await waitFor("[data-testid=filters]");
  await press(" "); // the first box, focused: undecided only
  await waitUntil(async () => (await count()) === all - 2, "undecided pairs only");
  await press("\uE00C");
  // ? shows the keys.
  await press("?");
  await waitFor("[data-testid=shortcut-sheet]");
  await press("\uE00C");
});
