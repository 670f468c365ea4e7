// Calls the demo gateway with @open-rpc/client-js, the OpenRPC project's own client, and checks each answer against
// schemas/openrpc.json: the method is documented, and the result has every member its result schema requires.
// Usage: node call.mjs <demo ready.json> <openrpc.json>. Prints one line per check; exits 1 on any failure.
import { readFileSync } from "node:fs";
import clientJs from "@open-rpc/client-js";

const { Client, HTTPTransport, JSONRPCError, RequestManager } = clientJs;
const [readyPath, documentPath] = process.argv.slice(2);
const ready = JSON.parse(readFileSync(readyPath, "utf8"));
const document = JSON.parse(readFileSync(documentPath, "utf8"));
const methods = new Map(document.methods.map((method) => [method.name, method]));
const schemas = document.components.schemas;

const transport = new HTTPTransport(`${ready.url}/rpc`, { headers: { Authorization: `Bearer ${ready.token}` } });
const client = new Client(new RequestManager([transport]));
let failures = 0;

function check(condition, what) {
  console.log(`${condition ? "ok" : "FAILED"}: ${what}`);
  if (!condition) failures += 1;
}

async function call(method, params) {
  const documented = methods.get(method);
  check(documented !== undefined, `${method} is in openrpc.json`);
  const result = await client.request({ method, params }, 10000);
  const schema = schemas[documented.result.schema.$ref.split("/").pop()];
  const missing = (schema.required ?? []).filter((member) => !(member in result));
  check(missing.length === 0, `${method} result has its required members ${missing.length ? `(missing ${missing})` : ""}`);
  return result;
}

try {
  const account = await call("get_account_info", {});
  check(account.balance > 0 && typeof account.currency === "string", "get_account_info has a balance and currency");
  const quote = await call("get_quote", { symbol: "EURUSD" });
  check(quote.ask >= quote.bid && quote.bid > 0, "get_quote has bid <= ask");
  const clientId = `openrpc-${process.pid}-${Date.now()}`;
  const order = await call("place_order", { symbol: "EURUSD", type: "buy", volume: 0.01, client_id: clientId });
  check(order.retcode === 10009 && order.client_id === clientId, "place_order is done with our client_id");
  const closed = await call("close_position", { ticket: order.position_id, client_id: `${clientId}-close` });
  check(closed.retcode === 10009, "close_position is done");
  try {
    await client.request({ method: "get_quote", params: { symbol: "NO_SUCH_SYMBOL" } }, 10000);
    check(false, "an unknown symbol is refused");
  } catch (error) {
    check(error instanceof JSONRPCError && typeof error.data?.kind === "string",
      `an unknown symbol is refused with a JSON-RPC error and data.kind (${error.message})`);
  }
  // A refusal before dispatch answers with the call's id, so this generic client reports the error it is rather
  // than a response it cannot match to its call.
  const refusedTransport = new HTTPTransport(`${ready.url}/rpc`, { headers: { Authorization: "Bearer mat_not_a_token" } });
  try {
    await new Client(new RequestManager([refusedTransport])).request({ method: "ping", params: {} }, 10000);
    check(false, "an unknown token is refused");
  } catch (error) {
    check(error instanceof JSONRPCError && error.data?.kind === "token_unknown",
      `an unknown token is refused with a JSON-RPC error the client matches to its call (${error.message})`);
  }
  refusedTransport.close?.();
} catch (error) {
  check(false, `calls finished without an exception: ${error.stack ?? error}`);
}
transport.close?.();
process.exit(failures === 0 ? 0 : 1);
