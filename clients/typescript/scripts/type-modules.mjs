// Splits the one file json-schema-to-typescript makes of the schema into modules by meaning.
//
// Every top-level declaration goes to exactly one module, by the first rule that claims it:
//   1. its name is listed in a module's `names`;
//   2. it is the params or result of a method whose `category` a module lists in `categories`, or the params of a
//      notification when the module has `notifications: true` (claims from two different modules are an error:
//      settle them in `names`);
//   3. every declaration that refers to it sits in one module: it joins that module (repeated until nothing moves);
//   4. otherwise (used by several modules, or by none) it goes to the default module.
// A module imports what it uses from the others with `import type`. A name in the table that the schema lacks, a
// reference to a type nothing declares, an import cycle or a module over the line limit stops generation.

import ts from "typescript";

/** The modules of src/generated/types/, in the order the index re-exports them. */
export const MODULES = [
  {
    name: "common",
    doc: "Shared by several areas: the platform, sides and order enums, errors, and the JSON-RPC envelopes.",
    names: ["NoParams", "ErrorCode", "ErrorKind", "ErrorData", "ErrorObject", "Request", "Response", "Response1"],
  },
  {
    name: "gateway",
    doc: "The gateway, the token and the attached terminal: `ping`, `get_gateway_info`, `get_terminal_info`, ...",
    categories: ["session"],
    names: ["TerminalIdentity", "Capability"],
  },
  {
    name: "symbols",
    doc: "Symbols: the list, their specifications and trading sessions, and selecting one into the terminal.",
    names: ["GetSymbolsParams", "SymbolList", "SymbolSpec", "SelectSymbolParams", "SymbolSelection", "SymbolParams"],
  },
  {
    name: "market",
    doc: "Market data: quotes, candles, ticks and the depth of market.",
    categories: ["market"],
    names: ["Candle", "Tick", "Timeframe"],
  },
  {
    name: "account",
    doc: "The trading account, its open positions and pending orders, and its order and deal history.",
    categories: ["account", "positions", "history"],
    names: ["Deal"],
  },
  {
    name: "trading",
    doc: "Trading calls and the calculations that preview them, with their results and records.",
    categories: ["calculations", "trading"],
  },
  {
    name: "streams",
    doc: "Subscriptions over `/ws`, snapshots, and the params of every notification.",
    categories: ["streaming"],
    notifications: true,
  },
  {
    name: "console",
    doc: "The console API (`/api/v1/...`): account, devices, tokens, verification and revocation events.",
    names: [
      "AccountStatus",
      "ConsoleError",
      "CreateTokenRequest",
      "CreatedToken",
      "DeviceList",
      "PresenceReport",
      "RevocationEvent",
      "SignInRequest",
      "TokenList",
      "UpdateAccountRequest",
      "Verdict",
      "VerifyRequest",
      "DenyReason",
    ],
  },
  {
    name: "link",
    doc: "The link between the gateway and the bridge DLL inside the terminal.",
    names: ["BridgeMessage", "GatewayMessage"],
  },
];

/** Where declarations that no rule places go. */
export const DEFAULT_MODULE = "common";

/** A module may not pass this many lines (the style rule's ~600). */
export const MAX_LINES = 600;

// Global types json2ts may use; a reference to anything else must be declared by the schema.
const GLOBALS = new Set(["Array", "Record", "Partial", "Readonly", "ReadonlyArray"]);

const refName = (ref) => ref.$ref.split("/").pop();

/** The top-level declarations of `body` (json2ts output without its banner): name, text, names it refers to. */
export function declarations(body) {
  const file = ts.createSourceFile("types.ts", body, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  for (const statement of file.statements) {
    if (!ts.isTypeAliasDeclaration(statement) && !ts.isInterfaceDeclaration(statement)) {
      throw new Error(`generated types: unexpected ${ts.SyntaxKind[statement.kind]} at top level`);
    }
    const uses = new Set();
    const visit = (node) => {
      if (ts.isTypeReferenceNode(node)) {
        if (!ts.isIdentifier(node.typeName)) throw new Error(`generated types: qualified name in ${statement.name.text}`);
        uses.add(node.typeName.text);
      } else if (ts.isExpressionWithTypeArguments(node) && ts.isIdentifier(node.expression)) {
        uses.add(node.expression.text);
      }
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(statement, visit);
    uses.delete(statement.name.text);
    found.push({ name: statement.name.text, text: body.slice(statement.getFullStart(), statement.getEnd()).trim(), uses });
  }
  return found;
}

/** Module of every declaration, by the rules at the top of this file. */
export function assign(decls, bundle, modules = MODULES, fallback = DEFAULT_MODULE) {
  const byName = new Map(decls.map((d) => [d.name, d]));
  const moduleNames = new Set(modules.map((m) => m.name));
  if (!moduleNames.has(fallback)) throw new Error(`type modules: the default module "${fallback}" is not in the table`);
  for (const d of decls) {
    for (const used of d.uses) {
      if (!byName.has(used) && !GLOBALS.has(used)) throw new Error(`type modules: ${d.name} refers to ${used}, which nothing declares`);
    }
  }

  const home = new Map();
  for (const m of modules) {
    for (const name of m.names ?? []) {
      if (!byName.has(name)) throw new Error(`type modules: "${name}" (module ${m.name}) is not a type of the schema`);
      if (home.has(name)) throw new Error(`type modules: "${name}" is listed by both ${home.get(name)} and ${m.name}`);
      home.set(name, m.name);
    }
  }

  const claims = new Map();
  const claim = (name, module, why) => {
    if (home.has(name)) return;
    if (!byName.has(name)) throw new Error(`type modules: ${why} uses ${name}, which the schema does not define`);
    const entry = claims.get(name) ?? new Map();
    entry.set(module, why);
    claims.set(name, entry);
  };
  const categories = new Set(bundle["x-methods"].map((m) => m.category));
  for (const m of modules) {
    for (const category of m.categories ?? []) {
      if (!categories.has(category)) throw new Error(`type modules: no method has category "${category}" (module ${m.name})`);
    }
  }
  for (const method of bundle["x-methods"]) {
    const owner = modules.find((m) => (m.categories ?? []).includes(method.category));
    if (!owner) continue;
    claim(refName(method.params), owner.name, `method ${method.name}`);
    claim(refName(method.result), owner.name, `method ${method.name}`);
  }
  const notices = modules.filter((m) => m.notifications);
  if (notices.length > 1) throw new Error(`type modules: notifications claimed by ${notices.map((m) => m.name).join(" and ")}`);
  for (const notification of notices.length ? bundle["x-notifications"] : []) {
    claim(refName(notification.params), notices[0].name, `notification ${notification.name}`);
  }
  for (const [name, entry] of claims) {
    if (entry.size > 1) {
      const who = [...entry].map(([module, why]) => `${module} (${why})`).join(", ");
      throw new Error(`type modules: ${name} is claimed by ${who}; list it in one module's names`);
    }
    home.set(name, [...entry.keys()][0]);
  }

  const referrers = new Map(decls.map((d) => [d.name, []]));
  for (const d of decls) for (const used of d.uses) referrers.get(used)?.push(d.name);
  for (let moved = true; moved; ) {
    moved = false;
    for (const d of decls) {
      if (home.has(d.name)) continue;
      const users = referrers.get(d.name);
      if (users.length === 0 || !users.every((user) => home.has(user))) continue;
      const places = new Set(users.map((user) => home.get(user)));
      home.set(d.name, places.size === 1 ? [...places][0] : fallback);
      moved = true;
    }
  }
  for (const d of decls) if (!home.has(d.name)) home.set(d.name, fallback);
  return home;
}

/** The first import cycle among modules (["a", "b", "a"]), or null. */
export function findCycle(imports) {
  const state = new Map();
  const path = [];
  const visit = (module) => {
    state.set(module, "open");
    path.push(module);
    for (const next of [...(imports.get(module) ?? [])].sort()) {
      if (state.get(next) === "open") return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(module, "done");
    return null;
  };
  for (const module of [...imports.keys()].sort()) {
    if (!state.has(module)) {
      const cycle = visit(module);
      if (cycle) return cycle;
    }
  }
  return null;
}

/**
 * Splits json2ts output (`source`, starting with `header`) into `{ index, modules }`: the text of the index
 * (types.ts) and of each module (types/<name>.ts), keyed by module name.
 */
export function splitTypes(source, bundle, header, options = {}) {
  const modules = options.modules ?? MODULES;
  const fallback = options.fallback ?? DEFAULT_MODULE;
  const maxLines = options.maxLines ?? MAX_LINES;
  if (!source.startsWith(header)) throw new Error("generated types: the banner is missing");
  const decls = declarations(source.slice(header.length));
  const home = assign(decls, bundle, modules, fallback);

  const imports = new Map(modules.map((m) => [m.name, new Map()]));
  for (const d of decls) {
    const here = home.get(d.name);
    for (const used of d.uses) {
      const there = home.get(used);
      if (there === undefined || there === here) continue;
      const names = imports.get(here).get(there) ?? new Set();
      names.add(used);
      imports.get(here).set(there, names);
    }
  }
  const cycle = findCycle(new Map([...imports].map(([module, from]) => [module, new Set(from.keys())])));
  if (cycle) throw new Error(`type modules: import cycle ${cycle.join(" -> ")}; move definitions in the table`);

  const texts = new Map();
  for (const m of modules) {
    const own = decls.filter((d) => home.get(d.name) === m.name);
    if (own.length === 0) continue;
    const out = [header, `// ${m.doc}\n`];
    const from = imports.get(m.name);
    if (from.size > 0) out.push("\n");
    for (const other of modules.map((o) => o.name).filter((name) => from.has(name))) {
      const names = [...from.get(other)].sort();
      out.push(`import type {\n${names.map((name) => `  ${name},\n`).join("")}} from "./${other}.js";\n`);
    }
    out.push("\n", own.map((d) => d.text).join("\n"), "\n");
    const text = out.join("");
    const lines = text.split("\n").length - 1;
    if (lines > maxLines) {
      throw new Error(`type modules: ${m.name}.ts has ${lines} lines (limit ${maxLines}); move definitions in the table`);
    }
    texts.set(m.name, text);
  }
  const index = [
    header,
    "// Every generated wire type, re-exported from the modules of ./types/ (see scripts/type-modules.mjs).\n\n",
    ...[...texts.keys()].map((name) => `export type * from "./types/${name}.js";\n`),
  ].join("");
  return { index, modules: texts };
}
