// W3C WebDriver over HTTP (no client library) against WebKitWebDriver,
// driving the real Matchcut window: what every end-to-end test file shares.
// Test files run one after another (`node --test --test-concurrency=1`).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";

const driver = process.env.WEBDRIVER_URL;
let session;

export async function call(method, path, body) {
  const response = await fetch(`${driver}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60000),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

export async function waitForDriver() {
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
export const s = (path) => `/session/${session}${path}`;

export async function findAll(css) {
  const found = await call("POST", s("/elements"), { using: "css selector", value: css });
  return found.map((e) => e[ELEMENT] ?? Object.values(e)[0]);
}

export async function findWithin(element, css) {
  const found = await call("POST", s(`/element/${element}/element`), { using: "css selector", value: css });
  return found[ELEMENT] ?? Object.values(found)[0];
}

export async function text(element) {
  return call("GET", s(`/element/${element}/text`));
}

export async function attribute(element, name) {
  return call("GET", s(`/element/${element}/attribute/${name}`));
}

export async function click(element) {
  await call("POST", s(`/element/${element}/click`), {});
}

/** Presses `key` with `modifier` held (one key value, or several). */
export async function press(key, modifier) {
  const held = modifier ? [modifier].flat() : [];
  const down = held.map((value) => ({ type: "keyDown", value }));
  const up = held.reverse().map((value) => ({ type: "keyUp", value }));
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

/** Drags with the mouse from the middle of element `from` to `dy` pixels
 *  from the middle of element `to`, in steps (pointer events, as a hand). */
export async function drag(from, to, dy = 0) {
  const origin = (id) => ({ "element-6066-11e4-a52e-4f735466cecf": id });
  await call("POST", s("/actions"), {
    actions: [
      {
        type: "pointer",
        id: "mouse",
        parameters: { pointerType: "mouse" },
        actions: [
          { type: "pointerMove", origin: origin(from), x: 0, y: 0, duration: 0 },
          { type: "pointerDown", button: 0 },
          { type: "pointerMove", origin: origin(from), x: 0, y: 12, duration: 100 },
          { type: "pointerMove", origin: origin(to), x: 0, y: dy, duration: 300 },
          { type: "pause", duration: 100 },
          { type: "pointerUp", button: 0 },
        ],
      },
    ],
  });
  await call("DELETE", s("/actions"));
}

export async function screenshot(path) {
  const png = Buffer.from(await call("GET", s("/screenshot")), "base64");
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  writeFileSync(path, png);
}

export async function waitUntil(check, what, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} after ${timeoutMs} ms`);
}

export async function waitFor(css, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const found = await findAll(css);
    if (found.length > 0) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${css} after ${timeoutMs} ms`);
}


/** Starts the app on `library` (extra `args` after it) in a new session,
 *  ending the one before. */
export async function openApp(library, args = []) {
  // The driver is ready for a new session once the old one is gone.
  if (session) await call("DELETE", `/session/${session}`).catch(() => {});
  session = undefined;
  await waitForDriver();
  const created = await call("POST", "/session", {
    capabilities: {
      alwaysMatch: {
        "webkitgtk:browserOptions": { binary: process.env.MATCHCUT_APP, args: ["--library", library, ...args] },
      },
    },
  });
  session = created.sessionId;
}

export async function closeApp() {
  if (session) await call("DELETE", `/session/${session}`).catch(() => {});
  session = undefined;
}

/** Runs `script` in the window and returns its value. */
export function run(script, ...args) {
  return call("POST", s("/execute/sync"), { script, args });
}
