#!/usr/bin/env bash
# The package test (run by `make test` and `make deb`): what a Debian machine without Swift gets from the .deb.
#
#   Scripts/test-deb.sh PACKAGE.deb
#
# Extracts the package into a scratch root and checks: the control fields (version = the binary's own,
# Depends read from its libraries), that no library or RUNPATH resolves into a Swift toolchain, that the
# packaged haws runs (`--version`, `status --help`, and with /opt/swift hidden when a mount namespace is
# allowed), the man pages and completions, the unit (systemd-analyze verify), the maintainer scripts
# (sh -n, then run as root on throwaway overlays of /etc and /var/lib), and lintian without errors when it
# is installed. Exit 0 when every check passes, 1 otherwise.
set -uo pipefail

[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: $0 PACKAGE.deb" >&2; exit 2; }
deb=$(realpath "$1")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
root=$scratch/root
failures=0
pass() { echo "ok    $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

dpkg-deb -x "$deb" "$root" || { echo "FAIL  dpkg-deb -x $deb"; exit 1; }
dpkg-deb -e "$deb" "$scratch/DEBIAN" || { echo "FAIL  dpkg-deb -e $deb"; exit 1; }
haws=$root/usr/bin/haws
field() { dpkg-deb -f "$deb" "$1"; }

# The binary and its libraries.
check "usr/bin/haws is executable" test -x "$haws"
libraries=$(ldd "$haws" 2>&1)
check "ldd: every library is found" bash -c '! grep -q "not found" <<<"$1"' _ "$libraries"
outside=$(awk '$2 == "=>" && $3 ~ /^\// && $3 !~ /^\/(usr\/)?lib(64|32|x32)?\// {print $1 " => " $3}' <<<"$libraries")
check "ldd: nothing resolves outside /lib and /usr/lib ${outside:+($outside)}" test -z "$outside"
check "ldd: no Swift runtime library is loaded" bash -c '! grep -qE "libswift|libFoundation|libdispatch|libBlocksRuntime" <<<"$1"' _ "$libraries"
runpath=$(readelf -d "$haws" | grep -E 'R(UN)?PATH' || true)
check "no RPATH/RUNPATH into a toolchain ${runpath:+($runpath)}" bash -c '! grep -qE "/opt/|swift" <<<"$1"' _ "$runpath"

# It runs, and says what it is.
version=$("$haws" --version 2>&1)
check "haws --version ($version) is the package's Version ($(field Version))" test "$version" = "$(field Version)"
help=$("$haws" status --help 2>&1)
check "haws status --help exits 0 and shows its usage" bash -c '"$1" status --help >/dev/null 2>&1 && grep -q "USAGE: haws status" <<<"$2"' _ "$haws" "$help"
if unshare -m true 2>/dev/null && [ -d /opt/swift ]; then
    check "haws --version with /opt/swift hidden" unshare -m sh -c 'mount -t tmpfs none /opt/swift && "$0" --version >/dev/null' "$haws"
else
    echo "skip  running with /opt/swift hidden (no mount namespace here, or no /opt/swift): the ldd checks above stand"
fi

# Control fields.
depends=$(field Depends)
check "Depends names libc6 and adduser ($depends)" bash -c 'grep -q "libc6 (>=" <<<"$1" && grep -q "adduser" <<<"$1"' _ "$depends"
check "Depends names no Swift package" bash -c '! grep -qi swift <<<"$1"' _ "$depends"
check "conffiles lists /etc/haws/haws.toml" grep -qx /etc/haws/haws.toml "$scratch/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    check "$script parses (sh -n)" sh -n "$scratch/DEBIAN/$script"
done
check "postinst creates the haws user in the haproxy group" \
    bash -c 'grep -q "adduser --system.*haws" "$1" && grep -q "adduser --quiet haws haproxy" "$1"' _ "$scratch/DEBIAN/postinst"
# The maintainer scripts for real, on throwaway overlays of /etc, /var/lib and the unit folder in a private
# mount namespace: this machine's users and systemd state stay as they were.
run_maintainer_scripts() {
    local units ov=$scratch/overlay
    units=$(realpath /lib/systemd/system)
    mkdir -p "$ov"/{etc,var,unit}/{upper,work}
    unshare -m bash -euc '
        ov=$1 units=$2 control=$3 unit=$4
        mount -t overlay overlay -o "lowerdir=/etc,upperdir=$ov/etc/upper,workdir=$ov/etc/work" /etc
        mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$ov/var/upper,workdir=$ov/var/work" /var/lib
        mount -t overlay overlay -o "lowerdir=$units,upperdir=$ov/unit/upper,workdir=$ov/unit/work" "$units"
        cp "$unit" "$units/haws-agent.service"
        export DPKG_MAINTSCRIPT_PACKAGE=haws
        DPKG_MAINTSCRIPT_NAME=postinst "$control/postinst" configure
        id -nG haws | grep -qw haproxy || { echo "haws is not in the haproxy group: $(id haws)"; exit 1; }
        DPKG_MAINTSCRIPT_NAME=postinst "$control/postinst" configure 0.0.9    # an upgrade: idempotent
        DPKG_MAINTSCRIPT_NAME=prerm "$control/prerm" remove
        DPKG_MAINTSCRIPT_NAME=postrm "$control/postrm" remove
        DPKG_MAINTSCRIPT_NAME=postrm "$control/postrm" purge
    ' _ "$ov" "$units" "$scratch/DEBIAN" "$unit_file"
}
unit_file=$root/lib/systemd/system/haws-agent.service
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null && grep -qw overlay /proc/filesystems; then
    check "postinst creates haws in the haproxy group, again on upgrade; prerm and postrm run (on overlays)" \
        run_maintainer_scripts
    check "this machine has no haws user after that test" bash -c '! getent passwd haws >/dev/null || [ -n "$1" ]' _ "$(getent passwd haws 2>/dev/null && echo preexisting)"
else
    echo "skip  running the maintainer scripts (needs root, a mount namespace and overlayfs)"
fi
check "md5sums match the files" bash -c 'cd "$1" && md5sum --quiet -c "$2"' _ "$root" "$scratch/DEBIAN/md5sums"

# Documentation and completions.
# One page per subcommand `haws --help` lists (a new command is covered), none for hidden ones.
commands=$("$root/usr/bin/haws" --help | sed -n '/^SUBCOMMANDS:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
check "haws --help lists the doctor command (the list the pages follow)" grep -qx doctor <<<"$commands"
check "no man page for the hidden lab-load commands" \
    bash -c '! ls "$1"/usr/share/man/man1/haws-lab-load* 2>/dev/null' _ "$root"
for page in haws $(sed 's/^/haws-/' <<<"$commands"); do
    file=$root/usr/share/man/man1/$page.1.gz
    check "man page $page(1) renders and is indexed as $page" \
        bash -c 'MANWIDTH=80 man -l "$1" 2>/dev/null | grep -q . && lexgrog "$1" | grep -q "\"$2 - "' _ "$file" "$page"
done
check "bash completion parses" bash -n "$root/usr/share/bash-completion/completions/haws"
check "zsh completion defines _haws" grep -q '^#compdef haws' "$root/usr/share/zsh/vendor-completions/_haws"
check "fish completion completes haws" grep -q "^complete -c 'haws'" "$root/usr/share/fish/vendor_completions.d/haws.fish"
check "example config and /etc/haws/haws.toml are the same file" \
    cmp -s "$root/etc/haws/haws.toml" "$root/usr/share/doc/haws/examples/haws.toml"
check "Grafana dashboard and alert rules are shipped" \
    test -s "$root/usr/share/haws/grafana/haws.json" -a -s "$root/usr/share/haws/prometheus/haws.rules.yml"

# The unit: it runs the packaged binary with the packaged config, and systemd accepts it.
unit=$root/lib/systemd/system/haws-agent.service
check "unit runs /usr/bin/haws agent --config /etc/haws/haws.toml" grep -qx 'ExecStart=/usr/bin/haws agent --config /etc/haws/haws.toml' "$unit"
if command -v systemd-analyze >/dev/null; then
    # verify checks that ExecStart exists on this machine: point it at the extracted binary.
    sed "s|^ExecStart=/usr/bin/haws |ExecStart=$haws |" "$unit" >"$scratch/haws-agent.service"
    out=$(systemd-analyze verify --man=no "$scratch/haws-agent.service" 2>&1)
    check "systemd-analyze verify ${out:+($out)}" test -z "$out"
else
    echo "skip  systemd-analyze is not installed"
fi

if command -v lintian >/dev/null; then
    # lintian warns about running as root; only errors fail the package.
    out=$(lintian --fail-on error "$deb" 2>&1)
    status=$?
    [ -z "$out" ] || sed 's/^/      lintian: /' <<<"$out"
    check "lintian: no errors" test "$status" -eq 0
else
    echo "skip  lintian is not installed"
fi

if [ "$failures" -gt 0 ]; then
    echo "package test: $failures check(s) failed for $deb"
    exit 1
fi
echo "package test: all checks passed for $deb"
