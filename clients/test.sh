#!/usr/bin/env bash
# Tests both clients: pytest for clients/python, node's test runner for clients/typescript.
# Installs what each suite needs (a venv in clients/python/.venv from the exact pins, node_modules by `npm ci`).
# The live-gateway tests start target/debug/metaapi-gateway's `demo` and skip, loudly, while it is missing.
# A suite whose toolchain is missing prints SKIPPED; a suite that runs and fails makes the script exit non-zero.
set -uo pipefail
cd "$(dirname "$0")"

failed=()
skipped=()
passed_total=0
failed_total=0

skip() { skipped+=("$1"); printf '\n!!!! SKIPPED clients/%s: %s !!!!\n\n' "$1" "$2"; }

python_suite() {
    local py
    py=$(command -v python3.11 || command -v python3) || return 2
    "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || return 2
    local venv=python/.venv
    if [ ! -x "$venv/bin/python" ]; then
        "$py" -m venv "$venv" || return 1
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r python/requirements-dev.txt || return 1
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -e python || return 1
    # The MetaTrader5 shim as users install it (a real, non-editable install), and the third-party libraries built
    # on MetaTrader5 that run through it (--no-deps: they name MetaQuotes' Windows-only distribution).
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall ./python/metatrader5 \
        || return 1
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r python/requirements-compat.txt || return 1
    (cd python && ../"$venv"/bin/python -m pytest -rs -p no:cacheprovider tests)
}

typescript_suite() {
    (cd typescript && npm ci --no-audit --no-fund --loglevel=error && npm test)
}

run() {
    local name=$1 fn=$2 log
    log=$(mktemp)
    printf '\n==== clients/%s ====\n' "$name"
    "$fn" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    local p f
    if [ "$name" = python ]; then
        p=$(grep -Eo '[0-9]+ passed' "$log" | tail -1 | grep -Eo '[0-9]+')
        f=$(grep -Eo '[0-9]+ failed' "$log" | tail -1 | grep -Eo '[0-9]+')
    else
        p=$(grep -E '^# pass [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+')
        f=$(grep -E '^# fail [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+')
    fi
    passed_total=$((passed_total + ${p:-0}))
    failed_total=$((failed_total + ${f:-0}))
    if grep -q 'LIVE GATEWAY TESTS SKIPPED' "$log"; then
        printf '\n!!!! clients/%s: the live demo gateway tests were SKIPPED (see the reason above) !!!!\n' "$name"
    fi
    rm -f "$log"
    if [ "$status" -eq 2 ] && [ "$name" = python ]; then
        skip python "Python 3.11 or newer is not installed"
    elif [ "$status" -ne 0 ]; then
        failed+=("$name")
    fi
}

if command -v python3.11 >/dev/null || command -v python3 >/dev/null; then
    run python python_suite
else
    skip python "python3 is not installed"
fi

if command -v node >/dev/null && command -v npm >/dev/null; then
    if node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
        run typescript typescript_suite
    else
        skip typescript "Node.js 20 or newer is needed, found $(node --version)"
    fi
else
    skip typescript "node and npm are not installed"
fi

printf '\n==== clients summary ====\n'
[ ${#skipped[@]} -gt 0 ] && echo "skipped suites: ${skipped[*]}"
echo "clients: $passed_total passed, $failed_total failed"
if [ ${#failed[@]} -gt 0 ]; then
    echo "failed suites: ${failed[*]}"
    exit 1
fi
