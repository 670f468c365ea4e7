/** The rules that split the generated types into modules (scripts/type-modules.mjs), on small hand-made inputs. */

import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";

import { CLIENT } from "./helpers.js";

interface ModuleSpec {
  name: string;
  doc: string;
  names?: string[];
  categories?: string[];
  notifications?: boolean;
}
interface Bundle {
  "x-methods": { name: string; category: string; params: { $ref: string }; result: { $ref: string } }[];
  "x-notifications": { name: string; params: { $ref: string } }[];
}
interface Options {
  modules?: ModuleSpec[];
  fallback?: string;
  maxLines?: number;
}
interface TypeModules {
  MODULES: ModuleSpec[];
  splitTypes: (source: string, bundle: Bundle, header: string, options?: Options) => {
    index: string;
    modules: Map<string, string>;
  };
}
const load = async () => (await import(pathToFileURL(join(CLIENT, "scripts", "type-modules.mjs")).href)) as TypeModules;

const HEADER = "// banner\n";
const ref = (name: string) => ({ $ref: `#/$defs/${name}` });
const method = (name: string, category: string, params: string, result: string) => ({
  name,
  category,
  params: ref(params),
  result: ref(result),
});

// Quote and QuoteNotice share Price; Order is used by the account only; Lonely is used by nobody.
const SOURCE = `${HEADER}
export type Side = "buy" | "sell";
export interface Price {
  value: number;
}
export interface Quote {
  bid: Price;
}
export interface Order {
  side: Side;
  price: Price;
}
export interface OrderList {
  orders: Order[];
}
export interface QuoteNotice {
  data: Quote;
  at: Price;
}
export interface NoParams {}
export interface Lonely {
  x: number;
}
`;
const BUNDLE: Bundle = {
  "x-methods": [method("get_quote", "market", "NoParams", "Quote"), method("get_orders", "orders", "NoParams", "OrderList")],
  "x-notifications": [{ name: "quote", params: ref("QuoteNotice") }],
};
const MODULES: ModuleSpec[] = [
  { name: "common", doc: "Common.", names: ["NoParams"] },
  { name: "market", doc: "Market.", categories: ["market"] },
  { name: "orders", doc: "Orders.", categories: ["orders"] },
  { name: "streams", doc: "Streams.", notifications: true },
];

const exportsIn = (text: string) => [...text.matchAll(/^export (?:type|interface) (\w+)/gm)].map((m) => m[1]);

describe("type modules", () => {
  it("places each type by the table, its methods, its referrers or the default module", async () => {
    const { splitTypes } = await load();
    const { index, modules } = splitTypes(SOURCE, BUNDLE, HEADER, { modules: MODULES });
    assert.deepEqual([...modules.keys()], ["common", "market", "orders", "streams"]);
    assert.deepEqual(exportsIn(modules.get("common")!), ["Price", "NoParams", "Lonely"]);
    assert.deepEqual(exportsIn(modules.get("market")!), ["Quote"]);
    assert.deepEqual(exportsIn(modules.get("orders")!), ["Side", "Order", "OrderList"]);
    assert.deepEqual(exportsIn(modules.get("streams")!), ["QuoteNotice"]);
    assert.match(modules.get("streams")!, /^import type \{\n {2}Price,\n\} from "\.\/common\.js";$/m);
    assert.match(modules.get("streams")!, /^import type \{\n {2}Quote,\n\} from "\.\/market\.js";$/m);
    assert.ok(modules.get("orders")!.startsWith(`${HEADER}// Orders.\n`));
    assert.equal(
      index,
      `${HEADER}// Every generated wire type, re-exported from the modules of ./types/ (see scripts/type-modules.mjs).\n\n` +
        ["common", "market", "orders", "streams"].map((m) => `export type * from "./types/${m}.js";\n`).join(""),
    );
  });

  it("rejects a table name the schema does not define", async () => {
    const { splitTypes } = await load();
    const modules = [{ ...MODULES[0]!, names: ["NoParams", "Missing"] }, ...MODULES.slice(1)];
    assert.throws(() => splitTypes(SOURCE, BUNDLE, HEADER, { modules }), /"Missing" \(module common\) is not a type/);
  });

  it("rejects a method whose params or result the schema does not define", async () => {
    const { splitTypes } = await load();
    const bundle = { ...BUNDLE, "x-methods": [...BUNDLE["x-methods"], method("get_book", "market", "NoParams", "Book")] };
    assert.throws(() => splitTypes(SOURCE, bundle, HEADER, { modules: MODULES }), /method get_book uses Book/);
  });

  it("rejects a reference to a type nothing declares", async () => {
    const { splitTypes } = await load();
    const source = `${SOURCE}export interface Broken {\n  x: Nowhere;\n}\n`;
    assert.throws(() => splitTypes(source, BUNDLE, HEADER, { modules: MODULES }), /Broken refers to Nowhere/);
  });

  it("rejects a type claimed by methods of two modules unless the table names it", async () => {
    const { splitTypes } = await load();
    const modules = MODULES.map((m) => (m.name === "common" ? { ...m, names: [] } : m));
    assert.throws(() => splitTypes(SOURCE, BUNDLE, HEADER, { modules }), /NoParams is claimed by market .*, orders/);
  });

  it("rejects a category no method has, and a name listed twice", async () => {
    const { splitTypes } = await load();
    const stale = [...MODULES, { name: "extra", doc: "Extra.", categories: ["gone"] }];
    assert.throws(() => splitTypes(SOURCE, BUNDLE, HEADER, { modules: stale }), /no method has category "gone"/);
    const twice = [...MODULES, { name: "extra", doc: "Extra.", names: ["NoParams"] }];
    assert.throws(() => splitTypes(SOURCE, BUNDLE, HEADER, { modules: twice }), /"NoParams" is listed by both common and extra/);
  });

  it("rejects an import cycle between modules", async () => {
    const { splitTypes } = await load();
    // Order (orders) uses Side, listed in market; QuoteWithOrder, listed in market, uses Order.
    const source = `${SOURCE}export interface QuoteWithOrder {\n  order: Order;\n}\n`;
    const modules = MODULES.map((m) =>
      m.name === "market" ? { ...m, names: ["Side", "QuoteWithOrder"] } : m.name === "orders" ? { ...m, names: ["Order"] } : m,
    );
    assert.throws(() => splitTypes(source, BUNDLE, HEADER, { modules }), /import cycle market -> orders -> market;/);
  });

  it("rejects a module over the line limit", async () => {
    const { splitTypes } = await load();
    assert.throws(() => splitTypes(SOURCE, BUNDLE, HEADER, { modules: MODULES, maxLines: 8 }), /common\.ts has \d+ lines \(limit 8\)/);
  });

  it("rejects a default module that is not in the table", async () => {
    const { splitTypes } = await load();
    assert.throws(() => splitTypes(SOURCE, BUNDLE, HEADER, { modules: MODULES, fallback: "misc" }), /default module "misc"/);
  });

  it("the real table names every module once", async () => {
    const { MODULES: real } = await load();
    const names = real.map((m) => m.name);
    assert.deepEqual([...new Set(names)], names);
  });
});
