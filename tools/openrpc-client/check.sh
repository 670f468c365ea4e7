#!/usr/bin/env bash
# Feeds schemas/openrpc.json to the tools people use with OpenRPC, pinned in package-lock.json:
#   1. @open-rpc/generator generates a TypeScript client, and tsc --noEmit compiles it (strict, as generated);
#   2. @open-rpc/client-js calls the demo gateway (target/debug/metaapi-gateway demo, its gateway and console on free
#      ports), see call.mjs.
# Prints "N passed, N failed"; exits non-zero when anything failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

passed=0
failed=0
step() {
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}

npm ci --no-audit --no-fund --loglevel=error || { echo "0 passed, 1 failed"; exit 1; }

rm -rf out
step "@open-rpc/generator generates a TypeScript client" \
    npx --no-install open-rpc-generator generate -d "${OPENRPC_DOCUMENT:-$root/schemas/openrpc.json}" -o out -t client -l typescript \
    -n metaapi-openrpc-client
# The generated tsconfig is used as generated; its dependencies resolve from this folder's node_modules.
step "tsc --noEmit compiles the generated client" \
    npx --no-install tsc --noEmit -p out/client/typescript/tsconfig.json

document=${OPENRPC_DOCUMENT:-$root/schemas/openrpc.json}
binary=${METAAPI_GATEWAY_BIN:-$root/target/debug/metaapi-gateway}
if [ -x "$binary" ]; then
    data=$(mktemp -d)
    "$binary" demo --listen 127.0.0.1:0 --console-listen 127.0.0.1:0 --data-dir "$data/data" --ready-file "$data/ready.json" >"$data/demo.log" 2>&1 &
    demo=$!
    for _ in $(seq 1 600); do
        [ -s "$data/ready.json" ] && break
        kill -0 "$demo" 2>/dev/null || break
        sleep 0.1
    done
    if [ -s "$data/ready.json" ]; then
        step "@open-rpc/client-js calls the demo" node call.mjs "$data/ready.json" "$document"
    else
        tail -20 "$data/demo.log"
        step "the demo gateway starts" false
    fi
    kill "$demo" 2>/dev/null
    wait "$demo" 2>/dev/null
    rm -rf "$data"
else
    step "the demo binary exists at $binary (cargo build -p metaapi-gateway)" false
fi

echo "openrpc-client: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
