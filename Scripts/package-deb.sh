#!/usr/bin/env bash
# Builds the Debian package of haws with dpkg-deb, from the layout of Scripts/install-layout.sh.
#
#   Scripts/package-deb.sh BINARY MANUAL_DIR OUTPUT_DIR
#
# BINARY must not need the Swift toolchain at run time (build it with --static-swift-stdlib, see
# `make deb`); this script refuses one whose libraries resolve into a Swift toolchain. The version is
# the binary's own (`haws --version`), the Depends line is dpkg-shlibdeps' reading of the binary's
# libraries. Prints the path of the .deb on its last line.
# Environment: MAINTAINER (the Maintainer field), DEB_COMPRESSOR and DEB_COMPRESSION (dpkg-deb -Z and -z:
# xz and 6 by default; the package test uses gzip 1, which packs a debug binary in seconds).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 3 ] || { echo "usage: $0 BINARY MANUAL_DIR OUTPUT_DIR" >&2; exit 2; }
binary=$1 manual=$2 output=$3
maintainer=${MAINTAINER:-haws developers <haws@users.noreply.github.com>}
fail() { echo "package-deb: $*" >&2; exit 1; }

[ -x "$binary" ] || fail "no executable haws at $binary"
toolchain=$(ldd "$binary" | awk '$3 ~ /^\// && $3 !~ /^\/(usr\/)?lib/ {print $1 " => " $3}')
[ -z "$toolchain" ] || fail "$binary loads libraries from outside the system's library folders (link it with --static-swift-stdlib): $toolchain"
version=$("$binary" --version)
[[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || fail "'$binary --version' printed '$version', not a Debian version"
arch=$(dpkg --print-architecture)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root

DESTDIR=$root PREFIX=/usr SYSCONFDIR=/etc UNITDIR=/lib/systemd/system ZSHDIR=/usr/share/zsh/vendor-completions \
    CONFIG=always "$here/Scripts/install-layout.sh" install "$binary" "$manual" >/dev/null

doc=$root/usr/share/doc/haws
install -d -m 755 "$doc"
cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: haws
Comment: haws, a stats and health monitor for HAProxy in front of WebSocket backends, is statically
 linked with the Swift runtime and standard library, Foundation (FoundationEssentials), SwiftNIO,
 SwiftNIO SSL (BoringSSL), swift-argument-parser, swift-subprocess and hdrhistogram-swift.

Files: *
Copyright: 2026 the haws developers
License: not-yet-chosen
 The haws repository has no license file yet; until it does, ask its developers before
 redistributing this package.
EOF
commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
when=$(git -C "$here" log -1 --format=%cD 2>/dev/null || date -R)
cat <<EOF | gzip -9n >"$doc/changelog.gz"
haws ($version) unstable; urgency=medium

  * haws $version, built from commit $commit.

 -- $maintainer  $when
EOF
chmod 644 "$doc/copyright" "$doc/changelog.gz"

# Depends, read from the binary's libraries the way debhelper does it.
mkdir -p "$work/shlibs/debian"
printf 'Source: haws\n\nPackage: haws\nArchitecture: any\n' >"$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$root/usr/bin/haws" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || fail "dpkg-shlibdeps found no library dependencies for $binary"

install -d -m 755 "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<EOF
Package: haws
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $shlibs, adduser
Recommends: haproxy
Section: net
Priority: optional
Description: stats and health monitor for HAProxy in front of WebSocket backends
 haws shows every HAProxy frontend, backend and server with its state and
 sessions, how many WebSocket tunnels each server holds right now, and whether
 each backend server completes a real RFC 6455 handshake. It reads HAProxy's
 runtime API and stats page.
 .
 haws top is a live ncurses dashboard with confirmed and audited drain, ready
 and maintenance actions; haws agent writes NDJSON and serves Prometheus
 metrics (haws-agent.service); haws status is a one-shot check for people,
 scripts and Nagios-style alerting.
EOF
echo /etc/haws/haws.toml >"$root/DEBIAN/conffiles"

cat >"$root/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
	# The agent runs as haws, in the haproxy group that may use Debian's runtime socket
	# (stats socket /run/haproxy/admin.sock mode 660): the unit says Group=haproxy.
	if ! getent group haproxy >/dev/null; then
		addgroup --system --quiet haproxy
	fi
	if ! getent passwd haws >/dev/null; then
		adduser --system --quiet --group --no-create-home --home /nonexistent --gecos "haws agent" haws
	fi
	adduser --quiet haws haproxy
fi
# Like dh_installsystemd --no-enable --no-start: the operator enables the agent once haws.toml names the
# instances; an upgrade restarts an agent that is running, so it runs the new binary.
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ]; then
	if deb-systemd-helper debian-installed 'haws-agent.service'; then
		if deb-systemd-helper --quiet was-enabled 'haws-agent.service'; then
			deb-systemd-helper enable 'haws-agent.service' >/dev/null || true
		fi
	fi
	deb-systemd-helper update-state 'haws-agent.service' >/dev/null || true
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		if [ -n "$2" ]; then
			deb-systemd-invoke try-restart 'haws-agent.service' >/dev/null || true
		fi
	fi
fi
exit 0
EOF
cat >"$root/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ -z "${DPKG_ROOT:-}" ] && [ "$1" = remove ] && [ -d /run/systemd/system ]; then
	deb-systemd-invoke stop 'haws-agent.service' >/dev/null || true
fi
exit 0
EOF
cat >"$root/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = purge ]; then
	if command -v deb-systemd-helper >/dev/null; then
		deb-systemd-helper purge 'haws-agent.service' >/dev/null || true
	fi
	# The agent's NDJSON files; the haws user stays (Debian does not remove system users).
	rm -rf /var/log/haws
fi
exit 0
EOF
chmod 755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$output"
deb=$output/haws_${version}_${arch}.deb
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSOR:-xz}" -z"${DEB_COMPRESSION:-6}" --build "$root" "$deb" >/dev/null
echo "$deb"
