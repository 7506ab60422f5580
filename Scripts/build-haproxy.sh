#!/usr/bin/env bash
# Builds HAProxy VERSION from Debian's source package into CACHE/haproxy-VERSION/haproxy (outside the repo), so
# `make test` can run the HAProxy-facing suites on Debian 13's LTS as well as on the system's own HAProxy.
#
#   Scripts/build-haproxy.sh VERSION SUITE CACHE
#   Scripts/build-haproxy.sh 3.0.11 trixie ~/.cache/haws
#
# The upstream tarball comes from `apt-get source --download-only haproxy` with a `deb-src` entry for SUITE on the
# archive URI of the system's own sources (read from /etc/apt, never hard-coded), in a private apt state
# directory: the system's package lists are not touched. apt checks the tarball against the signed Sources index.
# Debian's patch files of the newer suite are not on every mirror (404): only the .orig.tar.gz is needed.
# The binary is built with `make TARGET=linux-glibc USE_OPENSSL=1`, niced, and moved into place only once
# complete, so a concurrent reader never runs a half-written file. Does nothing when the binary exists.
set -euo pipefail

version=${1:?usage: build-haproxy.sh VERSION SUITE CACHE}
suite=${2:?usage: build-haproxy.sh VERSION SUITE CACHE}
cache=${3:?usage: build-haproxy.sh VERSION SUITE CACHE}
binary="$cache/haproxy-$version/haproxy"
tarball="$cache/src/haproxy_$version.orig.tar.gz"

if [ -x "$binary" ]; then
    exit 0
fi
mkdir -p "$cache"
# Two builds at once (two `make test` runs) would share the work directory: the second waits, then finds the binary.
exec 9>"$cache/.build-haproxy-$version.lock"
flock 9
if [ -x "$binary" ]; then
    exit 0
fi

# The archive URI of the system's own Debian sources: the first non-security entry, deb822 or one-line format.
archive_uri() {
    local uri=""
    if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
        uri=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
            /etc/apt/sources.list.d/*.sources)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" || $1 == "deb-src" {
                i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                if ($i !~ /security/) { print $i; exit } }' /etc/apt/sources.list)
    fi
    printf '%s\n' "${uri%/}"
}

if [ ! -f "$tarball" ]; then
    uri=$(archive_uri)
    if [ -z "$uri" ]; then
        echo "build-haproxy: no Debian archive URI in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2
        exit 1
    fi
    state="$cache/apt-$suite"
    mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$cache/src"
    printf 'deb-src %s %s main\n' "$uri" "$suite" >"$state/sources.list"
    apt_private=(-q -o "Dir::Etc::SourceList=$state/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache")
    echo "build-haproxy: fetching haproxy $version source from $uri $suite"
    apt-get "${apt_private[@]}" update >"$state/update.log" 2>&1 || {
        cat "$state/update.log" >&2
        exit 1
    }
    # The .dsc and .debian.tar.xz may 404 on this mirror; apt then exits non-zero although the tarball arrived.
    (cd "$cache/src" && apt-get "${apt_private[@]}" source --download-only haproxy >"$state/source.log" 2>&1) || true
    if [ ! -f "$tarball" ]; then
        offered=$(cd "$cache/src" && ls haproxy_*.orig.tar.gz 2>/dev/null | tr '\n' ' ')
        echo "build-haproxy: $tarball did not arrive (have: ${offered:-nothing}); see $state/source.log" >&2
        echo "build-haproxy: if $suite moved to another release, run make with HAPROXY30_VERSION set to it" >&2
        exit 1
    fi
fi

work="$cache/build"
rm -rf "$work/haproxy-$version"
mkdir -p "$work"
tar -xzf "$tarball" -C "$work"
echo "build-haproxy: building haproxy $version (about 4 minutes on 2 cores); log: $work/haproxy-$version.log"
if ! nice -n 10 make -C "$work/haproxy-$version" -j"$(nproc)" TARGET=linux-glibc USE_OPENSSL=1 \
    >"$work/haproxy-$version.log" 2>&1; then
    tail -30 "$work/haproxy-$version.log" >&2
    echo "build-haproxy: make failed; see $work/haproxy-$version.log" >&2
    exit 1
fi
mkdir -p "$(dirname "$binary")"
install -m 755 "$work/haproxy-$version/haproxy" "$binary.partial"
mv -f "$binary.partial" "$binary"
rm -rf "$work/haproxy-$version"
# Not `| head -1`: with pipefail, haproxy's SIGPIPE would fail the script after a good build.
version_text=$("$binary" -v)
echo "${version_text%%$'\n'*}"
