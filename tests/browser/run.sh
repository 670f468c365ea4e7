#!/usr/bin/env bash
# End-to-end test of the web console in Debian's chromium, driven headless by playwright-core:
# sign in, create a token, copy it, a simulated terminal comes online with it, revoke and approve the device,
# replace the token, sign out. Screenshots go to test-output/browser/ (not committed).
#
# Exit 0: all passed; 77: skipped (no chromium and it cannot be installed, or no node >= 20); other: failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/test-output/browser"
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
started=$(date +%s)

skip() {
  echo "################################################################"
  echo "SKIPPED: browser test: $*"
  echo "################################################################"
  exit 77
}

if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "browser: installing chromium from Debian's packages..."
    # apt-get update can fail on one index (a mirror mid-sync) while the package itself is still installable.
    if ! { apt-get update -qq || true; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"${TMPDIR:-/tmp}/browser-apt.log" 2>&1; then
      tail -20 "${TMPDIR:-/tmp}/browser-apt.log" || true
      skip "apt-get could not install chromium"
    fi
  fi
  [ -x "$chromium" ] || skip "$chromium is missing and cannot be installed here (not root, or no apt-get)"
fi

command -v node >/dev/null && command -v npm >/dev/null || skip "node and npm are needed"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || skip "node $(node --version) is too old: playwright-core needs node 20 or newer"

echo "browser: $("$chromium" --version 2>/dev/null | head -1), node $(node --version)"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

# Always build: cargo does nothing when the binaries are fresh, and a stale gateway would serve an old page.
(cd "$root" && cargo build -q -p metaapi-gateway -p metaapi-terminal-sim)

mkdir -p "$out"
rm -f "$out"/*.png "$out"/results.tap

# The test runs in its own process group, so that whatever it started goes away with it even if this script is
# interrupted.
group=""
cleanup() {
  if [ -n "$group" ]; then kill -TERM -- "-$group" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

cd "$here"
status=0
CHROMIUM_PATH="$chromium" setsid node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$out/results.tap" \
  console.test.mjs &
group=$!
wait "$group" || status=$?
group=""

count() { sed -n "s/^# $1 \([0-9]*\)$/\1/p" "$out/results.tap" 2>/dev/null | tail -1; }
passed=$(count pass); failed=$(count fail); skipped=$(count skipped); cancelled=$(count cancelled)
passed=${passed:-0}; failed=$(( ${failed:-0} + ${cancelled:-0} )); skipped=${skipped:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

echo "browser: screenshots in ${out#"$root"/}/: $(cd "$out" && ls -- *.png 2>/dev/null | tr '\n' ' ')"
echo "browser: took $(( $(date +%s) - started )) s"
echo "browser: $passed passed, $failed failed, $skipped skipped"
exit "$status"
