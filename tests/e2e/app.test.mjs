// Drives the real Matchcut window through WebKitWebDriver (W3C WebDriver over
// HTTP, no client library) and checks the title list against the CLI.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";

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
  assert.equal(expected.length, 5);
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
