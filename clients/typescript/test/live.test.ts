/** Against the live demo gateway (CONTRACTS section 5). Skipped, loudly, while the demo binary is missing. */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ClientIdConflict, Client, Unauthorized, newClientId } from "../src/index.js";
import { demoBinary, startDemo, type Demo } from "./helpers.js";

const found = demoBinary();
const skip = "skip" in found ? `LIVE GATEWAY TESTS SKIPPED: ${found.skip}` : false;
if (skip) console.log(`\n!!!! ${skip} !!!!\n`);

describe("live demo gateway", { skip }, () => {
  let demo: Demo;
  let stop: () => Promise<void> = async () => undefined;
  before(async () => {
    if ("binary" in found) ({ demo, stop } = await startDemo(found.binary));
  });
  after(async () => {
    await stop();
  });

  it("reads the account", async () => {
    const client = new Client(demo.url, demo.token);
    const account = await client.getAccountInfo();
    assert.ok(account.currency.length > 0 && account.leverage > 0 && account.balance > 0);
    assert.equal((await client.ping()).pong, true);
  });

  it("executes a trade repeated with its client_id once", async () => {
    const client = new Client(demo.url, demo.token);
    const before = (await client.getPositions({ symbol: "EURUSD" })).positions.length;
    const clientId = newClientId();
    const first = await client.placeOrder({ symbol: "EURUSD", type: "buy", volume: 0.01, client_id: clientId });
    const again = await client.placeOrder({ symbol: "EURUSD", type: "buy", volume: 0.01, client_id: clientId });
    assert.equal(first.retcode, 10009);
    assert.equal(first.client_id, clientId);
    assert.deepEqual([again.order, again.deal, again.position_id], [first.order, first.deal, first.position_id]);
    assert.equal((await client.getPositions({ symbol: "EURUSD" })).positions.length, before + 1);
    assert.equal((await client.getTradeResult({ client_id: clientId })).client_id, clientId);
    await assert.rejects(client.placeOrder({ symbol: "EURUSD", type: "sell", volume: 0.02, client_id: clientId }), ClientIdConflict);
  });

  it("receives quotes on a subscription", async () => {
    const stream = await new Client(demo.url, demo.token).subscribe([{ type: "quotes", symbol: "EURUSD" }]);
    try {
      for (;;) {
        const item = await stream.next(10_000);
        if (item.type === "event" && item.method === "quote") {
          assert.equal(item.params.data.symbol, "EURUSD");
          assert.ok(item.params.data.ask >= item.params.data.bid && item.params.data.bid > 0);
          break;
        }
      }
    } finally {
      stream.close();
    }
  });

  it("refuses a bad token with its reason", async () => {
    const client = new Client(demo.url, `mat_${"0".repeat(40)}`, { retry: { attempts: 1 } });
    const failure = await client.getAccountInfo().catch((e: unknown) => e);
    assert.ok(failure instanceof Unauthorized);
    assert.ok(["token_unknown", "token_missing"].includes(failure.kind), failure.kind);
    await assert.rejects(client.subscribe([{ type: "account" }]), Unauthorized);
  });
});
