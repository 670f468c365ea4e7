// Helpers of the browser test: child processes (the demo, simulated terminals), bounded waits, JSON-RPC client calls.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const outputDir = path.join(repoRoot, "test-output", "browser");
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(process.env.CARGO_TARGET_DIR) : path.join(repoRoot, "target");

/** Path of a workspace binary built by `cargo build` (debug profile). */
export function binary(name) {
  const file = path.join(targetDir, "debug", name);
  if (!existsSync(file)) throw new Error(`${file} is missing: run cargo build -p metaapi-gateway -p metaapi-terminal-sim`);
  return file;
}

const children = new Set();

/** Starts a child process, keeping the tail of its output in `child.log`; it is killed when the test process ends. */
export function startChild(name, file, args, env = {}) {
  const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_BACKTRACE: "0", ...env } });
  child.log = "";
  const keep = (chunk) => { child.log = (child.log + chunk.toString()).slice(-20000); };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.name = name;
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

/** Sends SIGTERM, then SIGKILL if the child is still there after `graceMs`. */
export async function stopChild(child, graceMs = 8000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAllChildren() {
  await Promise.all([...children].map((child) => stopChild(child)));
}

// A crash or Ctrl-C must not leave a gateway or a terminal behind.
process.on("exit", () => { for (const child of children) child.kill("SIGKILL"); });
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => { for (const child of children) child.kill("SIGKILL"); process.exit(130); });
}

/** Polls `probe` until it returns a truthy value; fails with the last observation after `timeoutMs`. */
export async function waitFor(what, probe, { timeoutMs = 30000, intervalMs = 250 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = "nothing observed";
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error.message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Starts `metaapi-gateway demo` on free ports and returns its ready file contents with the child. */
export async function startDemo() {
  const dir = mkdtempSync(path.join(tmpdir(), "metaapi-browser-"));
  const readyFile = path.join(dir, "ready.json");
  const child = startChild("demo", binary("metaapi-gateway"), [
    "demo", "--listen", "127.0.0.1:0", "--console-listen", "127.0.0.1:0", "--virtual-clock",
    "--data-dir", path.join(dir, "data"), "--ready-file", readyFile,
  ]);
  const ready = await waitFor("the demo's ready file", () => {
    if (child.exitCode !== null) throw new Error(`the demo exited with ${child.exitCode}: ${child.log}`);
    return existsSync(readyFile) && JSON.parse(readFileSync(readyFile, "utf8"));
  }, { timeoutMs: 60000 });
  return { ...ready, child, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts `metaapi-terminal-sim` with `token` against the demo's gateway, as an EA with that token pasted in. */
export function startTerminal(gatewayUrl, token) {
  const url = new URL(gatewayUrl);
  // The token goes through the environment, not the command line, so it does not show in process lists.
  return startChild("terminal-sim", binary("metaapi-terminal-sim"), ["--gateway-url", `ws://${url.host}/terminal`, "--virtual-clock"], {
    METAAPI_TOKEN: token,
  });
}

/** One JSON-RPC call to the gateway's /rpc as a client program makes it; returns the HTTP status and body. */
export async function rpc(gatewayUrl, token, method = "get_account_info", params = {}) {
  const response = await fetch(`${gatewayUrl}/rpc`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const text = await response.text();
  let body;
  try { body = JSON.parse(text); } catch { body = { unparsed: text }; }
  return { status: response.status, body };
}

/** The refusal kind of an /rpc answer (`error.data.kind`), or undefined. */
export function refusalKind(answer) {
  return answer.body && answer.body.error && answer.body.error.data ? answer.body.error.data.kind : undefined;
}

export function ensureOutputDir() {
  mkdirSync(outputDir, { recursive: true });
  return outputDir;
}

/** `YYYY-MM-DDTHH:MM` in local time, the value format of `<input type=datetime-local>`. */
export function localDateTime(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
