#!/usr/bin/env bash
# The budget autopilot's end-to-end check on RouterBench: a trained checkpoint, the recorded answers replayed as the
# 11 upstreams, the real gateway, and `router autopilot-check` setting two cost targets in turn (600 routed requests
# each) and measuring the realised cost of the second half of each. Writes docs/results/autopilot/ (report.md and
# realised_cost.png). Exit status: the check's (0 pass, 1 fail, 2 bad input).
#
#   scripts/autopilot-check.sh [DATA_DIR] [TARGET...]      default ../shared/data/routerbench, targets 0.5 1.5
#
# Ports: REPLAY_PORT (18481) and GATEWAY_PORT (18480). The checkpoint (checkpoints/routerbench) is trained first when
# it is missing; embeddings are cached in .cache/embeddings.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data/routerbench}
shift || true
TARGETS=("${@:-0.5 1.5}")
REPLAY_PORT=${REPLAY_PORT:-18481}
GATEWAY_PORT=${GATEWAY_PORT:-18480}
REQUESTS=${REQUESTS:-600}
WORK=$(mktemp -d)
ADMIN_KEY=autopilot-check-$RANDOM$RANDOM
ROUTER=(dotnet run --no-build -c Release --project src/Router.Training --)

dotnet build -c Release src/Router.Training >/dev/null
dotnet build -c Release src/Gateway >/dev/null
if [[ ! -f checkpoints/routerbench/checkpoint.json ]]; then
  "${ROUTER[@]}" train --data "$DATA" --out checkpoints/routerbench
fi

# The arms file's upstreams point at the replay's port.
sed "s#127.0.0.1:8081#127.0.0.1:$REPLAY_PORT#g" deploy/arms/routerbench.json > "$WORK/arms.json"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

"${ROUTER[@]}" serve-replay --data "$DATA" --urls "http://127.0.0.1:$REPLAY_PORT" --latency-scale 0 > "$WORK/replay.log" 2>&1 &
pids+=($!)
Router__ArmsFile="$WORK/arms.json" Router__CheckpointPath="$PWD/checkpoints/routerbench/checkpoint.json" \
Router__AdminKey="$ADMIN_KEY" Router__DecisionLog__Directory="$WORK/decisions" Router__State__BufferDirectory="$WORK/buffer" \
ASPNETCORE_URLS="http://127.0.0.1:$GATEWAY_PORT" \
  dotnet run --no-build --no-launch-profile -c Release --project src/Gateway > "$WORK/gateway.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$REPLAY_PORT/v1/models" >/dev/null && curl -sf "http://127.0.0.1:$GATEWAY_PORT/health/ready" >/dev/null; then
    break
  fi
  sleep 1
done

# shellcheck disable=SC2068
"${ROUTER[@]}" autopilot-check --gateway "http://127.0.0.1:$GATEWAY_PORT" --admin-key "$ADMIN_KEY" --data "$DATA" \
  --targets ${TARGETS[@]} --requests "$REQUESTS" --out docs/results/autopilot \
  --note "checkpoint \`router train --data $DATA\` (all of it: the prompts are in-sample for the quality predictor, which does not matter to cost control); upstreams: \`router serve-replay\` of the same data (recorded answers and token usage, --latency-scale 0) behind deploy/arms/routerbench.json (11 arms at list prices); gateway defaults (Router:Autopilot: window 100; λ starts at the default policy's 1), one replica, no Redis; \`scripts/autopilot-check.sh\`."
