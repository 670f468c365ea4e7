/**
 * The client's errors, mapped from the gateway's `error.data.kind`.
 *
 * Every error the gateway sends is a JSON-RPC error object `{code, message, data: {kind, retryable, ...}}`.
 * `errorFromObject` turns it into the most specific class below; anything without its own class is a plain
 * `GatewayError` that still carries `code`, `kind` and the raw `data`.
 */

import type { ErrorData } from "./generated/types.js";

/** Kinds sent with code -32001: the token or this machine is not allowed. */
export const UNAUTHORIZED_KINDS: ReadonlySet<string> = new Set([
  "token_missing",
  "token_unknown",
  "token_expired",
  "token_revoked",
  "token_replaced",
  "device_pending",
  "device_revoked",
  "account_expired",
  "account_disabled",
]);

/** Base of every error this package throws. */
export class MetaApiError extends Error {
  /** Whether sending the same request again is safe and may succeed. */
  readonly retryable: boolean;

  constructor(message: string, retryable = false) {
    super(message);
    this.name = new.target.name;
    this.retryable = retryable;
  }
}

/** The gateway could not be reached, or the connection broke before an answer came. */
export class TransportError extends MetaApiError {
  constructor(message: string) {
    super(message, true);
  }
}

/** The gateway's answer did not match the protocol (a bug on one side, never retried). */
export class DecodeError extends MetaApiError {}

/** An error object sent by the gateway. */
export class GatewayError extends MetaApiError {
  readonly code: number;
  readonly kind: string;
  readonly data: Partial<ErrorData> & Record<string, unknown>;

  constructor(code: number, message: string, data: Record<string, unknown> = {}) {
    const kind = typeof data["kind"] === "string" ? data["kind"] : "unknown";
    super(`${message} (${code}, ${kind})`, data["retryable"] === true);
    this.code = code;
    this.kind = kind;
    this.data = { ...data };
  }

  /** The trading call's idempotency key the outcome is filed under, when known. */
  get clientId(): string | undefined {
    const value = this.data["client_id"];
    return typeof value === "string" ? value : undefined;
  }
}

/** The token or this machine is not allowed; `kind` is the reason (`token_expired`, `device_revoked`, ...). */
export class Unauthorized extends GatewayError {}
/** The token's terminal is not linked to the gateway right now. */
export class TerminalOffline extends GatewayError {}
/** The deadline passed before the terminal took the request; nothing was executed. */
export class NotExecuted extends GatewayError {}
/** The terminal took the request and went silent; ask `getTradeResult({client_id})` for a trading call. */
export class OutcomeUnknown extends GatewayError {}
/** A `client_id` was reused with different params. */
export class ClientIdConflict extends GatewayError {}
/** The symbol, ticket or `client_id` does not exist. */
export class NotFound extends GatewayError {}

/** The trade server or terminal rejected the trade; `retcode` is the MT code. */
export class TradeRejected extends GatewayError {
  get retcode(): number | undefined {
    const value = this.data["retcode"];
    return typeof value === "number" ? value : undefined;
  }

  get retcodeName(): string | undefined {
    const value = this.data["retcode_name"];
    return typeof value === "string" ? value : undefined;
  }
}

/** The attached platform cannot do this; `platform` names it. */
export class Unsupported extends GatewayError {
  get platform(): string | undefined {
    const value = this.data["platform"];
    return typeof value === "string" ? value : undefined;
  }
}

/** Too many requests; wait `retryAfterMs` before the next one. */
export class RateLimited extends GatewayError {
  get retryAfterMs(): number {
    const value = this.data["retry_after_ms"];
    return typeof value === "number" && value >= 0 ? value : 1000;
  }
}

/** The params do not match the method; `field` names the offending one. */
export class InvalidParams extends GatewayError {
  get field(): string | undefined {
    const value = this.data["field"];
    return typeof value === "string" ? value : undefined;
  }
}

type GatewayErrorClass = new (code: number, message: string, data?: Record<string, unknown>) => GatewayError;

const BY_KIND: Record<string, GatewayErrorClass> = {
  terminal_offline: TerminalOffline,
  not_executed: NotExecuted,
  outcome_unknown: OutcomeUnknown,
  trade_rejected: TradeRejected,
  unsupported: Unsupported,
  rate_limited: RateLimited,
  invalid_params: InvalidParams,
  not_found: NotFound,
  client_id_conflict: ClientIdConflict,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Maps a JSON-RPC error object to the most specific error class. */
export function errorFromObject(error: unknown): GatewayError {
  if (!isRecord(error) || typeof error["code"] !== "number") {
    throw new DecodeError(`not a JSON-RPC error object: ${JSON.stringify(error)}`);
  }
  const data = isRecord(error["data"]) ? error["data"] : {};
  const kind = typeof data["kind"] === "string" ? data["kind"] : undefined;
  const message = typeof error["message"] === "string" ? error["message"] : "";
  if ((kind !== undefined && UNAUTHORIZED_KINDS.has(kind)) || (kind === undefined && error["code"] === -32001)) {
    return new Unauthorized(error["code"], message, data);
  }
  const cls = (kind !== undefined && BY_KIND[kind]) || GatewayError;
  return new cls(error["code"], message, data);
}
