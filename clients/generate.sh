#!/usr/bin/env bash
# Regenerates both clients' generated code from schemas/protocol.schema.json (run after `cargo xtask codegen`).
# Python: clients/python/scripts/generate.py (datamodel-code-generator, pinned in requirements-dev.txt).
# TypeScript: `npm run generate` in clients/typescript (json-schema-to-typescript, pinned in package-lock.json).
set -euo pipefail
cd "$(dirname "$0")"

venv=python/.venv
if [ ! -x "$venv/bin/python" ]; then
    python3.11 -m venv "$venv" 2>/dev/null || python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r python/requirements-dev.txt
"$venv/bin/python" python/scripts/generate.py

(cd typescript && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent generate)
