#!/usr/bin/env bash
# The whole test suite: every stage the project has, installing what each stage needs.
# Usage: ./test.sh            (CI calls exactly this through .ci/run)
# A stage that cannot run says SKIPPED and why, loudly; a stage that runs and fails fails the whole script.
set -uo pipefail
cd "$(dirname "$0")"

out=test-output
mkdir -p "$out"
failed_stages=()
skipped_stages=()
stage_times=()
total_passed=0
total_failed=0

banner() { printf '\n==== %s ====\n' "$*"; }
skip() { skipped_stages+=("$1"); printf '\n!!!! SKIPPED stage %s: %s !!!!\n\n' "$1" "$2"; }

# Adds a stage's counts to the totals: cargo's "test result:" lines for the Rust stage, otherwise the stage's own
# closing "N passed, N failed" line (so inner runners such as pytest are not counted twice).
count() {
    local log=$1
    local p f
    if grep -q '^test result:' "$log"; then
        p=$(grep '^test result:' "$log" | grep -Eo '[0-9]+ passed' | awk '{s += $1} END {print s + 0}')
        f=$(grep '^test result:' "$log" | grep -Eo '[0-9]+ failed' | awk '{s += $1} END {print s + 0}')
    else
        local line
        line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
        p=$(echo "$line" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)
        f=$(echo "$line" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+' || echo 0)
    fi
    total_passed=$((total_passed + ${p:-0}))
    total_failed=$((total_failed + ${f:-0}))
}

# Runs one stage; exit code 77 means the stage skipped itself (it already said why).
run_stage() {
    local name=$1
    shift
    banner "$name"
    local log="$out/$name.log"
    local started=$SECONDS
    "$@" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    # Kept for the summary: the whole run has a time budget, and this shows which stage spends it.
    stage_times+=("$name $((SECONDS - started)) s")
    count "$log"
    if [ "$status" -eq 77 ]; then
        skipped_stages+=("$name")
    elif [ "$status" -ne 0 ]; then
        failed_stages+=("$name")
    fi
}

# Installs Debian packages the suite runs (programs the tests start); says loudly what it could not install.
ensure_packages() {
    local missing=() program package
    for pair in "$@"; do
        program=${pair%%:*}
        package=${pair#*:}
        command -v "$program" >/dev/null || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo_cmd=""
    [ "$(id -u)" != 0 ] && command -v sudo >/dev/null && sudo_cmd="sudo -n"
    echo "installing ${missing[*]} with apt-get"
    if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq \
        --no-install-recommends "${missing[@]}"; } >"$out/apt.log" 2>&1; then
        printf '\n!!!! could not install %s (see %s/apt.log): the tests that run them will fail !!!!\n\n' \
            "${missing[*]}" "$out"
    fi
}

# A C++ compiler (g++ 12 or clang): the build translates the shipped MQL programs to C++ and compiles them (mql/).
ensure_cxx() {
    if command -v c++ >/dev/null || command -v g++ >/dev/null; then return 0; fi
    ensure_packages g++:g++
    command -v g++ >/dev/null && return 0
    printf '\n!!!! no C++ compiler (c++ or g++) and apt-get could not install g++: the MQL runtime cannot be built, so every stage that builds the workspace fails !!!!\n\n'
}

stage_rust() {
    command -v cargo >/dev/null || { echo "cargo is required"; return 1; }
    cargo test --workspace --no-fail-fast
}

# Formatting, clippy and rustdoc, warnings as errors: style drift and broken doc links fail CI instead of piling up.
stage_lint() {
    local passed=0 failed=0
    if cargo fmt --all -- --check; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    if cargo clippy --workspace --all-targets --quiet -- -D warnings; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    if RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    echo "lint: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

stage_schemas() {
    (cd tools/schema-check && npm ci --no-audit --no-fund --loglevel=error && node validate.mjs)
}

# wrk: the benchmark harness's external load generator (its tests start it).
ensure_packages wrk:wrk
ensure_cxx

# Every test binds port 0. While the suite runs, a demo holds the default ports (gateway 6000, console 7000) when
# they are free, so a test that binds either fails here as it would on a machine where someone's demo runs; the
# "ports" stage at the end checks the demo held them throughout.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
holder_pid=
holder_dir=
stop_port_holder() {
    if [ -n "$holder_pid" ]; then
        kill "$holder_pid" 2>/dev/null
        wait "$holder_pid" 2>/dev/null
        holder_pid=
    fi
    [ -n "$holder_dir" ] && rm -rf "$holder_dir"
    holder_dir=
}
trap stop_port_holder EXIT
if port_in_use 6000 || port_in_use 7000; then
    echo "ports 6000/7000: already held by another process; the suite runs beside it"
elif cargo build --quiet -p metaapi-gateway; then
    holder_dir=$(mktemp -d)
    "${CARGO_TARGET_DIR:-$PWD/target}/debug/metaapi-gateway" demo --virtual-clock --data-dir "$holder_dir/data" \
        --ready-file "$holder_dir/ready.json" >"$out/port-holder.log" 2>&1 &
    holder_pid=$!
    for _ in $(seq 600); do
        [ -f "$holder_dir/ready.json" ] || ! kill -0 "$holder_pid" 2>/dev/null && break
        sleep 0.1
    done
    if [ -f "$holder_dir/ready.json" ]; then
        echo "ports 6000/7000: held by a demo (pid $holder_pid) while the suite runs"
    else
        echo "ports 6000/7000: the holding demo did not start (see $out/port-holder.log)"
        failed_stages+=("ports")
        stop_port_holder
    fi
fi

# Whether the demo that holds the default ports is still running and still has them.
stage_ports() {
    if [ -z "$holder_pid" ]; then
        echo "ports: no demo of this run held 6000/7000; nothing to check"
        echo "ports: 0 passed, 0 failed"
        return 0
    fi
    if kill -0 "$holder_pid" 2>/dev/null && port_in_use 6000 && port_in_use 7000; then
        echo "ports: the demo held 6000 and 7000 for the whole run"
        echo "ports: 1 passed, 0 failed"
    else
        echo "ports: the demo holding 6000/7000 stopped during the run (see $out/port-holder.log)"
        echo "ports: 0 passed, 1 failed"
        return 1
    fi
}

run_stage rust stage_rust
# The console suite again, on a real PostgreSQL the script starts and tears down (SKIPPED when none can be had).
run_stage console-postgres bash console/tests/with-postgres.sh
if cargo clippy --version >/dev/null 2>&1 && cargo fmt --version >/dev/null 2>&1; then
    run_stage lint stage_lint
else
    skip lint "cargo clippy or rustfmt is not installed with this toolchain"
fi

if [ -f tools/schema-check/package.json ]; then
    if command -v npm >/dev/null && command -v node >/dev/null; then
        run_stage schemas stage_schemas
    else
        skip schemas "node and npm are not installed, so the OpenRPC and JSON Schema validators cannot run"
    fi
fi

# The client and browser suites start the real binaries (the demo, the simulator): build them first.
if [ -f clients/test.sh ] || [ -f tests/browser/run.sh ]; then
    cargo build --quiet -p metaapi-gateway -p metaapi-terminal-sim || failed_stages+=("binaries")
    # The client suites find the demo here (cargo's output folder may be moved by CARGO_TARGET_DIR).
    export METAAPI_GATEWAY_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/metaapi-gateway"
fi

if [ -f clients/test.sh ]; then
    run_stage clients bash clients/test.sh
fi

# The TypeScript client installed as users install it: from its folder and from its npm pack tarball, each in a
# clean directory outside the repository.
if [ -f clients/typescript/scripts/install-check.sh ]; then
    if command -v npm >/dev/null && command -v node >/dev/null; then
        run_stage ts-install bash clients/typescript/scripts/install-check.sh
    else
        skip ts-install "node and npm are not installed"
    fi
fi

# schemas/openrpc.json through the OpenRPC project's own tools: @open-rpc/generator's TypeScript client compiled
# by tsc --noEmit, and @open-rpc/client-js calling the demo.
if [ -f tools/openrpc-client/check.sh ]; then
    if command -v npm >/dev/null && command -v node >/dev/null; then
        run_stage openrpc-client bash tools/openrpc-client/check.sh
    else
        skip openrpc-client "node and npm are not installed"
    fi
fi

if [ -f tests/browser/run.sh ]; then
    run_stage browser bash tests/browser/run.sh
fi

if [ -f bench/Cargo.toml ]; then
    # Smoke mode: a few seconds of every scenario so the harness cannot rot; it asserts no timings.
    # Debug build: smoke numbers mean nothing, and it reuses the test build instead of compiling everything again.
    run_stage bench cargo run --quiet -p metaapi-bench -- --smoke
fi

if [ -f bridge/windows/smoke.sh ]; then
    # The dev profile keeps the cross-builds within minutes on two cores; the exports and ABI are the same.
    run_stage windows env PROFILE=dev bash bridge/windows/smoke.sh
    # MT4's 32-bit DLL under 32-bit Wine, with the bundle the windows stage built.
    run_stage windows-i686 bash bridge/windows/wine32.sh
fi

if [ -f docs/check.sh ]; then
    run_stage docs bash docs/check.sh
fi

run_stage ports stage_ports
stop_port_holder

banner "summary"
printf 'stage times:'; printf ' %s;' "${stage_times[@]}"; printf ' total %s s\n' "$SECONDS"
[ ${#skipped_stages[@]} -gt 0 ] && echo "skipped stages: ${skipped_stages[*]}"
if [ ${#failed_stages[@]} -gt 0 ]; then
    echo "failed stages: ${failed_stages[*]}"
    echo "$total_passed passed, $total_failed failed"
    exit 1
fi
echo "all stages passed"
echo "$total_passed passed, $total_failed failed"
