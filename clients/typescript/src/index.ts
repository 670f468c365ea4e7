/**
 * TypeScript client for the MetaAPI local gateway: JSON-RPC over `/rpc`, subscriptions over `/ws`.
 *
 * The wire types (`./generated/types/*.ts`, re-exported by `./generated/types.ts`) and the typed methods
 * (`./generated/methods.ts`) are generated from the protocol's JSON Schema with `npm run generate`.
 */

export { Client, newClientId, type ClientOptions, type RetryPolicy } from "./client.js";
export * from "./errors.js";
export { EventStream, type EventItem, type StreamItem, type StreamOptions } from "./stream.js";
export { METHODS, NOTIFICATIONS, type MethodMap, type MethodName, type MethodSpec, type NotificationMap } from "./generated/methods.js";
export type * from "./generated/types.js";
