/**
 * The HTTP side of the client: typed calls over `POST /rpc` and the retry policy that keeps trading idempotent.
 */

import { randomUUID } from "node:crypto";

import { DecodeError, GatewayError, MetaApiError, OutcomeUnknown, RateLimited, TransportError, errorFromObject } from "./errors.js";
import { GeneratedMethods, METHODS, type MethodMap, type MethodName, type MethodSpec } from "./generated/methods.js";
import type { StreamSpec } from "./generated/types.js";
import { EventStream, type StreamOptions } from "./stream.js";

/** How often and how patiently a call is retried. */
export interface RetryPolicy {
  /** Attempts in all, including the first (1 disables retries). */
  attempts: number;
  /** Wait before the second attempt, in ms; doubles for each further one. */
  backoffMs: number;
}

/** Options of a {@link Client}. */
export interface ClientOptions {
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout in ms (default 30 000). */
  timeoutMs?: number;
}

/** A fresh idempotency key for a trading call (32 hex characters). */
export function newClientId(): string {
  return randomUUID().replaceAll("-", "");
}

/** Fills in a `client_id` for a trading call, once, so that every retry sends the same one. */
export function prepareParams(spec: MethodSpec, params: unknown): Record<string, unknown> {
  const object = params ?? {};
  if (typeof object !== "object" || Array.isArray(object)) {
    throw new TypeError(`params of ${spec.name} must be an object`);
  }
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value !== undefined && value !== null) given[key] = value;
  }
  if (spec.trading && !given["client_id"]) given["client_id"] = newClientId();
  return given;
}

/** Milliseconds to wait before attempt `attempt + 1`, or null when the call must not be repeated. */
export function retryWait(spec: MethodSpec, error: unknown, attempt: number, policy: RetryPolicy): number | null {
  if (!(error instanceof MetaApiError)) return null;
  // A trading call always carries its client_id, so even an unknown outcome or a broken connection is safe to send
  // again: the gateway executes an id at most once and answers a repeat with the first outcome.
  const safe = error.retryable || (spec.trading && (error instanceof OutcomeUnknown || error instanceof TransportError));
  if (attempt >= policy.attempts || !safe) return null;
  if (error instanceof RateLimited) return error.retryAfterMs;
  return policy.backoffMs * 2 ** (attempt - 1);
}

/** The result of a single JSON-RPC answer, or the mapped error. Refusals (401, 403, 429...) carry a body too. */
export function parseAnswer(status: number, body: string): unknown {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    throw new TransportError(`HTTP ${status} without a JSON-RPC body`);
  }
  if (typeof answer !== "object" || answer === null || !("result" in answer || "error" in answer)) {
    throw new TransportError(`HTTP ${status} without a JSON-RPC answer`);
  }
  if ("error" in answer) throw errorFromObject(answer.error);
  const result = (answer as { result: unknown }).result;
  if (result === undefined) throw new DecodeError("an answer without a result");
  return result;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A connection to one terminal through the local gateway, chosen by its auth token.
 *
 * ```ts
 * const client = new Client("http://127.0.0.1:6000", process.env.METAAPI_TOKEN!);
 * const account = await client.getAccountInfo();
 * ```
 */
export class Client extends GeneratedMethods {
  readonly url: string;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  // A private field: the token never shows up in console.log, JSON.stringify or util.inspect.
  readonly #token: string;
  #nextId = 1;

  constructor(url: string, token: string, options: ClientOptions = {}) {
    super();
    this.url = url.replace(/\/+$/, "");
    this.#token = token;
    this.retry = { attempts: 3, backoffMs: 100, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Calls a method by wire name with retries and returns its result. */
  async call<K extends MethodName>(method: K, params?: MethodMap[K]["params"]): Promise<MethodMap[K]["result"]> {
    const spec = METHODS[method];
    if (spec === undefined) throw new TypeError(`unknown method ${String(method)}`);
    if (spec.route === "stream") throw new TypeError(`${method} works only on a WebSocket: use subscribe()`);
    const wire = prepareParams(spec, params);
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.callRaw(method, wire)) as MethodMap[K]["result"];
      } catch (error) {
        const wait = retryWait(spec, error, attempt, this.retry);
        if (wait === null) {
          if (error instanceof GatewayError && typeof wire["client_id"] === "string" && !error.clientId) {
            error.data["client_id"] = wire["client_id"];
          }
          throw error;
        }
        await sleep(wait);
      }
    }
  }

  /** One attempt with untyped params: the result, or the mapped error. */
  async callRaw(method: string, params: unknown): Promise<unknown> {
    const request = { jsonrpc: "2.0", id: this.#nextId++, method, params };
    let response: Response;
    let body: string;
    try {
      response = await fetch(`${this.url}/rpc`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.#token}`, "content-type": "application/json" },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      body = await response.text();
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      throw new TransportError(`${error instanceof Error ? error.message : String(error)}${cause}`);
    }
    return parseAnswer(response.status, body);
  }

  /** Opens `/ws` and subscribes; iterate the returned stream with `for await`. */
  subscribe(streams: StreamSpec[], options: StreamOptions = {}): Promise<EventStream> {
    return EventStream.open(this.url, this.#token, streams, options);
  }

  protected override invoke<K extends MethodName>(
    method: K,
    params: MethodMap[K]["params"],
  ): Promise<MethodMap[K]["result"]> {
    return this.call(method, params);
  }
}
