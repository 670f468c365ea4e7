/** Shared test helpers: a scripted JSON-RPC server on 127.0.0.1, and the live demo gateway (CONTRACTS section 5). */

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, closeSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** clients/typescript */
export const CLIENT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
export const REPO = resolve(CLIENT, "..", "..");

type Json = Record<string, any>;

export const EXAMPLES: { methods: Record<string, { params: Json; result: Json }>; notifications: Record<string, { params: Json }> } =
  JSON.parse(readFileSync(join(REPO, "protocol", "tests", "it", "examples.json"), "utf8"));
export const SCHEMA: Json = JSON.parse(readFileSync(join(REPO, "schemas", "protocol.schema.json"), "utf8"));

/** [HTTP status, body]: a body object is sent as JSON, a string as is, null drops the connection. */
export type Reply = [number, Json | string | null];
export type Handler = (request: Json) => Reply;

export const result = (value: unknown): Handler => (request) => [200, { jsonrpc: "2.0", id: request["id"], result: value }];
export const exampleResult = (method: string): Handler => result(EXAMPLES.methods[method]!.result);
export const drop = (): Handler => () => [0, null];
export function error(kind: string, code: number, options: { status?: number; message?: string; data?: Json } = {}): Handler {
  const retryable = ["auth_unavailable", "terminal_offline", "not_executed", "rate_limited", "overloaded"].includes(kind);
  const body = { code, message: options.message ?? "error", data: { kind, retryable, ...options.data } };
  return (request) => [options.status ?? 200, { jsonrpc: "2.0", id: request["id"], error: body }];
}

/** A real HTTP server that records every JSON-RPC request and answers from a script. */
export class FakeGateway {
  readonly requests: Json[] = [];
  readonly headers: IncomingHttpHeaders[] = [];
  readonly script: Handler[] = [];
  fallback: Handler = result({});
  url = "";
  #server: Server | null = null;

  static async start(): Promise<FakeGateway> {
    const gateway = new FakeGateway();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const request = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json;
        gateway.requests.push(request);
        gateway.headers.push(req.headers);
        const [status, body] = (gateway.script.shift() ?? gateway.fallback)(request);
        if (body === null) {
          req.socket.destroy();
          return;
        }
        const data = typeof body === "string" ? body : JSON.stringify(body);
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
        res.end(data);
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no address");
    gateway.url = `http://127.0.0.1:${address.port}`;
    gateway.#server = server;
    return gateway;
  }

  replyNext(...handlers: Handler[]): void {
    this.script.push(...handlers);
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((done) => this.#server?.close(() => done()));
  }
}

export interface Demo {
  url: string;
  token: string;
  console_url: string;
  api_key: string;
  mode: string;
}

/** The demo gateway binary, or why it cannot be used (the live tests skip with that reason). */
export function demoBinary(): { binary: string } | { skip: string } {
  const binary = process.env["METAAPI_GATEWAY_BIN"] ?? join(REPO, "target", "debug", "metaapi-gateway");
  if (!existsSync(binary)) return { skip: `${binary} does not exist (build it with \`cargo build -p metaapi-gateway\`)` };
  const probe = spawnSync(binary, ["demo", "--help"], { encoding: "utf8", timeout: 30_000 });
  if (probe.status !== 0) {
    return { skip: `${binary} has no working \`demo\` subcommand yet: ${(probe.stderr ?? "").trim().split("\n")[0]}` };
  }
  return { binary };
}

/** Starts `metaapi-gateway demo` on free loopback ports (gateway and console) and waits for its ready file. */
export async function startDemo(binary: string): Promise<{ demo: Demo; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "metaapi-ts-demo-"));
  const ready = join(dir, "ready.json");
  const log = openSync(join(dir, "demo.log"), "w");
  const child: ChildProcess = spawn(
    binary,
    ["demo", "--listen", "127.0.0.1:0", "--console-listen", "127.0.0.1:0", "--data-dir", join(dir, "data"), "--ready-file", ready],
    { stdio: ["ignore", log, log] },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once("exit", () => done()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    closeSync(log);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (!existsSync(ready)) {
    if (child.exitCode !== null) {
      const text = readFileSync(join(dir, "demo.log"), "utf8").slice(-2000);
      await stop();
      throw new Error(`the demo exited with ${child.exitCode}: ${text}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("the demo wrote no ready file within 60 s");
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return { demo: JSON.parse(readFileSync(ready, "utf8")) as Demo, stop };
}
