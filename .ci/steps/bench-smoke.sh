#!/usr/bin/env bash
# CI smoke run of the BenchmarkDotNet suite (tests/Router.Benchmarks): BenchmarkDotNet's Dry job (one invocation per
# case, no pilot or warm-up) in-process, so a benchmark that throws or no longer builds fails CI in seconds. The
# numbers it prints mean nothing; the full run is `dotnet run -c Release --project tests/Router.Benchmarks -- --filter '*'`
# (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet run -c Release --project tests/Router.Benchmarks -- --filter '*' --job Dry --inProcess --noOverwrite \
  --artifacts "${TMPDIR:-/tmp}/router-bench-smoke" 2>&1 | tail -40
