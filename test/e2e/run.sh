#!/usr/bin/env bash
# The e2e suite in a real VS Code workbench (code-server, installed by test/e2e/setup.sh):
#   1. builds the repo (npm run build),
#   2. starts code-server on a free 127.0.0.1 port in its own process group, with
#      `--vscode-option enable-smoke-test-driver` so the URL payload can load the extension from
#      its folder (extensionDevelopmentPath) and run tests (extensionTestsPath),
#   3. runs the extension-host mocha suite (test/e2e/suite/index.js) in a fresh demo workspace,
#   4. runs the Playwright UI scenarios (test/e2e/ui/*.ui.mjs), each in its own fresh workspace,
#   5. tears everything down (always) and prints "e2e: N passed, M failed"; exit 1 on any failure.
# Env:
#   EXT_DIR   extension folder to load (default: the repo root); when set, the build is skipped
#   E2E_SUITE extensionTestsPath module (default: test/e2e/suite/index.js)
#   E2E_UI    folder of *.ui.mjs scenarios (default: test/e2e/ui)
#   E2E_ONLY  "suite" or "ui" to run one part;  E2E_GREP  regexp filter for both parts
#   E2E_SKIP_BUILD=1, E2E_KEEP=1 (keep the run dir: logs, user data), RUNBOARD_E2E_VERBOSE=1
#   RUNBOARD_E2E_UPDATE_SCREENSHOTS=1 writes test/e2e/screenshots/*.png (else *.tmp.png, ignored)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE="$HERE/.cache"
EXT_DIR=$(cd "${EXT_DIR:-$ROOT}" && pwd)
E2E_SUITE=${E2E_SUITE:-$HERE/suite/index.js}
E2E_UI=${E2E_UI:-$HERE/ui}
E2E_ONLY=${E2E_ONLY:-}
[ -f "$CACHE/env.sh" ] || { echo "e2e: the workbench is not installed; run: bash test/e2e/setup.sh" >&2; exit 2; }
T0=$(date +%s)

if [ "$EXT_DIR" = "$ROOT" ] && [ "${E2E_SKIP_BUILD:-}" != 1 ]; then
  echo "== e2e: npm run build"
  (cd "$ROOT" && npm run build --silent)
fi

mkdir -p "$CACHE/runs"
# Run dirs of failed runs are kept for their logs; drop those older than a day.
find "$CACHE/runs" -mindepth 1 -maxdepth 1 -mtime +1 -exec rm -rf {} + 2> /dev/null || true
RUN=$(mktemp -d "$CACHE/runs/run-XXXXXX")
WS=""
CHILD=""
# Children run in the background and are waited for, so a signal to this script is handled at
# once (bash defers traps while a foreground command runs).
run_child() {
  "$@" &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=""
  return $rc
}
stop_child() {
  kill "$CHILD" 2> /dev/null || return 0
  for _ in $(seq 1 40); do kill -0 "$CHILD" 2> /dev/null || return 0; sleep 0.25; done
  kill -KILL "$CHILD" 2> /dev/null || true
}
cleanup() {
  local code=$?
  trap '' INT TERM # a second Ctrl-C must not cut the clean-up short
  if [ -n "$CHILD" ]; then stop_child; fi
  node "$HERE/driver/codeServer.mjs" stop "$RUN/code-server" || true
  [ -n "$WS" ] && rm -rf "$WS"
  if [ "${E2E_KEEP:-}" = 1 ] || [ $code -ne 0 ]; then echo "e2e: run dir kept: $RUN"; else rm -rf "$RUN"; fi
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$RUN/results"
# The extension host inherits code-server's environment: the suite writes its counts here.
export RUNBOARD_E2E_RESULTS="$RUN/results/extension-host.json"
if [ -n "${E2E_GREP:-}" ]; then export RUNBOARD_E2E_GREP="$E2E_GREP"; fi
echo "== e2e: starting code-server (run dir $RUN)"
# A closed window's extension host (and the Runboard server it started) ends 10 s after the
# window goes, instead of being kept 3 h for a reconnection.
PORT=$(node "$HERE/driver/codeServer.mjs" start "$RUN/code-server" -- \
  --vscode-option enable-smoke-test-driver --reconnection-grace-time 10)
echo "   code-server on http://127.0.0.1:$PORT, extension from $EXT_DIR"

PARTS=()
status=0
if [ "$E2E_ONLY" != ui ]; then
  PARTS+=(extension-host)
  echo "== e2e: extension-host tests ($E2E_SUITE)"
  WS=$(node "$HERE/driver/workspace.mjs")
  # Opened as a .code-workspace rather than a bare folder: the suite adds and removes folders,
  # which in a folder window means entering a new workspace (a reload) instead of a change event.
  printf '{"folders":[{"path":"."}]}\n' > "$WS/suite.code-workspace"
  run_child node "$HERE/driver/run-ext-tests.mjs" --port "$PORT" --ext "$EXT_DIR" --tests "$E2E_SUITE" \
    --workspace "$WS/suite.code-workspace" --results "$RUN/results/extension-host.json" || status=1
fi
if [ "$E2E_ONLY" != suite ]; then
  PARTS+=(ui)
  echo "== e2e: UI scenarios ($E2E_UI)"
  run_child node "$HERE/ui/run.mjs" --port "$PORT" --ext "$EXT_DIR" --dir "$E2E_UI" --results "$RUN/results/ui.json" \
    ${E2E_GREP:+--grep "$E2E_GREP"} || status=1
fi

echo "   (e2e took $(($(date +%s) - T0)) s; code-server log: $RUN/code-server/code-server.log)"
node "$HERE/driver/summary.mjs" "$RUN/results" "${PARTS[@]}" || status=1
exit $status
