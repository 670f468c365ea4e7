/** Generated code: fresh against the schema, and a typed wrapper for every method of the registry. */

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";

import { Client, EventStream, METHODS, NOTIFICATIONS } from "../src/index.js";
import { CLIENT, SCHEMA } from "./helpers.js";

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

describe("generated code", () => {
  it("is fresh: regenerating gives the committed files", async () => {
    const generator = (await import(pathToFileURL(join(CLIENT, "scripts", "generate.mjs")).href)) as {
      generate: (dir: string) => Promise<string[]>;
    };
    const dir = mkdtempSync(join(tmpdir(), "metaapi-ts-gen-"));
    try {
      const stale = [];
      for (const path of await generator.generate(dir)) {
        const committed = readFileSync(join(CLIENT, "src", "generated", basename(path)), "utf8");
        if (readFileSync(path, "utf8") !== committed) stale.push(basename(path));
      }
      assert.deepEqual(stale, [], `stale: ${stale.join(", ")}; run \`npm run generate\` in clients/typescript and commit`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
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
