/**
 * Subscriptions over `/ws` as an async iterable, with reconnect, resubscribe and gap detection by `seq`.
 *
 * The stream checks that `seq` counts up by one; when it jumps, or the gateway sends `stream_gap`, or the connection
 * had to be re-established, it yields a `gap` item and then `resynced` with a fresh `get_snapshot`, so a program can
 * rebuild its state instead of trusting a hole. Access loss (close code 4401 or 4403, or a `token_revoked` notice)
 * ends the iteration by throwing `Unauthorized` with the reason as its `kind`.
 */

import WebSocket from "ws";

import { DecodeError, MetaApiError, TransportError, Unauthorized, errorFromObject } from "./errors.js";
import {
  GeneratedStreamMethods,
  NOTIFICATIONS,
  type MethodMap,
  type MethodName,
  type NotificationMap,
} from "./generated/methods.js";
import type { Snapshot, StreamSpec, SubscribeResult, Subscription } from "./generated/types.js";

/** A notification, in order, typed by its method name. */
export type EventItem = {
  [K in keyof NotificationMap]: { type: "event"; method: K; params: NotificationMap[K] };
}[keyof NotificationMap];

/** What an {@link EventStream} yields. */
export type StreamItem =
  | EventItem
  /** Notifications were lost; a `resynced` follows. On a new connection `expected` is 1 and `received` null. */
  | { type: "gap"; expected: number; received: number | null }
  /** Account, positions and orders as of `snapshot.seq`, after a gap. */
  | { type: "resynced"; snapshot: Snapshot }
  /** The connection broke; the stream reconnects and resubscribes by itself. */
  | { type: "disconnected"; reason: string }
  /** Connected again with the same streams (subscription ids may differ). */
  | { type: "reconnected"; subscriptions: Subscription[] };

/** Options of {@link EventStream.open}. */
export interface StreamOptions {
  /** Reconnect after a broken connection (default true). Access loss always ends the stream. */
  reconnect?: boolean;
}

/** Frames up to this size are accepted; snapshots of big accounts can be large. */
const MAX_FRAME = 16 * 1024 * 1024;

const KNOWN_NOTIFICATIONS: ReadonlySet<string> = new Set(NOTIFICATIONS);

function wsUrl(url: string): string {
  if (url.startsWith("https://")) return `wss://${url.slice("https://".length)}/ws`;
  return `ws://${url.replace(/^http:\/\//, "")}/ws`;
}

function revoked(kind: string, message: string): Unauthorized {
  return new Unauthorized(-32001, message, { kind, retryable: false });
}

type Json = Record<string, unknown>;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Events of one WebSocket connection. Iterate with `for await`; end with `close()`. */
export class EventStream extends GeneratedStreamMethods implements AsyncIterable<StreamItem> {
  /** The active subscriptions (from the newest `subscribe` answer). */
  subscriptions: Subscription[] = [];

  readonly #url: string;
  readonly #token: string;
  readonly #streams: StreamSpec[];
  readonly #reconnect: boolean;
  #socket: WebSocket | null = null;
  #nextId = 1;
  #expectedSeq = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #snapshotIds = new Set<number>();
  readonly #items: StreamItem[] = [];
  readonly #waiters: Pending[] = [];
  #ended = false;
  #endError: MetaApiError | null = null;
  #closedByUser = false;

  private constructor(url: string, token: string, streams: StreamSpec[], reconnect: boolean) {
    super();
    this.#url = wsUrl(url);
    this.#token = token;
    this.#streams = streams;
    this.#reconnect = reconnect;
  }

  /** Connects, subscribes to `streams` and starts delivering items. */
  static async open(url: string, token: string, streams: StreamSpec[], options: StreamOptions = {}): Promise<EventStream> {
    if (!Array.isArray(streams) || streams.length === 0) throw new TypeError("give 1 to 256 streams");
    const stream = new EventStream(url, token, streams, options.reconnect ?? true);
    await stream.#connect();
    return stream;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamItem> {
    return {
      next: async () => {
        const item = await this.#take();
        return item === null ? { done: true, value: undefined } : { done: false, value: item };
      },
      return: async () => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** The next item; rejects with a `TransportError` after `timeoutMs`, or with the error that ended the stream. */
  async next(timeoutMs: number): Promise<StreamItem> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransportError(`no stream item within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const item = await Promise.race([this.#take(), timeout]);
      if (item === null) throw new TransportError("the stream has ended");
      return item;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the WebSocket and ends the iteration. */
  close(): void {
    this.#closedByUser = true;
    this.#end(null);
  }

  protected override invoke<K extends MethodName>(
    method: K,
    params: MethodMap[K]["params"],
  ): Promise<MethodMap[K]["result"]> {
    const socket = this.#socket;
    if (socket === null || this.#ended) return Promise.reject(new TransportError("the stream is not connected"));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }), (error) => {
        if (error) {
          this.#pending.delete(id);
          reject(new TransportError(error.message));
        }
      });
    });
  }

  #take(): Promise<StreamItem | null> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.#ended) {
      const error = this.#endError;
      this.#endError = null; // thrown once; the iteration is done after that
      return error ? Promise.reject(error) : Promise.resolve(null);
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve: resolve as (value: unknown) => void, reject }));
  }

  #push(item: StreamItem): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.#items.push(item);
  }

  #end(error: MetaApiError | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endError = error;
    const failure = error ?? new TransportError("the stream was closed");
    for (const pending of this.#pending.values()) pending.reject(failure);
    this.#pending.clear();
    this.#socket?.close(1000);
    this.#socket = null;
    for (const waiter of this.#waiters.splice(0)) {
      if (this.#endError) {
        waiter.reject(this.#endError);
        this.#endError = null;
      } else {
        waiter.resolve(null);
      }
    }
  }

  /** Opens a socket and subscribes; notifications that overtake the answer are handled right after it. */
  #connect(): Promise<void> {
    const socket = new WebSocket(this.#url, {
      headers: { authorization: `Bearer ${this.#token}` },
      perMessageDeflate: false,
      maxPayload: MAX_FRAME,
      handshakeTimeout: 10_000,
    });
    const subscribeId = this.#nextId++;
    const early: Json[] = [];
    let subscribed = false;
    return new Promise<void>((resolve, reject) => {
      socket.on("unexpected-response", (request, response) => {
        // A refused upgrade carries the JSON-RPC error body (401 token_expired, 403 device_revoked, ...).
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          request.destroy();
          try {
            const answer = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json;
            reject(errorFromObject(answer["error"]));
          } catch {
            reject(new TransportError(`upgrade refused: HTTP ${response.statusCode}`));
          }
        });
      });
      socket.on("error", (error) => {
        if (!subscribed) reject(new TransportError(error.message));
      });
      socket.on("open", () => {
        socket.send(JSON.stringify({ jsonrpc: "2.0", id: subscribeId, method: "subscribe", params: { streams: this.#streams } }));
      });
      socket.on("message", (data) => {
        let value: unknown;
        try {
          value = JSON.parse(data.toString());
        } catch {
          socket.close(1003);
          return;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) return;
        const message = value as Json;
        if (subscribed) {
          this.#handle(message);
        } else if ("method" in message) {
          early.push(message);
        } else if (message["id"] === subscribeId) {
          if ("error" in message) {
            reject(errorFromObject(message["error"]));
            socket.close(1000);
            return;
          }
          const result = message["result"] as SubscribeResult | undefined;
          if (!result || !Array.isArray(result.subscriptions) || typeof result.seq !== "number") {
            reject(new DecodeError("the subscribe answer does not match SubscribeResult"));
            socket.close(1000);
            return;
          }
          subscribed = true;
          this.subscriptions = result.subscriptions;
          this.#expectedSeq = result.seq + 1;
          this.#socket = socket;
          resolve();
          for (const notice of early.splice(0)) this.#handle(notice);
        }
      });
      socket.on("close", (code, reason) => {
        const text = reason.toString();
        const lost = code === 4401 || code === 4403 ? revoked(text || (code === 4401 ? "token_revoked" : "device_revoked"), `access lost (close code ${code})`) : null;
        if (!subscribed) {
          reject(lost ?? new TransportError(`closed while subscribing (code ${code})`));
          return;
        }
        if (this.#socket === socket) this.#socket = null;
        this.#lost(lost, `closed by the gateway (code ${code}${text ? `, ${text}` : ""})`);
      });
    });
  }

  #lost(final: MetaApiError | null, reason: string): void {
    if (this.#ended || this.#closedByUser) return;
    for (const pending of this.#pending.values()) pending.reject(new TransportError(reason));
    this.#pending.clear();
    if (final) return this.#end(final);
    if (!this.#reconnect) return this.#end(new TransportError(reason));
    this.#push({ type: "disconnected", reason });
    void this.#reconnectLoop();
  }

  async #reconnectLoop(): Promise<void> {
    let backoff = 100;
    while (!this.#ended) {
      await new Promise((resolve) => setTimeout(resolve, backoff + Math.random() * 100));
      backoff = Math.min(backoff * 2, 5000);
      if (this.#ended) return;
      try {
        await this.#connect();
      } catch (error) {
        if (error instanceof Unauthorized) return this.#end(error);
        this.#push({ type: "disconnected", reason: error instanceof Error ? error.message : String(error) });
        continue;
      }
      this.#push({ type: "reconnected", subscriptions: this.subscriptions });
      // Whatever happened while disconnected is lost: say so, then resynchronize.
      this.#push({ type: "gap", expected: 1, received: null });
      this.#requestSnapshot();
      return;
    }
  }

  #requestSnapshot(): void {
    const id = this.#nextId++;
    this.#snapshotIds.add(id);
    this.#socket?.send(JSON.stringify({ jsonrpc: "2.0", id, method: "get_snapshot", params: {} }));
  }

  #handle(message: Json): void {
    const method = message["method"];
    if (typeof method !== "string") return this.#answer(message);
    const params = message["params"] as Json | undefined;
    const seq = params?.["seq"];
    if (typeof seq !== "number") return; // not a notification this protocol version can place in order
    let resync = method === "stream_gap";
    if (seq > this.#expectedSeq) {
      this.#push({ type: "gap", expected: this.#expectedSeq, received: seq });
      resync = true;
    }
    this.#expectedSeq = Math.max(this.#expectedSeq, seq + 1);
    if (KNOWN_NOTIFICATIONS.has(method)) {
      this.#push({ type: "event", method, params } as unknown as EventItem);
      if (method === "token_revoked") {
        const reason = (params?.["data"] as Json | undefined)?.["reason"];
        return this.#end(revoked(typeof reason === "string" ? reason : "token_revoked", "access lost: the token was revoked"));
      }
    }
    if (resync) this.#requestSnapshot();
  }

  #answer(message: Json): void {
    const id = message["id"];
    if (typeof id !== "number") return;
    if (this.#snapshotIds.delete(id)) {
      const snapshot = message["result"] as Snapshot | undefined;
      if (snapshot && typeof snapshot.seq === "number") {
        this.#expectedSeq = Math.max(this.#expectedSeq, snapshot.seq + 1);
        this.#push({ type: "resynced", snapshot });
      }
      return;
    }
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if ("error" in message) {
      try {
        pending.reject(errorFromObject(message["error"]));
      } catch (error) {
        pending.reject(error);
      }
    } else {
      pending.resolve(message["result"]);
    }
  }
}
