/** The HTTP client against a scripted local server: request shape, client_id reuse on retry, error mapping. */

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { inspect } from "node:util";

import { Client, OutcomeUnknown, RateLimited, TradeRejected, TransportError, Unauthorized } from "../src/index.js";
import { EXAMPLES, FakeGateway, drop, error, exampleResult, result } from "./helpers.js";

const FAST = { attempts: 3, backoffMs: 1 };

describe("Client over /rpc", () => {
  let gateway: FakeGateway;
  before(async () => {
    gateway = await FakeGateway.start();
  });
  after(async () => {
    await gateway.stop();
  });
  beforeEach(() => {
    gateway.requests.length = 0;
    gateway.headers.length = 0;
    gateway.script.length = 0;
    gateway.fallback = result({});
  });

  it("sends JSON-RPC with the bearer token and returns the typed result", async () => {
    gateway.replyNext(exampleResult("get_account_info"));
    const client = new Client(`${gateway.url}/`, "mat_secret");
    const account = await client.getAccountInfo();
    assert.equal(account.equity, 9987.6);
    assert.equal(account.currency, "USD");
    const [request] = gateway.requests;
    assert.deepEqual({ ...request, id: 0 }, { jsonrpc: "2.0", id: 0, method: "get_account_info", params: {} });
    assert.equal(typeof request!["id"], "number");
    assert.equal(gateway.headers[0]!.authorization, "Bearer mat_secret");
    assert.ok(!inspect(client).includes("mat_secret"));
    assert.ok(!JSON.stringify(client).includes("mat_secret"));
  });

  it("gives a trading call a client_id and reuses it on every retry", async () => {
    gateway.replyNext(error("not_executed", -32003), drop(), exampleResult("place_order"));
    const client = new Client(gateway.url, "t", { retry: FAST });
    const trade = await client.placeOrder({ symbol: "EURUSD", type: "buy", volume: 0.2 });
    assert.equal(trade.retcode, 10009);
    const ids = gateway.requests.map((r) => r["params"]["client_id"]);
    assert.equal(ids.length, 3);
    assert.equal(new Set(ids).size, 1);
    assert.match(ids[0], /^[0-9a-f]{32}$/);
    assert.equal(new Set(gateway.requests.map((r) => r["id"])).size, 3);
  });

  it("keeps a given client_id and makes a new one per call", async () => {
    gateway.fallback = exampleResult("place_order");
    const client = new Client(gateway.url, "t");
    await client.placeOrder({ symbol: "EURUSD", type: "buy", volume: 0.1, client_id: "mine-1" });
    await client.placeOrder({ symbol: "EURUSD", type: "buy", volume: 0.1 });
    await client.placeOrder({ symbol: "EURUSD", type: "buy", volume: 0.1 });
    const ids = gateway.requests.map((r) => r["params"]["client_id"]);
    assert.equal(ids[0], "mine-1");
    assert.notEqual(ids[1], ids[2]);
  });

  it("retries an unknown outcome with the same id and names it when attempts run out", async () => {
    gateway.fallback = error("outcome_unknown", -32004);
    const client = new Client(gateway.url, "t", { retry: FAST });
    const failure = await client.closePosition({ ticket: "1" }).catch((e: unknown) => e);
    assert.ok(failure instanceof OutcomeUnknown);
    assert.equal(gateway.requests.length, 3);
    assert.deepEqual(new Set(gateway.requests.map((r) => r["params"]["client_id"])), new Set([failure.clientId]));
  });

  it("does not repeat a read after an unknown outcome", async () => {
    gateway.fallback = error("outcome_unknown", -32004);
    await assert.rejects(new Client(gateway.url, "t", { retry: FAST }).getPositions(), OutcomeUnknown);
    assert.equal(gateway.requests.length, 1);
  });

  it("reports a trade rejection with its retcode, without retrying", async () => {
    gateway.fallback = error("trade_rejected", -32005, {
      message: "Invalid volume",
      data: { retcode: 10014, retcode_name: "TRADE_RETCODE_INVALID_VOLUME" },
    });
    const failure = await new Client(gateway.url, "t", { retry: FAST })
      .placeOrder({ symbol: "EURUSD", type: "buy", volume: 1000 })
      .catch((e: unknown) => e);
    assert.ok(failure instanceof TradeRejected);
    assert.equal(failure.retcode, 10014);
    assert.equal(failure.retcodeName, "TRADE_RETCODE_INVALID_VOLUME");
    assert.equal(failure.kind, "trade_rejected");
    assert.equal(gateway.requests.length, 1);
  });

  it("retries rate_limited after the wait it names", async () => {
    gateway.replyNext(error("rate_limited", -32007, { status: 429, data: { retry_after_ms: 5 } }), exampleResult("get_quote"));
    const quote = await new Client(gateway.url, "t", { retry: FAST }).getQuote({ symbol: "EURUSD" });
    assert.equal(quote.bid, 1.08512);
    assert.equal(gateway.requests.length, 2);
  });

  it("gives up on rate_limited when attempts run out", async () => {
    gateway.fallback = error("rate_limited", -32007, { status: 429, data: { retry_after_ms: 1 } });
    const failure = await new Client(gateway.url, "t", { retry: FAST }).ping().catch((e: unknown) => e);
    assert.ok(failure instanceof RateLimited);
    assert.equal(failure.retryAfterMs, 1);
    assert.equal(gateway.requests.length, 3);
  });

  it("maps an auth refusal to Unauthorized with its reason", async () => {
    gateway.fallback = error("token_expired", -32001, { status: 401, message: "Unauthorized" });
    const failure = await new Client(gateway.url, "t", { retry: FAST }).ping().catch((e: unknown) => e);
    assert.ok(failure instanceof Unauthorized);
    assert.equal(failure.kind, "token_expired");
    assert.equal(failure.code, -32001);
    assert.equal(gateway.requests.length, 1);
  });

  it("treats a body that is not JSON-RPC as a transport error", async () => {
    gateway.fallback = () => [502, "<html>bad gateway</html>"];
    await assert.rejects(new Client(gateway.url, "t", { retry: { attempts: 1 } }).ping(), (e: unknown) => e instanceof TransportError && /HTTP 502/.test(e.message));
  });

  it("treats an unreachable gateway as a transport error", async () => {
    await assert.rejects(new Client("http://127.0.0.1:9", "t", { retry: { attempts: 1 } }).ping(), TransportError);
  });

  it("refuses stream-only methods over HTTP", async () => {
    const client = new Client(gateway.url, "t");
    await assert.rejects(client.call("get_snapshot"), /WebSocket/);
    assert.equal(gateway.requests.length, 0);
  });

  it("sends params by their wire names, e.g. `from`", async () => {
    gateway.replyNext(exampleResult("get_history_orders"));
    const params = EXAMPLES.methods["get_history_orders"]!.params;
    const page = await new Client(gateway.url, "t").getHistoryOrders({ from: params["from"], to: params["to"], limit: 100 });
    assert.equal(page.orders[0]!.ticket, "1409873311");
    assert.deepEqual(gateway.requests[0]!["params"], { from: params["from"], to: params["to"], limit: 100 });
  });
});
