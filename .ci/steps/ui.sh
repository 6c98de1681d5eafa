#!/usr/bin/env bash
# Browser tests of the ops console (tests/EndToEnd.Tests/Console) drive Debian's chromium by path; Playwright's own
# browser download cannot work here. Install it when missing. In CI (CI=true) the browser tests fail without it.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
chromium --version || true
