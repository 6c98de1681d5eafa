#!/usr/bin/env bash
# Client-compatibility suite: the npm SDKs people use (openai, @anthropic-ai/sdk, ai + @ai-sdk/openai,
# @langchain/openai), pinned in tests/clients/package.json, each with its defaults against the gateway's embedded
# default (src/Gateway/appsettings.json: simulated arms, no keys, no Redis). Starts the gateway on a free loopback
# port, waits for /health/ready, runs `node --test`, stops the gateway. Exits non-zero when any client test fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The test files that CI runs; a file that needs a surface the gateway does not serve yet waits in PENDING_CLIENT_TESTS.
CLIENT_TESTS=(chat.test.mjs docs.test.mjs anthropic.test.mjs responses.test.mjs)
PENDING_CLIENT_TESTS=()

if ! command -v node >/dev/null 2>&1; then
  echo "clients.sh: node is not installed" >&2
  exit 1
fi

(cd tests/clients && npm ci --no-audit --no-fund --loglevel=error)
dotnet build src/Gateway --no-restore -nologo -v quiet

log=$(mktemp)
# Port 0: Kestrel picks a free port and logs it ("Now listening on: http://127.0.0.1:NNNNN").
dotnet src/Gateway/bin/Debug/net10.0/Router.Gateway.dll --urls http://127.0.0.1:0 >"$log" 2>&1 &
gateway_pid=$!
trap 'kill "$gateway_pid" 2>/dev/null || true; wait "$gateway_pid" 2>/dev/null || true; rm -f "$log"' EXIT

url=""
for _ in $(seq 1 240); do
  if ! kill -0 "$gateway_pid" 2>/dev/null; then
    echo "clients.sh: the gateway exited during start-up:" >&2
    cat "$log" >&2
    exit 1
  fi
  url=${url:-$(grep -oE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$log" | head -1 | sed 's/Now listening on: //' || true)}
  if [[ -n "$url" ]] && curl -fsS "$url/health/ready" >/dev/null 2>&1; then
    break
  fi
  sleep 0.5
done
if [[ -z "$url" ]] || ! curl -fsS "$url/health/ready" >/dev/null 2>&1; then
  echo "clients.sh: the gateway did not become ready in 120 s:" >&2
  cat "$log" >&2
  exit 1
fi

echo "clients.sh: gateway ready at $url; running ${CLIENT_TESTS[*]} (pending: ${PENDING_CLIENT_TESTS[*]:-none})"
cd tests/clients
ROUTER_GATEWAY_URL="$url" node --test --test-concurrency=1 "${CLIENT_TESTS[@]}"
