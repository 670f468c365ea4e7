// Checks the generated schemas with validators that share no code with the Rust generator:
//
// 1. schemas/openrpc.json against the OpenRPC meta-schema (@open-rpc/schema-utils-js), then dereferenced;
// 2. schemas/protocol.schema.json compiled as JSON Schema 2020-12 (ajv);
// 3. every method and notification example validated against the OpenRPC document's own (draft-07) schemas;
// 4. every wire example in protocol/tests/it/examples.json validated against its $defs type: method params and
//    results through the x-methods table, notification params through x-notifications, and the link, console and
//    envelope examples under "types" by their $defs name.
//
// Run: cd tools/schema-check && npm ci --no-audit --no-fund && node validate.mjs
// Exits 1 naming every failure; ends with "N passed, M failed".

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import openrpcUtils from "@open-rpc/schema-utils-js";
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const { validateOpenRPCDocument, dereferenceDocument } = openrpcUtils;

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const paths = {
  openrpc: join(root, "schemas", "openrpc.json"),
  bundle: join(root, "schemas", "protocol.schema.json"),
  examples: join(root, "protocol", "tests", "it", "examples.json"),
};

let passed = 0;
const failures = [];

function pass() {
  passed += 1;
}

function fail(what, detail) {
  failures.push(`${what}: ${detail}`);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    console.error(`cannot read ${path}: ${error.message}`);
    process.exit(2);
  }
}

function describeAjvErrors(errors) {
  return (errors ?? [])
    .slice(0, 5)
    .map((error) => `${error.instancePath || "/"} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ""}`)
    .join("; ");
}

async function checkOpenRpc(document) {
  const result = validateOpenRPCDocument(document);
  if (result === true) {
    pass();
  } else {
    fail("schemas/openrpc.json is not a valid OpenRPC document", result.message ?? String(result));
    return;
  }
  try {
    // Dereferencing mutates; work on a copy so later checks see the document as committed.
    const dereferenced = await dereferenceDocument(structuredClone(document));
    const unresolved = JSON.stringify(dereferenced.methods, (key, value) =>
      key === "$ref" && typeof value === "string" ? `UNRESOLVED ${value}` : value,
    ).match(/UNRESOLVED [^"]+/);
    if (unresolved) {
      fail("schemas/openrpc.json dereferencing", `left ${unresolved[0]}`);
    } else {
      pass();
    }
  } catch (error) {
    fail("schemas/openrpc.json cannot be dereferenced", error.message ?? String(error));
  }
  // Notifications live in x-notifications: OpenRPC has no place for them, and generators fail on a method
  // without a result.
  for (const method of document.methods) {
    if ("result" in method) {
      pass();
    } else {
      fail(`openrpc method ${method.name}`, "a method has no result");
    }
    const params = method.params ?? [];
    const firstOptional = params.findIndex((descriptor) => !descriptor.required);
    if (firstOptional >= 0 && params.slice(firstOptional).some((descriptor) => descriptor.required)) {
      fail(`openrpc method ${method.name}`, "a required param follows an optional one");
    } else {
      pass();
    }
  }
  for (const notification of document["x-notifications"] ?? []) {
    if ("result" in notification) {
      fail(`openrpc notification ${notification.name}`, "a notification has a result");
    } else {
      pass();
    }
  }
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    if (typeof schema.title === "string" && schema.title.length > 0) {
      pass();
    } else {
      fail(`openrpc components.schemas.${name}`, "has no title (generators would name its type by hash)");
    }
  }
}

function compileBundle(bundle) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  knowFormats(ajv);
  ajv.addKeyword({ keyword: "x-methods", schemaType: "array" });
  ajv.addKeyword({ keyword: "x-notifications", schemaType: "array" });
  try {
    ajv.addSchema(bundle);
    // Compiling the root compiles every $defs entry it reaches; compile each one on its own too so that a definition
    // no method reaches is still checked.
    ajv.getSchema(bundle.$id);
    for (const name of Object.keys(bundle.$defs)) {
      ajv.getSchema(`${bundle.$id}#/$defs/${name}`);
    }
    pass();
  } catch (error) {
    fail("schemas/protocol.schema.json does not compile as JSON Schema 2020-12", error.message);
    return null;
  }
  return ajv;
}

function validatorFor(ajv, bundle, ref, what) {
  const prefix = "#/$defs/";
  if (typeof ref !== "string" || !ref.startsWith(prefix)) {
    fail(what, `expected a $ref into $defs, found ${JSON.stringify(ref)}`);
    return null;
  }
  const name = ref.slice(prefix.length);
  if (!(name in bundle.$defs)) {
    fail(what, `${ref} does not exist`);
    return null;
  }
  return ajv.getSchema(`${bundle.$id}${ref}`);
}

function validateExample(validate, value, what) {
  if (!validate) {
    return;
  }
  if (value === undefined) {
    fail(what, "no example");
  } else if (validate(value)) {
    pass();
  } else {
    fail(what, describeAjvErrors(validate.errors));
  }
}

function checkExamples(ajv, bundle, examples) {
  const methods = new Map(bundle["x-methods"].map((entry) => [entry.name, entry]));
  const notifications = new Map(bundle["x-notifications"].map((entry) => [entry.name, entry]));

  for (const [name, entry] of methods) {
    const example = examples.methods?.[name];
    for (const member of ["params", "result"]) {
      const what = `${name} ${member}`;
      validateExample(validatorFor(ajv, bundle, entry[member]?.$ref, what), example?.[member], what);
    }
  }
  for (const name of Object.keys(examples.methods ?? {})) {
    if (!methods.has(name)) {
      fail(`examples.json methods.${name}`, "no such method in x-methods");
    }
  }

  for (const [name, entry] of notifications) {
    const what = `notification ${name} params`;
    validateExample(validatorFor(ajv, bundle, entry.params?.$ref, what), examples.notifications?.[name]?.params, what);
  }
  for (const name of Object.keys(examples.notifications ?? {})) {
    if (!notifications.has(name)) {
      fail(`examples.json notifications.${name}`, "no such notification in x-notifications");
    }
  }

  for (const [name, literals] of Object.entries(examples.types ?? {})) {
    const validate = validatorFor(ajv, bundle, `#/$defs/${name}`, `types.${name}`);
    literals.forEach((literal, index) => validateExample(validate, literal, `types.${name}[${index}]`));
  }
}

const INTEGER_FORMATS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "uint", "double", "float"];

function knowFormats(ajv) {
  addFormats(ajv);
  // schemars writes these formats for Rust integers and floats; they are annotations backed by the ranges next to
  // them, so ajv only needs to know the names.
  for (const format of INTEGER_FORMATS) {
    ajv.addFormat(format, true);
  }
}

// The OpenRPC document carries its own draft-07 copy of every schema; the examples must agree with it as well.
const COMPONENTS_ID = "urn:metaapi:openrpc-components";

function checkExamplesAgainstOpenRpc(document, examples) {
  const ajv = new Ajv({ allErrors: true, strict: true });
  knowFormats(ajv);
  try {
    ajv.addSchema({ $id: COMPONENTS_ID, definitions: rebase(document.components.schemas) });
    ajv.getSchema(COMPONENTS_ID);
    pass();
  } catch (error) {
    fail("schemas/openrpc.json component schemas do not compile as draft-07", error.message);
    return;
  }
  let wrappers = 0;
  const compile = (schema, what) => {
    try {
      wrappers += 1;
      return ajv.compile({ $id: `urn:metaapi:check:${wrappers}`, ...rebase(schema) });
    } catch (error) {
      fail(what, `schema does not compile: ${error.message}`);
      return null;
    }
  };
  const notificationNames = new Set((document["x-notifications"] ?? []).map((entry) => entry.name));
  for (const method of [...document.methods, ...(document["x-notifications"] ?? [])]) {
    const isNotification = notificationNames.has(method.name);
    const example = isNotification ? examples.notifications?.[method.name] : examples.methods?.[method.name];
    const what = `openrpc ${method.name}`;
    if (!example) {
      fail(what, "no example");
      continue;
    }
    const params = example.params ?? {};
    const described = new Set(method.params.map((descriptor) => descriptor.name));
    for (const member of Object.keys(params)) {
      if (!described.has(member)) {
        fail(`${what} params`, `example member ${member} is not a described param`);
      }
    }
    for (const descriptor of method.params) {
      const where = `${what} params.${descriptor.name}`;
      const value = params[descriptor.name];
      if (value !== undefined) {
        validateExample(compile(descriptor.schema, where), value, where);
      } else if (descriptor.required) {
        fail(where, "required but missing from the example");
      }
    }
    if (!isNotification) {
      validateExample(compile(method.result.schema, `${what} result`), example.result, `${what} result`);
    }
  }
}

// Points the document's refs ("#/components/schemas/X") at the registered components schema.
function rebase(schema) {
  const prefix = "#/components/schemas/";
  return JSON.parse(
    JSON.stringify(schema, (key, value) =>
      key === "$ref" && typeof value === "string" && value.startsWith(prefix)
        ? `${COMPONENTS_ID}#/definitions/${value.slice(prefix.length)}`
        : value,
    ),
  );
}

// Guards the guard: a validator that accepts anything would make every check above pass.
function checkValidatorsReject(ajv, bundle) {
  const quote = ajv.getSchema(`${bundle.$id}#/$defs/Quote`);
  const ticket = ajv.getSchema(`${bundle.$id}#/$defs/TicketParams`);
  const bad = [
    [quote, { symbol: "EURUSD", bid: "1.08512", ask: 1.08518, time: 1718099535123, broker_time: "" }],
    [ticket, { ticket: 1409873311 }],
    [ticket, { ticket: "1409873311", extra: true }],
  ];
  for (const [validate, value] of bad) {
    if (validate && !validate(value)) {
      pass();
    } else {
      fail("self-check", `the bundle accepted an invalid value ${JSON.stringify(value)}`);
    }
  }
}

const openrpc = readJson(paths.openrpc);
const bundle = readJson(paths.bundle);
const examples = readJson(paths.examples);

await checkOpenRpc(openrpc);
checkExamplesAgainstOpenRpc(openrpc, examples);
const ajv = compileBundle(bundle);
if (ajv) {
  checkExamples(ajv, bundle, examples);
  checkValidatorsReject(ajv, bundle);
}

for (const failure of failures) {
  console.error(`FAIL ${failure}`);
}
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
