/** Error objects map to error classes by `error.data.kind`. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as mc from "../src/index.js";

const CASES: [string, number, Function][] = [
  ["token_expired", -32001, mc.Unauthorized],
  ["token_unknown", -32001, mc.Unauthorized],
  ["device_revoked", -32001, mc.Unauthorized],
  ["account_disabled", -32001, mc.Unauthorized],
  ["terminal_offline", -32002, mc.TerminalOffline],
  ["not_executed", -32003, mc.NotExecuted],
  ["outcome_unknown", -32004, mc.OutcomeUnknown],
  ["trade_rejected", -32005, mc.TradeRejected],
  ["unsupported", -32006, mc.Unsupported],
  ["rate_limited", -32007, mc.RateLimited],
  ["invalid_params", -32602, mc.InvalidParams],
  ["not_found", -32010, mc.NotFound],
  ["client_id_conflict", -32011, mc.ClientIdConflict],
  ["overloaded", -32008, mc.GatewayError],
  ["something_newer", -32099, mc.GatewayError],
];

describe("errorFromObject", () => {
  for (const [kind, code, cls] of CASES) {
    it(`maps ${kind} to ${cls.name}`, () => {
      const error = mc.errorFromObject({ code, message: "m", data: { kind, retryable: false } });
      assert.equal(error.constructor, cls);
      assert.equal(error.kind, kind);
      assert.equal(error.code, code);
      assert.ok(error instanceof mc.MetaApiError && error instanceof Error);
    });
  }

  it("reads the details from data", () => {
    const rejected = mc.errorFromObject({
      code: -32005,
      message: "Invalid volume",
      data: { kind: "trade_rejected", retryable: false, retcode: 10014, retcode_name: "X", client_id: "abc" },
    });
    assert.ok(rejected instanceof mc.TradeRejected);
    assert.deepEqual([rejected.retcode, rejected.retcodeName, rejected.clientId], [10014, "X", "abc"]);
    const limited = mc.errorFromObject({ code: -32007, message: "", data: { kind: "rate_limited", retryable: true, retry_after_ms: 250 } });
    assert.ok(limited instanceof mc.RateLimited && limited.retryAfterMs === 250 && limited.retryable);
    const unsupported = mc.errorFromObject({ code: -32006, message: "", data: { kind: "unsupported", retryable: false, platform: "mt4" } });
    assert.ok(unsupported instanceof mc.Unsupported && unsupported.platform === "mt4");
    const invalid = mc.errorFromObject({ code: -32602, message: "", data: { kind: "invalid_params", retryable: false, field: "volume" } });
    assert.ok(invalid instanceof mc.InvalidParams && invalid.field === "volume");
  });

  it("keeps the code of an error without data", () => {
    const error = mc.errorFromObject({ code: -32601, message: "Method not found" });
    assert.equal(error.constructor, mc.GatewayError);
    assert.equal(error.kind, "unknown");
    assert.equal(error.retryable, false);
    assert.ok(mc.errorFromObject({ code: -32001, message: "Unauthorized" }) instanceof mc.Unauthorized);
  });

  it("refuses what is not an error object", () => {
    assert.throws(() => mc.errorFromObject({ message: "no code" }), mc.DecodeError);
    assert.throws(() => mc.errorFromObject("boom"), mc.DecodeError);
  });
});
