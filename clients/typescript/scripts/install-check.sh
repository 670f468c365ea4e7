#!/usr/bin/env bash
# Installs this package as a user would, in clean directories outside the repository, and uses it from there:
#   1. npm install <folder>            (a copy of the folder without node_modules or dist, as in a fresh clone)
#   2. npm install <npm pack tarball>  (the tarball packed from such a copy)
# Each time: the ESM entry point imports under node, and a TypeScript file type-checks against the declarations.
# Prints "N passed, N failed"; exits non-zero when anything failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
step() {
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}

# The compiler that checks the consumer's file (the consumer itself installs no TypeScript).
(cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || { echo "0 passed, 1 failed"; exit 1; }
tsc="$here/node_modules/typescript/bin/tsc"

fresh_copy() {
    mkdir -p "$1"
    tar -C "$here" --exclude=./node_modules --exclude=./dist -cf - . | tar -C "$1" -xf -
}

consumer() {
    local dir=$1 spec=$2
    mkdir -p "$dir"
    (cd "$dir" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "$spec") || return 1
    cat >"$dir/use.mjs" <<'JS'
import { Client, METHODS, TradeRejected } from "@metaapi/gateway-client";
if (typeof Client !== "function" || typeof TradeRejected !== "function" || !("get_quote" in METHODS)) {
  throw new Error("the package's exports are missing");
}
JS
    cat >"$dir/use.ts" <<'TS'
import { Client, type Quote } from "@metaapi/gateway-client";
const client: Client = new Client("http://127.0.0.1:6000", "mat_example");
export const quote: Promise<Quote> = client.getQuote({ symbol: "EURUSD" });
// @ts-expect-error: the declarations are real, so a wrong param type is an error.
export const wrong = client.getQuote({ symbol: 42 });
TS
    cat >"$dir/tsconfig.json" <<'JSON'
{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022", "strict": true,
  "noEmit": true, "skipLibCheck": false, "types": [] }, "files": ["use.ts"] }
JSON
    (cd "$dir" && node use.mjs) && (cd "$dir" && node "$tsc" -p tsconfig.json)
}

fresh_copy "$work/folder"
step "npm install <folder> in a clean directory, then import and type-check it" consumer "$work/from-folder" "$work/folder"

fresh_copy "$work/packed"
if tarball=$(cd "$work/packed" && npm pack --silent --pack-destination "$work" 2>"$work/pack.log" | tail -1) \
    && [ -f "$work/$tarball" ]; then
    passed=$((passed + 1))
    echo "ok: npm pack builds dist on prepare ($tarball)"
    step "the tarball holds ESM and declarations" \
        bash -c "tar -tzf '$work/$tarball' | grep -q 'package/dist/src/index.js' && tar -tzf '$work/$tarball' | grep -q 'package/dist/src/index.d.ts'"
    step "npm install <tarball> in a clean directory, then import and type-check it" \
        consumer "$work/from-tarball" "$work/$tarball"
else
    cat "$work/pack.log"
    failed=$((failed + 1))
    echo "FAILED: npm pack"
fi

echo "typescript install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
