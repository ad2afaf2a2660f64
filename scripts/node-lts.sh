#!/usr/bin/env bash
# Prints the bin directory of the Node.js the project runs on (the version in .nvmrc), installing
# it first when missing: from the npm registry's node-linux-<arch> package (the official binary,
# repackaged), into ~/.cache/opitios-alpaca/node-<version>. Used by .ci/run on machines whose
# node is older; a developer does the same with
#   export PATH="$(bash scripts/node-lts.sh):$PATH"
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(tr -d ' \nv' < "$root/.nvmrc")"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node-lts: no node-linux package for $(uname -m); install Node $version yourself" >&2; exit 1 ;;
esac
dir="${XDG_CACHE_HOME:-$HOME/.cache}/opitios-alpaca/node-$version"
if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" --version)" != "v$version" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "node-linux-$arch@$version" --silent >/dev/null)
  tar xzf "$tmp"/node-linux-"$arch"-"$version".tgz -C "$tmp"
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  "$dir/bin/node" --version >/dev/null
fi
echo "$dir/bin"
