/** The event stream against a scripted WebSocket server on 127.0.0.1: order, gaps, resync, revocation, refusal. */

import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import { describe, it } from "node:test";

import { WebSocketServer, type WebSocket } from "ws";

import { Client, InvalidParams, Unauthorized, type StreamItem } from "../src/index.js";
import { EXAMPLES } from "./helpers.js";

type Json = Record<string, any>;

/** Reads the client's messages one at a time. */
class Peer {
  readonly #queue: Json[] = [];
  readonly #waiters: ((value: Json) => void)[] = [];
  readonly headers: IncomingMessage["headers"];

  constructor(readonly socket: WebSocket, request: IncomingMessage) {
    this.headers = request.headers;
    socket.on("message", (data) => {
      const value = JSON.parse(data.toString()) as Json;
      const waiter = this.#waiters.shift();
      if (waiter) waiter(value);
      else this.#queue.push(value);
    });
  }

  recv(): Promise<Json> {
    const value = this.#queue.shift();
    return value ? Promise.resolve(value) : new Promise((resolve) => this.#waiters.push(resolve));
  }

  send(value: Json): void {
    this.socket.send(JSON.stringify(value));
  }

  async answerSubscribe(seq = 0): Promise<Json> {
    const request = await this.recv();
    assert.equal(request["method"], "subscribe");
    const subscriptions = (request["params"]["streams"] as Json[]).map((stream, i) => ({ id: `s${i + 1}`, stream }));
    this.send({ jsonrpc: "2.0", id: request["id"], result: { subscriptions, seq } });
    return request;
  }

  async answerSnapshot(seq: number): Promise<void> {
    const request = await this.recv();
    assert.equal(request["method"], "get_snapshot");
    const snapshot = { seq, account: EXAMPLES.methods["get_account_info"]!.result, positions: [], orders: [] };
    this.send({ jsonrpc: "2.0", id: request["id"], result: snapshot });
  }
}

function quote(seq: number, bid = 1.1): Json {
  const data = { ...EXAMPLES.notifications["quote"]!.params["data"], bid };
  return { jsonrpc: "2.0", method: "quote", params: { seq, subscription_id: "s1", data } };
}

/** Runs `body` against a WebSocket server whose connections `handler` scripts. */
async function withServer(
  handler: (peer: Peer) => Promise<void>,
  body: (url: string) => Promise<void>,
  refuse?: { status: number; body: Json },
): Promise<number> {
  let connections = 0;
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true });
  http.on("upgrade", (request, socket, head) => {
    if (refuse) {
      const text = JSON.stringify(refuse.body);
      socket.end(`HTTP/1.1 ${refuse.status} Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      connections += 1;
      handler(new Peer(ws, request)).catch((error: unknown) => {
        console.error("server script failed", error);
        ws.terminate();
      });
    });
  });
  await new Promise<void>((done) => http.listen(0, "127.0.0.1", done));
  const address = http.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  try {
    await body(`http://127.0.0.1:${address.port}`);
  } finally {
    for (const client of wss.clients) client.terminate();
    http.closeAllConnections();
    await new Promise<void>((done) => http.close(() => done()));
  }
  return connections;
}

const never = () => new Promise<void>(() => undefined);

describe("EventStream", () => {
  it("delivers quotes in order with the token and typed data", async () => {
    let auth: string | undefined;
    await withServer(
      async (peer) => {
        auth = peer.headers.authorization;
        const request = await peer.answerSubscribe();
        assert.deepEqual(request["params"], { streams: [{ type: "quotes", symbol: "EURUSD" }] });
        for (const seq of [1, 2, 3]) peer.send(quote(seq, 1.1 + seq / 1000));
        await never();
      },
      async (url) => {
        const stream = await new Client(url, "mat_tok").subscribe([{ type: "quotes", symbol: "EURUSD" }]);
        assert.deepEqual(stream.subscriptions.map((s) => s.id), ["s1"]);
        const items: StreamItem[] = [];
        for await (const item of stream) {
          items.push(item);
          if (items.length === 3) break;
        }
        const seqs = items.map((item) => (item.type === "event" ? item.params.seq : -1));
        assert.deepEqual(seqs, [1, 2, 3]);
        const last = items[2]!;
        assert.ok(last.type === "event" && last.method === "quote" && Math.abs(last.params.data.bid - 1.103) < 1e-9);
      },
    );
    assert.equal(auth, "Bearer mat_tok");
  });

  it("yields a gap and then a snapshot when seq jumps", async () => {
    await withServer(
      async (peer) => {
        await peer.answerSubscribe();
        peer.send(quote(1));
        peer.send(quote(4));
        await peer.answerSnapshot(7);
        peer.send(quote(8));
        await never();
      },
      async (url) => {
        const stream = await new Client(url, "t").subscribe([{ type: "quotes", symbol: "EURUSD" }]);
        const items = [];
        for (let i = 0; i < 5; i++) items.push(await stream.next(5000));
        stream.close();
        assert.deepEqual(
          items.map((item) => (item.type === "event" ? `event ${item.params.seq}` : item.type)),
          ["event 1", "gap", "event 4", "resynced", "event 8"],
        );
        assert.deepEqual(items[1], { type: "gap", expected: 2, received: 4 });
        assert.ok(items[3]!.type === "resynced" && items[3]!.snapshot.seq === 7);
      },
    );
  });

  it("ends with Unauthorized and its reason after token_revoked and close 4403", async () => {
    await withServer(
      async (peer) => {
        await peer.answerSubscribe();
        peer.send(quote(1));
        peer.send({ jsonrpc: "2.0", method: "token_revoked", params: { seq: 2, data: { reason: "device_revoked" } } });
        peer.socket.close(4403, "device_revoked");
      },
      async (url) => {
        const stream = await new Client(url, "t").subscribe([{ type: "quotes", symbol: "EURUSD" }]);
        assert.equal((await stream.next(5000)).type, "event");
        const revoked = await stream.next(5000);
        assert.ok(revoked.type === "event" && revoked.method === "token_revoked");
        const failure = await stream.next(5000).catch((e: unknown) => e);
        assert.ok(failure instanceof Unauthorized);
        assert.equal(failure.kind, "device_revoked");
      },
    );
  });

  it("does not reconnect after close code 4401", async () => {
    const connections = await withServer(
      async (peer) => {
        await peer.answerSubscribe();
        peer.socket.close(4401, "token_expired");
      },
      async (url) => {
        const stream = await new Client(url, "t").subscribe([{ type: "trades" }]);
        const failure = await stream.next(5000).catch((e: unknown) => e);
        assert.ok(failure instanceof Unauthorized);
        assert.equal(failure.kind, "token_expired");
      },
    );
    assert.equal(connections, 1);
  });

  it("reconnects, resubscribes and resyncs after a broken connection", async () => {
    let round = 0;
    const connections = await withServer(
      async (peer) => {
        round += 1;
        if (round === 1) {
          await peer.answerSubscribe();
          peer.send(quote(1));
          peer.socket.close(1011, "restart");
          return;
        }
        const request = await peer.answerSubscribe();
        assert.deepEqual(request["params"]["streams"], [{ type: "quotes", symbol: "EURUSD" }]);
        await peer.answerSnapshot(3);
        peer.send(quote(4));
        await never();
      },
      async (url) => {
        const stream = await new Client(url, "t").subscribe([{ type: "quotes", symbol: "EURUSD" }]);
        const kinds = [];
        for (let i = 0; i < 6; i++) kinds.push((await stream.next(5000)).type);
        stream.close();
        assert.deepEqual(kinds, ["event", "disconnected", "reconnected", "gap", "resynced", "event"]);
      },
    );
    assert.equal(connections, 2);
  });

  it("answers calls on the stream by id", async () => {
    await withServer(
      async (peer) => {
        await peer.answerSubscribe();
        let request = await peer.recv();
        assert.equal(request["method"], "unsubscribe");
        assert.deepEqual(request["params"], { subscription_ids: ["s1"] });
        peer.send(quote(1)); // a notification may overtake the answer
        peer.send({ jsonrpc: "2.0", id: request["id"], result: { unsubscribed: ["s1"] } });
        request = await peer.recv();
        peer.send({ jsonrpc: "2.0", id: request["id"], error: { code: -32602, message: "Invalid params", data: { kind: "invalid_params", retryable: false } } });
        await never();
      },
      async (url) => {
        const stream = await new Client(url, "t").subscribe([{ type: "quotes", symbol: "EURUSD" }]);
        assert.deepEqual((await stream.unsubscribe({ subscription_ids: ["s1"] })).unsubscribed, ["s1"]);
        const item = await stream.next(5000);
        assert.ok(item.type === "event" && item.params.seq === 1);
        await assert.rejects(stream.listSubscriptions(), InvalidParams);
        stream.close();
      },
    );
  });

  it("maps a refused upgrade from its JSON-RPC body", async () => {
    await withServer(never, async (url) => {
      const failure = await new Client(url, "bad").subscribe([{ type: "account" }]).catch((e: unknown) => e);
      assert.ok(failure instanceof Unauthorized);
      assert.equal(failure.kind, "token_revoked");
    }, {
      status: 401,
      body: { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Unauthorized", data: { kind: "token_revoked", retryable: false } } },
    });
  });
});
