// End-to-end: the token doc's user flow in Debian's chromium, driven headless by playwright-core, against the real
// console, gateway and a simulated terminal (metaapi-gateway demo + metaapi-terminal-sim).
//
// sign in -> create a token with an expiry -> copy it -> a terminal comes online with it -> the page shows the device
// -> revoke it -> the client's calls are refused -> approve -> replace the token -> the old one is refused -> delete a
// token -> a narrow window -> sign out.
// Each step is its own test; once one fails, the later ones are skipped rather than failing for the same reason.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium } from "playwright-core";

import {
  ensureOutputDir, localDateTime, refusalKind, repoRoot, rpc, startDemo, startTerminal, stopAllChildren, stopChild, waitFor,
} from "./support.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const TOKEN_NAME = "MT5-Live-A";
const STEP_TIMEOUT = 90000;

let demo;
let context;
let page;
let profileDir;
let outputDir;
let terminal;
let firstToken;
let secondToken;
let broken = null;

/** A flow step: skipped once an earlier step failed, since it would only fail for the same reason. */
function step(name, body) {
  it(name, { timeout: STEP_TIMEOUT }, async (t) => {
    if (broken) return t.skip(`an earlier step failed: ${broken}`);
    try {
      await body();
    } catch (error) {
      broken = name;
      await shoot(`failed-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`).catch(() => {});
      if (demo) error.message += `\n--- demo output (tail) ---\n${demo.child.log.slice(-3000)}`;
      if (terminal) error.message += `\n--- terminal-sim output (tail) ---\n${terminal.log.slice(-2000)}`;
      throw error;
    }
  });
}

async function shoot(name) {
  if (!page) return;
  await page.screenshot({ path: path.join(outputDir, `${name}.png`), fullPage: true });
}

/** The table row of the device the gateway registered. */
const deviceRow = () => page.locator("#devices-body tr").first();
const tokenRows = (status) => page.locator("#tokens-body tr", { hasText: TOKEN_NAME }).filter({
  has: page.locator(`.badge.${status}`),
});

/** Clicks the dialog's confirm button after checking that the dialog asks about `subject`. */
async function confirm(subject) {
  const dialog = page.locator("#confirm-dialog");
  await dialog.waitFor({ state: "visible", timeout: 5000 });
  assert.match(await page.locator("#confirm-text").textContent(), new RegExp(subject));
  await page.locator("#confirm-ok").click();
  await dialog.waitFor({ state: "hidden", timeout: 5000 });
}

describe("web console: the token doc's user flow", () => {
  before(async () => {
    outputDir = ensureOutputDir();
    demo = await startDemo();
    // The demo's console names the gateway the demo started (on a free port), for the new token's snippet.
    const index = await (await fetch(new URL("/", demo.console_url))).text();
    const meta = /<meta name="metaapi-gateway-url" content="([^"]*)">/.exec(index);
    assert.equal(meta && meta[1], demo.url, "the console page does not name the demo's gateway");
    // The console embeds its page at build time: a stale binary would test an old page.
    for (const [route, file] of [
      ["/", "index.html"], ["/console.js", "console.js"], ["/console.css", "console.css"], ["/favicon.ico", "favicon.svg"],
    ]) {
      const served = await (await fetch(new URL(route, demo.console_url))).text();
      let source = readFileSync(path.join(repoRoot, "console", "web", file), "utf8");
      // The console fills in its gateway's address once, at startup; the demo's is the gateway it started.
      if (file === "index.html") source = source.replace("{{gateway_url}}", demo.url);
      assert.ok(served === source, `the console serves an old ${file}: rebuild with cargo build -p metaapi-gateway`);
    }
    profileDir = mkdtempSync(path.join(tmpdir(), "metaapi-chromium-"));
    // A persistent context on a fresh profile directory: playwright-core passes it as --user-data-dir.
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
      viewport: { width: 1200, height: 900 },
      timeout: 60000,
    });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(demo.console_url).origin });
    page = await context.newPage();
    page.setDefaultTimeout(15000);
  });

  after(async () => {
    await context?.close().catch(() => {});
    await stopAllChildren();
    demo?.cleanup();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  step("a wrong password shows a clear error", async () => {
    await page.goto(demo.console_url);
    await page.locator("#sign-in-view").waitFor({ state: "visible" });
    await shoot("01-sign-in");
    await page.locator("#email").fill(demo.email);
    await page.locator("#password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const error = page.locator("#error");
    await error.waitFor({ state: "visible" });
    // The console's own words, not the page's guess that a session ended (there was none).
    const text = (await error.textContent()).trim();
    assert.match(text, /wrong email or password/i);
    assert.doesNotMatch(text, /session/i);
    assert.equal(await page.locator("#app-view").isVisible(), false);
  });

  step("the page has an icon: /favicon.ico is served, not 404", async () => {
    const icon = await page.evaluate(async () => {
      const response = await fetch("/favicon.ico");
      return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
    });
    assert.equal(icon.status, 200);
    assert.equal(icon.type, "image/svg+xml");
    assert.match(icon.body, /^<svg /);
    assert.equal(await page.locator('link[rel="icon"]').getAttribute("href"), "/favicon.svg");
  });

  step("sign in with the keyboard; the session cookie is HttpOnly and SameSite", async () => {
    await page.locator("#email").fill(demo.email);
    await page.locator("#password").fill(demo.password);
    // Keyboard use: Tab from the password field to the Sign in button and press Enter.
    await page.locator("#password").focus();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Sign in");
    await page.keyboard.press("Enter");
    await page.locator("#app-view").waitFor({ state: "visible" });
    assert.equal(await page.locator("#error").isVisible(), false);
    assert.equal(await page.locator("#account-email").textContent(), demo.email);
    assert.equal(await page.locator("#account-state").textContent(), "active");
    const cookies = await context.cookies(demo.console_url);
    const session = cookies.find((cookie) => cookie.name === "console_session");
    assert.ok(session, `no session cookie among ${cookies.map((c) => c.name)}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    assert.equal(await page.evaluate(() => document.cookie), "", "the page's script can read the session cookie");
  });

  step("a request without the console header is refused (CSRF guard)", async () => {
    const forged = await page.evaluate(async () => {
      const response = await fetch("/api/v1/tokens", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "forged" }),
      });
      return response.status;
    });
    assert.equal(forged, 401);
    await shoot("02-main");
  });

  step("create MT5-Live-A with an expiry a day ahead; copy it with the keyboard", async () => {
    const expiry = new Date(Date.now() + 24 * 3600 * 1000);
    await page.locator("#token-name").fill(TOKEN_NAME);
    await page.locator("#token-expiry").fill(localDateTime(expiry));
    await page.getByRole("button", { name: "Create token" }).click();
    const secret = page.locator("#secret-view");
    await secret.waitFor({ state: "visible" });
    const shown = (await page.locator("#secret-token").textContent()).trim();
    assert.match(shown, /^mat_/);
    const snippet = await page.locator("#secret-snippet").textContent();
    assert.ok(snippet.includes(shown), "the snippet does not use the token");
    // The demo's gateway listens on a free port, not the default 6000: the snippet must name the real one.
    assert.ok(snippet.includes(`curl -s ${demo.url}/rpc `), `the snippet does not call the demo's gateway ${demo.url}: ${snippet}`);
    await shoot("03-token-shown");
    // The view takes focus when it opens; Tab reaches Copy, Enter presses it.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.id), "copy-token");
    await page.keyboard.press("Enter");
    await waitFor("the copied confirmation", async () => /copied/i.test(await page.locator("#status").textContent()), {
      timeoutMs: 5000,
    });
    firstToken = (await page.evaluate(() => navigator.clipboard.readText())).trim();
    assert.equal(firstToken, shown, "the clipboard does not hold the shown token");
    const row = tokenRows("active");
    await row.waitFor();
    assert.notEqual((await row.locator("td").nth(4).textContent()).trim(), "never", "the expiry is not listed");
    assert.equal((await row.locator("td.terminal").textContent()).trim(), "not linked yet");
    // Every time names its zone (the browser's), and the exact UTC time is in the cell's title.
    const zone = await page.evaluate(() =>
      new Intl.DateTimeFormat(undefined, { timeZoneName: "short" }).formatToParts(new Date())
        .find((part) => part.type === "timeZoneName").value);
    for (const column of [3, 4]) {
      const td = row.locator("td").nth(column);
      assert.ok((await td.textContent()).trim().endsWith(zone), `column ${column} has no time zone: ${await td.textContent()}`);
      assert.match(await td.getAttribute("title"), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    assert.ok((await page.locator("#expiry-zone").textContent()).trim().length > 0, "the expiry input names no zone");
  });

  step("a second token with the same name is refused with a clear error", async () => {
    await page.locator("#token-name").fill(TOKEN_NAME.toLowerCase());
    await page.getByRole("button", { name: "Create token" }).click();
    const error = page.locator("#error");
    await error.waitFor({ state: "visible" });
    assert.match(await error.textContent(), new RegExp(`a token named ${TOKEN_NAME} already exists`));
    assert.equal(await page.locator("#secret-view").isVisible(), true, "the first token's secret view was closed");
    assert.equal(await page.locator("#tokens-body tr", { hasText: TOKEN_NAME }).count(), 1);
    await page.locator("#token-name").fill("");
  });

  step("after 'I have copied it' the token is nowhere in the page", async () => {
    await page.getByRole("button", { name: "I have copied it" }).click();
    await page.locator("#secret-view").waitFor({ state: "hidden" });
    const leftovers = await page.evaluate((token) => ({
      html: document.documentElement.outerHTML.includes(token),
      local: JSON.stringify(Object.entries(localStorage)).includes(token),
      session: JSON.stringify(Object.entries(sessionStorage)).includes(token),
      inputs: [...document.querySelectorAll("input")].some((input) => input.value.includes(token)),
    }), firstToken);
    assert.deepEqual(leftovers, { html: false, local: false, session: false, inputs: false });
  });

  step("a simulated terminal comes online with the copied token; the client's calls work", async () => {
    terminal = startTerminal(demo.url, firstToken);
    const answer = await waitFor("get_account_info through the new terminal", async () => {
      if (terminal.exitCode !== null) throw new Error(`terminal-sim exited with ${terminal.exitCode}`);
      const result = await rpc(demo.url, firstToken);
      if (result.body.result) return result;
      throw new Error(JSON.stringify(result.body));
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.result.login, 5100201);
  });

  step("the page shows the device and the token's last use", async () => {
    // The page refreshes every 3 s.
    await waitFor("the device row", async () => (await deviceRow().locator(".badge.approved").count()) === 1, {
      timeoutMs: 15000,
    });
    await waitFor("the token's last use", async () =>
      (await tokenRows("active").locator("td").nth(5).textContent()).trim() !== "—", { timeoutMs: 15000 });
    // The token's row names the terminal linked with it (as the gateway reports it) and says it is online.
    const linked = tokenRows("active").locator("td.terminal");
    await waitFor("the linked terminal online", async () => (await linked.locator(".badge.online").count()) === 1, {
      timeoutMs: 15000,
    });
    assert.match((await linked.textContent()).trim(), /^MT5 5100201 online @ \S+$/);
    await shoot("04-devices");
  });

  step("revoke the device: the client's calls are refused with device_revoked", async () => {
    await deviceRow().getByRole("button", { name: /^Revoke/ }).click();
    await page.locator("#confirm-dialog").waitFor({ state: "visible" });
    await shoot("05-confirm-revoke");
    await confirm("Revoke");
    await deviceRow().locator(".badge.revoked").waitFor();
    const refused = await waitFor("a device_revoked refusal", async () => {
      const result = await rpc(demo.url, firstToken);
      return refusalKind(result) === "device_revoked" ? result : null;
    });
    assert.equal(refused.status, 403);
    await shoot("06-device-revoked");
  });

  step("approve the device: the client's calls work again", async () => {
    await deviceRow().getByRole("button", { name: /^Approve/ }).click();
    await deviceRow().locator(".badge.approved").waitFor();
    const answer = await waitFor("get_account_info after approval", async () => {
      const result = await rpc(demo.url, firstToken);
      if (result.body.result) return result;
      throw new Error(JSON.stringify(result.body));
    }, { timeoutMs: 60000 });
    assert.equal(answer.status, 200);
  });

  step("replace MT5-Live-A: a new token is shown and the old one is refused with token_replaced", async () => {
    await tokenRows("active").getByRole("button", { name: `Replace ${TOKEN_NAME}` }).click();
    await confirm(`Replace ${TOKEN_NAME}`);
    await page.locator("#secret-view").waitFor({ state: "visible" });
    secondToken = (await page.locator("#secret-token").textContent()).trim();
    assert.match(secondToken, /^mat_/);
    assert.notEqual(secondToken, firstToken);
    await tokenRows("active").waitFor();
    // The replaced token leaves the list; it is still there, as history, when asked for.
    await waitFor("the replaced row to leave the list", async () => (await tokenRows("replaced").count()) === 0, {
      timeoutMs: 5000,
    });
    await page.locator("#show-old-tokens").check();
    await tokenRows("replaced").waitFor();
    await page.locator("#show-old-tokens").uncheck();
    await waitFor("the replaced row to leave the list again", async () => (await tokenRows("replaced").count()) === 0, {
      timeoutMs: 5000,
    });
    await page.getByRole("button", { name: "I have copied it" }).click();
    await page.locator("#secret-view").waitFor({ state: "hidden" });
    await shoot("07-after-replace");
    const refused = await waitFor("a token_replaced refusal", async () => {
      const result = await rpc(demo.url, firstToken);
      return refusalKind(result) === "token_replaced" ? result : null;
    });
    assert.equal(refused.status, 401);
  });

  step("the EA with the new token serves the client again", async () => {
    await stopChild(terminal);
    terminal = startTerminal(demo.url, secondToken);
    const answer = await waitFor("get_account_info with the new token", async () => {
      const result = await rpc(demo.url, secondToken);
      if (result.body.result) return result;
      throw new Error(JSON.stringify(result.body));
    });
    assert.equal(answer.status, 200);
    // The new token's terminal is online; the replaced token's terminal went offline when its link closed.
    await waitFor("the new token's terminal online", async () =>
      (await tokenRows("active").locator("td.terminal .badge.online").count()) === 1, { timeoutMs: 15000 });
    await page.locator("#show-old-tokens").check();
    const old = tokenRows("replaced").locator("td.terminal");
    await waitFor("the replaced token's terminal offline", async () => (await old.locator(".badge.offline").count()) === 1, {
      timeoutMs: 15000,
    });
    assert.match((await old.textContent()).trim(), /^MT5 5100201 offline @ \S+ last seen .+$/);
    // The wider table still fits a desktop window without scrolling sideways.
    const sideways = await page.evaluate(() => {
      const wrap = document.querySelector("#tokens-body").closest(".table-wrap");
      return wrap.scrollWidth - wrap.clientWidth;
    });
    assert.ok(sideways <= 0, `the token table scrolls sideways by ${sideways}px at 1200px`);
    await shoot("07b-terminals");
    await page.locator("#show-old-tokens").uncheck();
  });

  step("delete a token with confirmation: Escape cancels, Delete revokes it at once", async () => {
    const name = "MT5-Demo-1";
    const row = () => page.locator("#tokens-body tr", { hasText: name });
    await row().getByRole("button", { name: `Delete ${name}` }).click();
    const dialog = page.locator("#confirm-dialog");
    await dialog.waitFor({ state: "visible" });
    // The dialog opens with focus on Cancel; Escape closes it without deleting.
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await row().locator(".badge.active").count(), 1);
    // The demo's own terminal may still be reconnecting after the device was revoked and approved, so the call may
    // fail for that; what matters is that the token itself is still accepted.
    const kept = await rpc(demo.url, demo.token);
    assert.notEqual(kept.status, 401, `the demo's token was refused after Cancel: ${JSON.stringify(kept.body)}`);
    await row().getByRole("button", { name: `Delete ${name}` }).click();
    await confirm(`Delete ${name}`);
    // Deleted tokens do not pile up in the list; "Show deleted and replaced tokens" brings them back.
    await waitFor("the deleted row to leave the list", async () => (await row().count()) === 0, { timeoutMs: 5000 });
    await page.locator("#show-old-tokens").check();
    await row().locator(".badge.revoked").waitFor();
    await page.locator("#show-old-tokens").uncheck();
    const refused = await waitFor("a token_revoked refusal", async () => {
      const result = await rpc(demo.url, demo.token);
      return refusalKind(result) === "token_revoked" ? result : null;
    });
    assert.equal(refused.status, 401);
  });

  step("a narrow window keeps the page readable", async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 360px`);
    // Every action button is fully inside the window, not clipped in a sideways-scrolling table.
    for (const button of await page.locator("td.actions button").all()) {
      const box = await button.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `${await button.getAttribute("aria-label")} is off screen`);
    }
    await shoot("08-narrow");
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  step("sign out: the page returns to sign-in and the session no longer works", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.locator("#sign-in-view").waitFor({ state: "visible" });
    const status = await page.evaluate(async () =>
      (await fetch("/api/v1/tokens", { headers: { "X-Console-Request": "1" } })).status);
    assert.equal(status, 401);
  });
});
