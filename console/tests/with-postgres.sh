#!/usr/bin/env bash
# Runs a command against a real, throwaway PostgreSQL server: by default the console's integration suite, then the
# gateway's tests against two console replicas (gateway-core/tests/it/replicas.rs).
#
# Starts Debian's PostgreSQL (installing the `postgresql` package with apt-get when it is missing) in a temporary
# data directory on a free loopback port, as a non-root user, exports its URL as METAAPI_CONSOLE_TEST_PG_URL (the
# suite then pairs every test's data directory with a database of its own) and tears the server down at the end.
# Exit 77 (SKIPPED, with the reason) only when PostgreSQL cannot be installed or started.
set -uo pipefail
cd "$(dirname "$0")/../.."

skip() { printf '\n!!!! SKIPPED console-postgres: %s !!!!\n\n' "$1"; exit 77; }

find_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    return 1
}

bin=$(find_bin)
if [ -z "$bin" ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo -n"
    echo "installing postgresql with apt-get"
    if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql; }; then
        skip "PostgreSQL is not installed and apt-get could not install the postgresql package"
    fi
    bin=$(find_bin) || skip "the postgresql package installed no initdb under /usr/lib/postgresql"
fi

# PostgreSQL refuses to run as root: run it as the postgres user the package creates.
as_user=()
owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || skip "running as root and there is no postgres user to run the server as"
    as_user=(runuser -u postgres --)
    owner=postgres
fi

work=$(mktemp -d /tmp/console-pg.XXXXXX)
chown "$owner" "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

teardown() {
    "${as_user[@]}" "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$work"
}
trap teardown EXIT

"${as_user[@]}" "$bin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 >"$work/initdb.log" 2>&1 ||
    { cat "$work/initdb.log"; skip "initdb failed"; }
# fsync off: the suite kills consoles, never this throwaway server, so its own durability is not under test.
"${as_user[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 60 \
    -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null ||
    { cat "$work/server.log"; skip "the PostgreSQL server did not start"; }

export METAAPI_CONSOLE_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
if [ $# -eq 0 ]; then
    # The console suite on this server, then a real gateway against two replicas of it (gateway-core/tests/it/replicas.rs).
    cargo test -p metaapi-console --test it && cargo test -p metaapi-gateway-core --test it replicas::
    exit
fi
"$@"
