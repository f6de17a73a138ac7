// Drives the real Matchcut window through WebKitWebDriver (W3C WebDriver over
// HTTP, no client library) and checks the title list against the CLI.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  attribute, call, click, closeApp, findAll, findWithin, openApp, press, run, s, screenshot, text, waitFor, waitUntil,
} from "./webdriver.mjs";

const library = process.env.MATCHCUT_E2E_LIBRARY;

/** The player's video element as the page sees it, for failure messages. */
function videoState() {
  return run("const v = document.querySelector('[data-testid=player-video]'); return v && { t: v.currentTime, d: v.duration, paused: v.paused, ended: v.ended, error: v.error && v.error.code, ready: v.readyState, net: v.networkState, buffered: [...Array(v.buffered.length).keys()].map((i) => [v.buffered.start(i), v.buffered.end(i)]), src: v.currentSrc.replace(/\\/[0-9a-f]{64}\\//, '/SECRET/') }");
}

/** Waits for the cut to play through; says where the video stood if not. */
async function playedThrough(what) {
  const state = () => run("const p = document.querySelector('[data-testid=player]'); return p && { ...p.dataset }");
  await waitUntil(async () => (await state())?.state === "paused", what, 30000).catch(async (e) => {
    throw new Error(`${e.message}: ${JSON.stringify(await videoState())} ${JSON.stringify(await state())}`);
  });
  const failure = await run("return document.querySelector('[data-testid=player-readout] .failure')?.textContent ?? null");
  if (failure !== null) {
    throw new Error(`${what}: ${failure}: ${JSON.stringify(await videoState())} ${JSON.stringify(await state())}`);
  }
}

/** The team's decisions on the library, as `matchcut decisions --json` says. */
function decisions() {
  const out = spawnSync(process.env.MATCHCUT_CLI, ["decisions", "--json", "--library", library], { encoding: "utf8" });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

before(async () => {
  await openApp(library);
});

after(async () => {
  await closeApp();
});

test("the window lists every title of the library with the facts the CLI reports, and is screenshotted", async () => {
  // The CLI exits 1 because one file is broken; its JSON still lists all.
  const cli = spawnSync(process.env.MATCHCUT_CLI, ["titles", "--json", library], { encoding: "utf8" });
  assert.equal(cli.status, 1, cli.stderr);
  const expected = JSON.parse(cli.stdout);
  assert.equal(expected.length, 9);
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
  // The folder's titles are found and analysed one by one; the list
  // grows as each is paired. Decided once every title is in.
  await waitFor("[data-testid=app][data-pending='0'] [data-testid=pair-row][data-pair]", 180000);
  const rows = await waitFor("[data-testid=pair-row][data-pair]");
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
  // Space plays the cut, with the titles' sound (the samples have AAC).
  await waitUntil(async () => (await run("return document.querySelector('[data-testid=player]')?.dataset.state")) === "paused", "the cut prepared", 60000);
  await press(" ");
  await waitUntil(async () => (await run("return document.querySelector('[data-testid=player]').dataset.state")) === "playing", "playing");
  await playedThrough("played through");
  const sound = await run(`const v = document.querySelector('[data-testid=player-video]');
    return { tracks: v.audioTracks ? v.audioTracks.length : null, decoded: v.webkitAudioDecodedByteCount ?? null, muted: v.muted, volume: v.volume };`);
  console.log("sound:", JSON.stringify(sound));
  assert.ok(sound.tracks !== null || sound.decoded !== null, "the webview says whether it heard sound");
  assert.ok(sound.tracks === null || sound.tracks >= 1, `an audio track: ${JSON.stringify(sound)}`);
  assert.ok(sound.decoded === null || sound.decoded > 0, `sound decoded: ${JSON.stringify(sound)}`);
  assert.ok(!sound.muted && sound.volume > 0, `audible: ${JSON.stringify(sound)}`);
  // Heard: the element's sound routed through an analyser while Space
  // plays the cut again; its loudest sample is not silence.
  await run(`const v = document.querySelector('[data-testid=player-video]');
    const ctx = new AudioContext(); const a = ctx.createAnalyser(); a.fftSize = 2048;
    ctx.createMediaElementSource(v).connect(a); a.connect(ctx.destination);
    const buf = new Float32Array(a.fftSize); window.__peak = 0; window.__ctx = ctx.state;
    const tick = () => { a.getFloatTimeDomainData(buf); for (const x of buf) window.__peak = Math.max(window.__peak, Math.abs(x)); window.__ctx = ctx.state; if (!v.paused) setTimeout(tick, 20); };
    v.addEventListener('play', () => { ctx.resume(); tick(); });`);
  await press(" ");
  await waitUntil(async () => (await run("return document.querySelector('[data-testid=player]').dataset.state")) === "playing", "playing again");
  await playedThrough("played through again");
  const heard = await run("return { peak: window.__peak, context: window.__ctx }");
  console.log("heard:", JSON.stringify(heard));
  assert.equal(heard.context, "running");
  assert.ok(heard.peak > 0.01, `the cut's sound heard, not silence: ${JSON.stringify(heard)}`);
  await press("\uE00C"); // Esc: the stills again
  await waitFor("[data-testid=pair-view] [data-testid=frame-out]");
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
  assert.equal(await attribute((await findAll(row))[0], "data-state"), "rejected");
  // Cy decides with the CLI in this very library (a script, another
  // window): shown too, though it never comes back from the shared store.
  const fourth = await attribute((await findAll("[data-testid=pair-row][data-pair]"))[3], "data-pair");
  const cyStarted = Date.now();
  const cy = spawnSync(process.env.MATCHCUT_CLI, ["decide", fourth, "approve", "--editor", "cy", "--library", library], {
    encoding: "utf8",
  });
  assert.equal(cy.status, 0, cy.stderr);
  const cyRow = `[data-testid=pair-row][data-pair="${fourth}"]`;
  await waitUntil(async () => {
    const found = await findAll(cyRow);
    return found.length > 0 && (await attribute(found[0], "data-by")).includes("cy");
  }, "a decision made in the same library by another process shown");
  const sameLibraryMs = Date.now() - cyStarted;
  writeFileSync(
    process.env.MATCHCUT_E2E_SCREENSHOT.replace("app-window.png", "team-latency.json"),
    JSON.stringify({ shared_store_ms: shownMs, same_library_ms: sameLibraryMs }),
  );
  assert.ok(shownMs < 2000 && sameLibraryMs < 2000, `shown in ${shownMs} / ${sameLibraryMs} ms`);
  assert.match(await text((await findAll("[data-testid=sync-status]"))[0]), /synced|pending/);
  // F: only the undecided pairs (the approved one and Bo's rejection go).
  const count = async () => Number((await text((await findAll("[data-testid=pair-count]"))[0])).split(" ")[0]);
  const all = await count();
  await press("f");
  await waitFor("[data-testid=filters] [data-testid=filter-kind]");
  await screenshot(process.env.MATCHCUT_E2E_SCREENSHOT.replace("app-window", "review-filters"));
  await press(" "); // the first box, focused: undecided only
  await waitUntil(async () => (await count()) === all - 3, "undecided pairs only");
  await press("\uE00C");
  // ? shows the keys, M among them.
  await press("?");
  const [sheet] = await waitFor("[data-testid=shortcut-sheet]");
  assert.match(await text(sheet), /motion pairs only/);
  await screenshot(process.env.MATCHCUT_E2E_SCREENSHOT.replace("app-window", "shortcut-sheet"));
  await press("\uE00C");
});

async function framesShown() {
  await waitUntil(
    () => run("return [...document.querySelectorAll('[data-testid=pair-view] img')].every((i) => i.complete && i.naturalWidth > 0)"),
    "both frames shown",
    30000,
  );
  await new Promise((r) => setTimeout(r, 500)); // painted
}

test("review: each compare mode renders, the layout overlay explains the score, screenshotted", async () => {
  const shot = (name) => process.env.MATCHCUT_E2E_SCREENSHOT.replace("app-window", `review-${name}`);
  const stage = async () => (await findAll("[data-testid=compare]"))[0];
  await press("o");
  await waitFor("[data-testid=layout-overlay]");
  const marks = await run("return document.querySelectorAll('[data-testid=layout-overlay] rect, [data-testid=layout-overlay] line').length");
  assert.ok(marks > 0, "the overlay draws the layout");
  assert.ok((await text((await findAll("[data-testid=why]"))[0])).length > 0, "the score in words");
  await framesShown();
  await screenshot(shot("overlay"));
  await press("o");
  for (const [key, mode] of [["1", "side"], ["2", "onion"], ["3", "wipe"], ["4", "difference"]]) {
    await press(key);
    await waitUntil(async () => (await attribute(await stage(), "data-mode")) === mode, `${mode} mode`);
    await framesShown();
    await screenshot(shot(mode));
    const style = await run(
      "const i = document.querySelector('[data-testid=compare] [data-testid=frame-in]'); const c = getComputedStyle(i); return [c.opacity, c.mixBlendMode, c.clipPath]",
    );
    if (mode === "onion") assert.equal(style[0], "0.5", "half opacity");
    if (mode === "difference") assert.equal(style[1], "difference");
    if (mode === "wipe") {
      assert.match(style[2], /inset\(0(px)? 0(px)? 0(px)? 50%\)/);
      await press("]");
      await waitUntil(
        async () => /60%/.test(await run("return getComputedStyle(document.querySelector('[data-testid=compare] [data-testid=frame-in]')).clipPath")),
        "] moves the divider",
      );
      assert.equal((await findAll("[data-testid=wipe-divider]")).length, 1);
      // Dragging the divider with the pointer puts it under the pointer.
      const [left, top, width, height] = await run(
        "const r = document.querySelector('[data-testid=compare] .box').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]",
      );
      const y = Math.round(top + height / 2);
      await call("POST", s("/actions"), {
        actions: [{
          type: "pointer", id: "mouse", parameters: { pointerType: "mouse" },
          actions: [
            { type: "pointerMove", origin: "viewport", x: Math.round(left + width / 2), y },
            { type: "pointerDown", button: 0 },
            { type: "pointerMove", origin: "viewport", x: Math.round(left + width / 4), y, duration: 100 },
            { type: "pointerUp", button: 0 },
          ],
        }],
      });
      await call("DELETE", s("/actions"));
      await waitUntil(
        async () => /2[45](\.\d+)?%/.test(await run("return getComputedStyle(document.querySelector('[data-testid=compare] [data-testid=frame-in]')).clipPath")),
        "the divider dragged to a quarter",
      );
      await screenshot(shot("wipe"));
      await press("]"); await press("]"); await press("]");
    }
  }
  await press("1");
  await screenshot(process.env.MATCHCUT_E2E_SCREENSHOT.replace("app-window", "review"));
});

test("the one-title filter, the kind filter with motion drawn, and the team settings stored with the library that the CLI reads", async () => {
  const count = async () => Number((await text((await findAll("[data-testid=pair-count]"))[0])).split(" ")[0]);
  await press("f");
  await waitFor("[data-testid=filter-title] option[value]:not([value=''])");
  // The undecided filter is still on from before: off, every pair again.
  const undecided = await count();
  await press(" ");
  await waitUntil(async () => (await count()) > undecided, "every pair listed");
  const all = await count();
  const option = (await findAll("[data-testid=filter-title] option:not([value=''])"))[0];
  const label = await text(option);
  const pairs = Number(label.match(/\((\d+)\)/)[1]);
  await click(option);
  await waitUntil(async () => (await count()) === pairs, `only the pairs of one title (${pairs} of ${all})`);
  await click((await findAll("[data-testid=filter-title] option[value='']"))[0]);
  await waitUntil(async () => (await count()) === all, "every pair again");
  await press("\uE00C");

  // M: motion pairs only, their movement drawn on both frames as the CLI
  // reports it; M twice more: both kinds again.
  const listed = spawnSync(process.env.MATCHCUT_CLI, ["pairs", "--kind", "motion", "--json", "--top", "1000", "--library", library], { encoding: "utf8" });
  assert.equal(listed.status, 0, listed.stderr);
  const motion = JSON.parse(listed.stdout);
  assert.ok(motion.length > 0, "the sample library has motion pairs");
  const kindShown = async () => attribute((await findAll("[data-testid=pair-count]"))[0], "data-kind");
  await press("m");
  await waitUntil(async () => (await kindShown()) === "motion" && (await count()) > 0 && (await count()) < all, "motion pairs only");
  await waitUntil(
    () => run("return [...document.querySelectorAll('[data-testid=pair-row][data-pair]')].length > 0 && [...document.querySelectorAll('[data-testid=pair-row] .kind')].every((k) => k.textContent === 'motion')"),
    "the list holds motion pairs alone",
  );
  const [why] = await waitFor("[data-testid=pair-view] [data-testid=why-motion]");
  assert.match(await text(why), /same way/, "the movement in words");
  const id = await attribute((await findAll("[data-testid=pair-view]"))[0], "data-pair");
  const pair = motion.find((p) => p.id === id);
  assert.ok(pair, `${id} is a motion pair the CLI lists`);
  const arrows = await run(`return [...document.querySelectorAll('[data-testid=motion-overlay]')].map((o) => ({
    side: o.dataset.side, kind: o.dataset.kind,
    dx: [...o.querySelectorAll('[data-testid=motion-arrow]')].map((a) => Number(a.dataset.x2) - Number(a.dataset.x1)) }))`);
  assert.deepEqual(arrows.map((a) => a.side), ["out", "in"], "an overlay on each frame");
  for (const a of arrows) {
    assert.equal(a.kind, pair.components.motion.what);
    const v = pair.components.motion[a.side === "out" ? "exit" : "entry"].velocity[0];
    if (a.kind !== "zoom" && Math.abs(v) > 0.02) assert.equal(Math.sign(a.dx[0]), Math.sign(v), `${a.side} arrow points the way the picture moves`);
  }
  await framesShown();
  await screenshot(process.env.MATCHCUT_E2E_SCREENSHOT.replace("app-window", "review-motion"));
  await press("m");
  await waitUntil(async () => (await kindShown()) === "frame", "frame pairs only");
  await press("m");
  await waitUntil(async () => (await kindShown()) === "" && (await count()) === all, "both kinds again");

  await press("2", "\uE00A"); // Alt+2: the library
  const name = (await waitFor("[data-testid=setting-editor]"))[0];
  await call("POST", s(`/element/${name}/clear`), {});
  await call("POST", s(`/element/${name}/value`), { text: "dee" });
  await press("\uE007"); // Enter saves
  await waitUntil(async () => (await text((await findAll("[data-testid=settings-message]"))[0])).startsWith("Saved"), "settings saved");
  const cli = spawnSync(process.env.MATCHCUT_CLI, ["settings", "--json", "--library", library], { encoding: "utf8" });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(JSON.parse(cli.stdout).editor, "dee", "the CLI reads the name the window stored");
  await press("1", "\uE00A");
  await waitFor("[data-testid=pair-row][data-pair]");
  await press("a");
  await waitUntil(() => decisions().pairs.some((p) => p.approved_by.includes("dee")), "decided as dee");
});

test("a 10,000-pair library of 1080p titles scrolls and selects; the next pair's frames show quickly", async () => {
  // WebKit's web process has, in two runs of about ten, crashed or hung
  // here (software painting of 1080p frames, with the cut's clip loaded):
  // reported, and run once more in a new session; a second one fails.
  try {
    await scaleRun(0);
  } catch (e) {
    if (!/page crash or hang/.test(String(e))) throw e;
    console.log("WebKit's web process crashed or hung; once more in a new session:", String(e));
    await scaleRun(1);
  }
});

async function scaleRun(crashes) {
  await openApp(process.env.MATCHCUT_E2E_SCALE_LIBRARY);
  await waitUntil(
    async () => (await findAll("[data-testid=pair-list][data-total='10000']")).length === 1,
    "10,000 pairs listed",
    120000,
  );
  // The list's thumbnails in view are in, as after a first look.
  await waitUntil(
    () => run("return [...document.querySelectorAll('img')].every((i) => i.complete && i.naturalWidth > 0)"),
    "the window's pictures shown",
    60000,
  );
  // Next pair after an editor's glance (1 s): from the key press to both
  // 1080p frames loaded (arrived) and painted (the next animation frame
  // after they are decoded), timed inside the page.
  const times = [];
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const ms = await call("POST", s("/execute/async"), {
      script: `const done = arguments[arguments.length - 1];
        const before = document.querySelector('[data-testid=pair-view]').dataset.pair;
        const t0 = performance.now();
        window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
        const check = () => {
          const view = document.querySelector('[data-testid=pair-view]');
          const imgs = view ? [...view.querySelectorAll('[data-testid=frame-out], [data-testid=frame-in]')] : [];
          if (view && view.dataset.pair !== before && imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth >= 1920)) {
            const arrived = performance.now() - t0;
            Promise.all(imgs.map((i) => i.decode())).then(() => requestAnimationFrame(() => done([arrived, performance.now() - t0])));
          } else if (performance.now() - t0 > 20000) done([-1, -1]);
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);`,
      args: [],
    });
    assert.ok(ms[1] >= 0, "the next pair's frames were shown");
    times.push(ms);
  }
  const quantile = (values, q) => {
    const sorted = [...values].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  };
  const arrived = times.map((t) => t[0]);
  const painted = times.map((t) => t[1]);
  const report = {
    pairs: 10000,
    frames: "two 1920x1080 H.264 titles, 2 s GOP",
    glance_ms: 1000,
    presses: times.length,
    arrived_p50_ms: quantile(arrived, 0.5),
    arrived_p95_ms: quantile(arrived, 0.95),
    painted_p50_ms: quantile(painted, 0.5),
    painted_p95_ms: quantile(painted, 0.95),
    painted_max_ms: Math.round(Math.max(...painted)),
    web_process_crashes: crashes,
  };
  writeFileSync(process.env.MATCHCUT_E2E_SCREENSHOT.replace("app-window.png", "next-pair-latency.json"), JSON.stringify(report));
  console.log("next pair:", JSON.stringify(report));

  // Scroll to the end: rows there load, the DOM keeps only what is in view.
  await run("const l = document.querySelector('[data-testid=pair-list]'); l.scrollTop = l.scrollHeight");
  await waitFor("[data-testid=pair-row][data-pair=synthetic00009999]", 20000);
  const rows = await run("return document.querySelectorAll('[data-testid=pair-row]').length");
  assert.ok(rows < 100, `${rows} rows in the page, not 10,000`);
  await click((await findAll("[data-testid=pair-row][data-pair=synthetic00009999]"))[0]);
  await waitFor("[data-testid=pair-view][data-pair=synthetic00009999]");
  await framesShown();
}

/** Frame `index` of `file` as `matchcut frame` writes it, scaled to w×h,
 *  RGB; null for a frame the title does not have. */
function canonicalRgb(file, index, w, h) {
  if (index < 0) return null;
  const png = join(mkdtempSync(join(tmpdir(), "matchcut-frame-")), "f.png");
  const wrote = spawnSync(process.env.MATCHCUT_CLI, ["frame", file, "--index", String(index), "--out", png], { encoding: "utf8" });
  if (wrote.status !== 0 && wrote.stderr.includes("out of range")) return null;
  assert.equal(wrote.status, 0, wrote.stderr);
  const raw = spawnSync("ffmpeg", ["-v", "error", "-i", png, "-vf", `scale=${w}:${h}:flags=area`, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
  assert.equal(raw.status, 0, String(raw.stderr));
  return raw.stdout;
}

function psnr(a, b) {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  const mse = sum / a.length;
  return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
}

test("play the cut: Space plays, the pictures either side of the cut are the EDL's frames, trims reach the export", async () => {
  const playback = process.env.MATCHCUT_E2E_PLAYBACK_LIBRARY;
  await openApp(playback);
  const cli = (...args) => {
    const out = spawnSync(process.env.MATCHCUT_CLI, [...args, "--library", playback], { encoding: "utf8" });
    assert.equal(out.status, 0, out.stderr);
    return out.stdout;
  };
  const pairs = JSON.parse(cli("pairs", "--json"));
  assert.equal(pairs.length, 3, "the three cuts");
  await waitFor("[data-testid=pair-row][data-pair]", 60000);
  const player = () => run("const p = document.querySelector('[data-testid=player]'); return p && { ...p.dataset }");
  // The pixels the video shows now, drawn at the title's own 320×240.
  const shown = async () => {
    const b64 = await run(`
      const v = document.querySelector('[data-testid=player-video]');
      const c = document.createElement('canvas'); c.width = 320; c.height = 240;
      const g = c.getContext('2d'); g.drawImage(v, 0, 0, 320, 240);
      const d = g.getImageData(0, 0, 320, 240).data; let s = '';
      for (let i = 0; i < d.length; i += 4) s += String.fromCharCode(d[i], d[i + 1], d[i + 2]);
      return btoa(s);`);
    return Buffer.from(b64, "base64");
  };
  const parkedAt = async (side, frame) => {
    await waitUntil(async () => {
      const p = await player();
      const ready = await run("const v = document.querySelector('[data-testid=player-video]'); return !!v && !v.seeking && v.readyState >= 2");
      return p.focus === side && p.frame === String(frame) && ready;
    }, `parked on the ${side} side at frame ${frame}`, 20000).catch(async (e) => {
      const v = await run("const v = document.querySelector('[data-testid=player-video]'); return v && { t: v.currentTime, seeking: v.seeking, ready: v.readyState, paused: v.paused }");
      throw new Error(`${e.message}: ${JSON.stringify(v)} ${JSON.stringify(await player())}`);
    });
    await new Promise((r) => setTimeout(r, 300)); // painted
  };
  const startLatency = [];
  const report = [];
  for (const [n, pair] of pairs.entries()) {
    await waitFor(`[data-testid=pair-view][data-pair=${pair.id}]`);
    await waitUntil(async () => (await player())?.state === "paused", `${pair.id} prepared`, 60000);
    // Space to the first moving picture, timed in the page.
    const ms = await run(`return new Promise((done) => {
      const v = document.querySelector('[data-testid=player-video]'); const t0 = performance.now();
      window.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
      const check = () => (v.currentTime > 0 && !v.paused) ? done(performance.now() - t0) : requestAnimationFrame(check);
      check(); })`);
    startLatency.push(ms);
    await playedThrough(`${pair.id} played through`);
    // The out-frame and the in-frame, parked on (Tab switches the side).
    const sides = [["out", pair.from], ["in", pair.to]];
    if ((await player()).focus === "out") await press("\uE004");
    for (const [side, end] of sides) {
      await press("\uE004");
      await parkedAt(side, end.frame);
      const pixels = await shown();
      const own = psnr(pixels, canonicalRgb(end.path, end.frame, 320, 240));
      const neighbour = (frame) => {
        const rgb = canonicalRgb(end.path, frame, 320, 240);
        return rgb ? psnr(pixels, rgb) : -Infinity;
      };
      const [before, after] = [neighbour(end.frame - 1), neighbour(end.frame + 1)];
      report.push({ pair: n, side, file: end.path.split("/").pop(), frame: end.frame, psnr: +own.toFixed(1), neighbours: [+before.toFixed(1), +after.toFixed(1)] });
      assert.ok(own >= 30, `${end.path} frame ${end.frame}: ${own.toFixed(1)} dB`);
      assert.ok(own > before && own > after, `${end.path} frame ${end.frame}: ${own.toFixed(1)} dB, neighbours ${before.toFixed(1)} / ${after.toFixed(1)}`);
    }
    if (n === 0) await screenshot(process.env.MATCHCUT_E2E_SCREENSHOT.replace("app-window", "review-play"));
    if (n < pairs.length - 1) await press("\uE015"); // ↓
  }
  console.log("cut frames:", JSON.stringify(report));

  // Trim the last cut (both titles 29.97 drop frame, so one EDL holds
  // it): out 2 frames earlier, in 3 later, then approve.
  const first = pairs[2];
  await waitFor(`[data-testid=pair-view][data-pair=${first.id}]`);
  if ((await player()).focus !== "out") await press("\uE004");
  await press("\uE012"); // ←
  await press("\uE012");
  await press("\uE004");
  for (let i = 0; i < 3; i++) await press("\uE014"); // →
  await waitUntil(async () => (await text((await findAll("[data-testid=out-frame]"))[0])).includes(`frame ${first.from.frame - 2}`), "the out-frame moved");
  await waitUntil(async () => (await text((await findAll("[data-testid=in-frame]"))[0])).includes(`frame ${first.to.frame + 3}`), "the in-frame moved");
  await parkedAt("in", first.to.frame + 3);
  // The stills name the trimmed frames' own timecodes.
  const timecode = async (side) => text((await findAll(`[data-testid=${side}-timecode]`))[0]);
  await waitUntil(async () => /^\d\d:\d\d:\d\d;\d\d$/.test(await timecode("out")), "the trimmed out-frame's timecode");
  assert.notEqual(await timecode("out"), first.from.timecode);
  assert.notEqual(await timecode("in"), first.to.timecode);
  await press("a");
  await waitUntil(() => {
    const out = JSON.parse(cli("decisions", "--json")).pairs.find((p) => p.pair_id === first.id);
    return out?.cut?.out_frame === first.from.frame - 2 && out.cut.in_frame === first.to.frame + 3;
  }, "the trimmed cut kept with the approval");
  const edl = join(mkdtempSync(join(tmpdir(), "matchcut-edl-")), "cuts.edl");
  cli("export", "edl", "--out", edl, "--handles", "0.5");
  // Frames since 00:00:00;00 of a 29.97 drop-frame timecode.
  const dropFrames = (tc) => {
    const [h, m, sec, f] = tc.split(/[:;]/).map(Number);
    const minutes = h * 60 + m;
    return (minutes * 60 + sec) * 30 + f - 2 * (minutes - Math.floor(minutes / 10));
  };
  const reader = join(process.env.MATCHCUT_ROOT, "tests/otio_read.py");
  const otio = spawnSync(process.env.MATCHCUT_OTIO_PYTHON, [reader, edl, "30000/1001"], { encoding: "utf8" });
  assert.equal(otio.status, 0, otio.stderr);
  const [out, inn] = JSON.parse(otio.stdout)[0].clips;
  assert.equal(out.start + out.duration - 1, dropFrames(first.from.timecode) - 2, "the EDL's out clip ends on the trimmed out-frame");
  assert.equal(inn.start, dropFrames(first.to.timecode) + 3, "the EDL's in clip starts on the trimmed in-frame");

  const quantile = (values, q) => Math.round([...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)]);
  const latency = { cuts: startLatency.length, start_ms: startLatency.map(Math.round), p95_ms: quantile(startLatency, 0.95) };
  writeFileSync(process.env.MATCHCUT_E2E_SCREENSHOT.replace("app-window.png", "play-latency.json"), JSON.stringify(latency));
  console.log("play:", JSON.stringify(latency));
});
