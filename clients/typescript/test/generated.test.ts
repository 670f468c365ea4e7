/** Generated code: fresh against the schema, every definition exported, a typed wrapper for every registry method. */

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import ts from "typescript";

import { Client, EventStream, METHODS, NOTIFICATIONS } from "../src/index.js";
import { CLIENT, SCHEMA } from "./helpers.js";

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const GENERATED = join(CLIENT, "src", "generated");

interface Generator {
  generate: (dir: string) => Promise<string[]>;
}
const generator = async () =>
  (await import(pathToFileURL(join(CLIENT, "scripts", "generate.mjs")).href)) as Generator;

/** Files under `dir`, relative, sorted. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

/** How `committed` differs from `fresh`: files only generated (missing), only committed (extra), or different. */
function differences(fresh: string, committed: string): string[] {
  const want = files(fresh);
  const have = files(committed);
  const problems = [];
  for (const name of want) {
    if (!have.includes(name)) problems.push(`missing ${name}`);
    else if (readFileSync(join(fresh, name), "utf8") !== readFileSync(join(committed, name), "utf8")) {
      problems.push(`stale ${name}`);
    }
  }
  for (const name of have) if (!want.includes(name)) problems.push(`extra ${name}`);
  return problems;
}

function write(path: string, text: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Exported names of a module, as the compiler sees them. */
function exportsOf(path: string): string[] {
  const program = ts.createProgram([path], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ["node"],
    strict: true,
    noEmit: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  assert.deepEqual(diagnostics, [], path);
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(path)!);
  assert.ok(symbol, `${path} is not a module`);
  return checker.getExportsOfModule(symbol).map((s) => s.getName());
}

describe("generated code", () => {
  it("is fresh: regenerating gives exactly the committed files", async () => {
    const { generate } = await generator();
    const dir = mkdtempSync(join(tmpdir(), "metaapi-ts-gen-"));
    try {
      const written = (await generate(dir)).map((path) => path.slice(dir.length + 1)).sort();
      assert.deepEqual(written, files(dir));
      const problems = differences(dir, GENERATED);
      assert.deepEqual(problems, [], `${problems.join("; ")}: run \`npm run generate\` in clients/typescript and commit`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the freshness comparison catches a stale, a missing and an extra file", () => {
    const root = mkdtempSync(join(tmpdir(), "metaapi-ts-cmp-"));
    try {
      const fresh = join(root, "fresh");
      const committed = join(root, "committed");
      for (const dir of [fresh, committed]) {
        write(join(dir, "types.ts"), "same\n");
        write(join(dir, "types", "a.ts"), "a\n");
      }
      assert.deepEqual(differences(fresh, committed), []);
      write(join(committed, "types", "a.ts"), "edited\n");
      write(join(fresh, "types", "b.ts"), "b\n");
      write(join(committed, "types", "old.ts"), "old\n");
      assert.deepEqual(differences(fresh, committed), ["stale types/a.ts", "missing types/b.ts", "extra types/old.ts"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("generating deletes generated files it no longer writes and keeps other files", async () => {
    const { generate } = await generator();
    const dir = mkdtempSync(join(tmpdir(), "metaapi-ts-gen-"));
    try {
      const banner = readFileSync(join(GENERATED, "types.ts"), "utf8").split("\n")[0]!;
      write(join(dir, "types", "retired.ts"), `${banner}\nexport type Gone = 1;\n`);
      write(join(dir, "types", "notes.txt"), "hand-written\n");
      await generate(dir);
      assert.ok(!files(dir).includes(join("types", "retired.ts")));
      assert.equal(readFileSync(join(dir, "types", "notes.txt"), "utf8"), "hand-written\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exports every schema definition from the types index and the package", () => {
    const definitions = Object.keys(SCHEMA["$defs"] as object).sort();
    for (const path of [join(GENERATED, "types.ts"), join(CLIENT, "src", "index.ts")]) {
      const exported = new Set(exportsOf(path));
      assert.deepEqual(definitions.filter((name) => !exported.has(name)), [], `not exported from ${path}`);
    }
  });

  it("keeps every types module under the line limit", () => {
    const modules = files(join(GENERATED, "types"));
    assert.ok(modules.length > 1, "types.ts is split into modules");
    for (const name of modules) {
      const lines = readFileSync(join(GENERATED, "types", name), "utf8").split("\n").length - 1;
      assert.ok(lines <= 600, `types/${name} has ${lines} lines`);
    }
  });

  it("has a typed wrapper for every registry method", () => {
    const names = (SCHEMA["x-methods"] as { name: string; route: string }[]).map((m) => m.name);
    assert.deepEqual(Object.keys(METHODS).sort(), [...names].sort());
    for (const method of SCHEMA["x-methods"] as { name: string; route: string }[]) {
      const holder = method.route === "stream" ? EventStream.prototype : Client.prototype;
      assert.equal(typeof (holder as unknown as Record<string, unknown>)[camel(method.name)], "function", method.name);
    }
    assert.deepEqual([...NOTIFICATIONS].sort(), (SCHEMA["x-notifications"] as { name: string }[]).map((n) => n.name).sort());
  });
});
