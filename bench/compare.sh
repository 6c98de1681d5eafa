#!/usr/bin/env bash
# Throughput side by side (issue 14): one run measures, on the same upstream with the same connections and duration,
# each after a warm-up: the upstream direct, this gateway pinned (model = an arm), this gateway `auto` (MiniLM fp32)
# on distinct prompts and on one repeated prompt, the same with the int8 encoder, and the Portkey gateway pinned.
# Prints a table and writes it, with machine, load, date and commit, to docs/results/throughput.md.
#
# Usage: bench/compare.sh                      the table (CONNECTIONS=8 DURATION=10 WARMUP=15 ARMS=4)
#        bench/compare.sh scaling              RPS/p99 against connections (1 8 32 128) and arms (4 16 64),
#                                              written to docs/results/throughput-scaling.md
# Environment: CONNECTIONS, DURATION (s), WARMUP (s; default 15: on a shared 1-core slot the JIT needs ~15 s of load to reach tier 1), ARMS, ROWS (a subset of: direct pinned auto auto-repeated
#              auto-int8 auto-int8-repeated portkey), OUT (the results file), DATA (the shared/data folder).
# CPU placement on a 2-core box: the gateway under test (ours or Portkey) on core 1, wrk (1 thread) and the upstream
# on core 0, so the load generator never takes the gateway's core; with more cores the gateway gets all but core 0.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-table}
CONNECTIONS=${CONNECTIONS:-8}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-15}
ARMS=${ARMS:-4}
ROWS=${ROWS:-direct pinned auto auto-repeated auto-int8 auto-int8-repeated portkey}
PORTKEY_VERSION=1.15.2
UPSTREAM_PORT=18080 GATEWAY_PORT=18081 PORTKEY_PORT=18082
work="$root/bench/.work"
mkdir -p "$work"

cores=$(nproc)
load_cpus=0
if [ "$cores" -ge 2 ]; then sut_cpus="1-$((cores - 1))"; else sut_cpus=0; fi

# --- what it needs ---------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  sudo_ apt-get update -qq && sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
portkey="$work/portkey/node_modules/@portkey-ai/gateway/build/start-server.js"
if [[ " $ROWS " == *" portkey "* ]] && [ ! -f "$portkey" ]; then
  mkdir -p "$work/portkey"
  (cd "$work/portkey" && npm install --no-audit --no-fund --silent "@portkey-ai/gateway@$PORTKEY_VERSION" >/dev/null)
fi
dotnet build -c Release src/Gateway -v q -nologo >/dev/null
gateway_dll="$root/src/Gateway/bin/Release/net10.0/Router.Gateway.dll"
DATA=${DATA:-}
if [ -z "$DATA" ]; then
  d="$root"; while [ "$d" != / ] && [ ! -d "$d/shared/data" ]; do d=$(dirname "$d"); done
  DATA="$d/shared/data"
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_http() { # url
  for _ in $(seq 1 600); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "no answer from $1" >&2; return 1
}

start_upstream() {
  for port in "$UPSTREAM_PORT" "$GATEWAY_PORT" "$PORTKEY_PORT"; do
    port_free "$port" || { echo "port $port is in use: stop what listens there" >&2; exit 1; }
  done
  taskset -c "$load_cpus" node bench/upstream/upstream.js "$UPSTREAM_PORT" >"$work/upstream.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$UPSTREAM_PORT/v1/models"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
gateway_pid=
start_gateway() { # precision arms-file
  stop_gateway
  # A leftover process on the port would answer instead of the one started here (and the new one would abort).
  port_free "$GATEWAY_PORT" || { echo "port $GATEWAY_PORT is in use: stop what listens there" >&2; exit 1; }
  Router__ArmsFile="$2" Router__MixLlm__Precision="$1" Logging__LogLevel__Default=Warning \
    ASPNETCORE_URLS="http://127.0.0.1:$GATEWAY_PORT" \
    taskset -c "$sut_cpus" dotnet "$gateway_dll" >"$work/gateway.log" 2>&1 &
  gateway_pid=$!
  wait_http "http://127.0.0.1:$GATEWAY_PORT/health/ready"
}
stop_gateway() {
  [ -n "$gateway_pid" ] || return 0
  kill "$gateway_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$gateway_pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$gateway_pid" 2>/dev/null || true
  wait "$gateway_pid" 2>/dev/null || true
  gateway_pid=
}

portkey_pid=
start_portkey() {
  NODE_ENV=production taskset -c "$sut_cpus" node "$portkey" --port="$PORTKEY_PORT" --headless >"$work/portkey.log" 2>&1 &
  portkey_pid=$!
  pids+=($portkey_pid)
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$PORTKEY_PORT/" && return 0; sleep 0.1; done
  echo "Portkey did not start (see $work/portkey.log)" >&2; return 1
}

# run_wrk url bodies headers connections -> "RESULT requests seconds rps p50 p99 errors non2xx"
run_wrk() {
  BENCH_BODIES="$2" BENCH_HEADERS="$3" taskset -c "$load_cpus" wrk -t1 -c"$4" -d"${WARMUP}s" -s bench/wrk/post.lua "$1" >/dev/null
  BENCH_BODIES="$2" BENCH_HEADERS="$3" taskset -c "$load_cpus" wrk -t1 -c"$4" -d"${DURATION}s" --timeout 10s -s bench/wrk/post.lua "$1" | grep '^RESULT'
}

gw="http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions"
pk="http://127.0.0.1:$PORTKEY_PORT/v1/chat/completions"
pk_headers="x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:$UPSTREAM_PORT/v1|Authorization: Bearer sk-bench"

declare -A result
measure() { # row connections arms
  local row=$1 c=$2 arms=$3 b="$work/bodies-$3"
  [ -f "$b/arms.json" ] || BENCH_UPSTREAM="http://127.0.0.1:$UPSTREAM_PORT" python3 bench/make-bodies.py "$DATA" "$b" "$arms" >/dev/null
  case $row in
    direct) result[$row/$c/$arms]=$(run_wrk "http://127.0.0.1:$UPSTREAM_PORT/v1/chat/completions" "$b/portkey.jsonl" "" "$c") ;;
    pinned) result[$row/$c/$arms]=$(run_wrk "$gw" "$b/pinned.jsonl" "" "$c") ;;
    auto|auto-int8) result[$row/$c/$arms]=$(run_wrk "$gw" "$b/auto-distinct.jsonl" "" "$c") ;;
    auto-repeated|auto-int8-repeated) result[$row/$c/$arms]=$(run_wrk "$gw" "$b/auto-repeated.jsonl" "" "$c") ;;
    portkey) result[$row/$c/$arms]=$(run_wrk "$pk" "$b/portkey.jsonl" "$pk_headers" "$c") ;;
  esac
  echo "  $row c=$c arms=$arms: ${result[$row/$c/$arms]}" >&2
}

# Runs every row of $ROWS at connections $1 with $2 arms, one gateway process per precision.
measure_rows() {
  local c=$1 arms=$2 b="$work/bodies-$2"
  [ -f "$b/arms.json" ] || BENCH_UPSTREAM="http://127.0.0.1:$UPSTREAM_PORT" python3 bench/make-bodies.py "$DATA" "$b" "$arms" >/dev/null
  for row in $ROWS; do
    case $row in
      pinned|auto|auto-repeated) [ "${current:-}" = Float32/$arms ] || { start_gateway Float32 "$b/arms.json"; current=Float32/$arms; } ;;
      auto-int8|auto-int8-repeated) [ "${current:-}" = Int8/$arms ] || { start_gateway Int8 "$b/arms.json"; current=Int8/$arms; } ;;
      portkey) stop_gateway; current=; [ -n "$portkey_pid" ] || start_portkey ;;
    esac
    measure "$row" "$c" "$arms"
  done
}

f() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
field() { echo "${result[$1]:-}" | awk -v i="$2" '{ print $i }'; }
label() {
  case $1 in
    direct) echo "upstream direct" ;;
    pinned) echo "this gateway, model pinned" ;;
    auto) echo "this gateway, \`auto\`, fp32 encoder, distinct prompts" ;;
    auto-repeated) echo "this gateway, \`auto\`, fp32 encoder, one repeated prompt" ;;
    auto-int8) echo "this gateway, \`auto\`, int8 encoder, distinct prompts" ;;
    auto-int8-repeated) echo "this gateway, \`auto\`, int8 encoder, one repeated prompt" ;;
    portkey) echo "Portkey gateway $PORTKEY_VERSION (npm), model pinned" ;;
  esac
}

header() {
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); .NET $(dotnet --version), Node $(node --version), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench || echo ' (+ uncommitted changes)')"
  echo "- load average before the run: $load_before (other processes share this machine)"
  echo "- placement: wrk (1 thread) and the upstream (Node) on CPU $load_cpus; the gateway under test on CPU $sut_cpus"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start_upstream
if [ "$mode" = scaling ]; then
  out=${OUT:-docs/results/throughput-scaling.md}
  ROWS=${SCALING_ROWS:-direct pinned auto}
  for c in 1 8 32 128; do measure_rows "$c" "$ARMS"; done
  stop_gateway; current=
  ROWS_ARMS=${SCALING_ARM_ROWS:-pinned auto}
  for arms in 4 16 64; do ROWS=$ROWS_ARMS measure_rows "$CONNECTIONS" "$arms"; done
  {
    echo "# Throughput scaling (bench/compare.sh scaling)"
    echo; header; echo "- wrk: ${DURATION} s per row after a ${WARMUP} s warm-up; \`auto\` rows use distinct prompts, fp32 encoder"; echo
    echo "## Against connections ($ARMS arms)"; echo
    echo "| connections | row | requests/s | p50 ms | p99 ms | errors + non-2xx |"; echo "|---:|---|---:|---:|---:|---:|"
    for c in 1 8 32 128; do for row in $ROWS; do k=$row/$c/$ARMS
      echo "| $c | $row | $(f "$(field "$k" 4)") | $(f "$(field "$k" 5)") | $(f "$(field "$k" 6)") | $(( $(field "$k" 7) + $(field "$k" 8) )) |"; done; done
    echo; echo "## Against arms ($CONNECTIONS connections)"; echo
    echo "| arms | row | requests/s | p50 ms | p99 ms | errors + non-2xx |"; echo "|---:|---|---:|---:|---:|---:|"
    for arms in 4 16 64; do for row in $ROWS_ARMS; do k=$row/$CONNECTIONS/$arms
      echo "| $arms | $row | $(f "$(field "$k" 4)") | $(f "$(field "$k" 5)") | $(f "$(field "$k" 6)") | $(( $(field "$k" 7) + $(field "$k" 8) )) |"; done; done
  } >"$out"
  cat "$out"
  exit 0
fi

measure_rows "$CONNECTIONS" "$ARMS"
out=${OUT:-docs/results/throughput.md}
d=direct/$CONNECTIONS/$ARMS p=portkey/$CONNECTIONS/$ARMS
{
  echo "# Throughput side by side (bench/compare.sh)"
  echo; header
  echo "- wrk: $CONNECTIONS connections, ${DURATION} s per row after a ${WARMUP} s warm-up, non-streaming chat completions; $ARMS arms, all on the upstream; no checkpoint (untrained engine: the same encoder, head and decision work as a trained one)"
  echo "- prompts: distinct = 2,000 different MMLU questions (routellm/mmlu, seeded shuffle) in turn; repeated = one prompt every time (measures the embedding cache)"
  echo
  echo "| path | requests/s | p50 ms | p99 ms | p50 over direct | p99 over direct | RPS vs Portkey | errors + non-2xx |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for row in $ROWS; do
    k=$row/$CONNECTIONS/$ARMS
    [ -n "${result[$k]:-}" ] || continue
    rps=$(field "$k" 4) p50=$(field "$k" 5) p99=$(field "$k" 6)
    over50=-; over99=-; ratio=-
    if [ -n "${result[$d]:-}" ] && [ "$row" != direct ]; then
      over50="+$(f "$(awk -v a="$p50" -v b="$(field "$d" 5)" 'BEGIN { print a - b }')") ms"
      over99="+$(f "$(awk -v a="$p99" -v b="$(field "$d" 6)" 'BEGIN { print a - b }')") ms"
    fi
    if [ -n "${result[$p]:-}" ] && [ "$row" != direct ]; then ratio="$(f "$(awk -v a="$rps" -v b="$(field "$p" 4)" 'BEGIN { print a / b }')")×"; fi
    echo "| $(label "$row") | $(awk -v x="$rps" 'BEGIN { printf "%.0f", x }') | $(f "$p50") | $(f "$p99") | $over50 | $over99 | $ratio | $(( $(field "$k" 7) + $(field "$k" 8) )) |"
  done
} >"$out"
cat "$out"
