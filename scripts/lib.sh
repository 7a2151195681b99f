# shellcheck shell=bash source-path=SCRIPTDIR/..
# SPDX-License-Identifier: GPL-2.0-or-later
# Common helpers for qemu-pcc's shell glue. Source it, don't run it:
#   . "$(dirname "$0")/lib.sh"
#
# Provides:
#   PCC_ROOT, PCC_CACHE, PCC_BUILD          paths (checkout, cache, build/)
#   pcc_log / pcc_warn / pcc_die            messages on stderr
#   pcc_warn_loud TITLE LINE...             multi-line WARNING banner
#   pcc_apt ...                             apt-get with the private config
#   pcc_apt_cache ...                       apt-cache with the private config
#   pcc_apt_update [refresh]                refresh the private index (cached)
#   pcc_apt_source PKG VER SERIES DESTDIR   fetch a source package (pinned, fallback)
#   pcc_apt_download PKG ARCH VER SERIES DESTDIR   fetch a .deb (pinned, fallback)
#   pcc_qemu_tree FLAVOR                    fetch + extract QEMU, prints pristine dir
# The two fetch functions print the version actually used on stdout; after a
# call PCC_CHOSEN_VERSION (and for .debs PCC_CHOSEN_FILE) hold it too.

set -euo pipefail

PCC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PCC_CACHE=${QEMU_PCC_CACHE:-$HOME/.cache/qemu-pcc}
PCC_BUILD=$PCC_ROOT/build
PCC_APT_DIR=$PCC_CACHE/apt
PCC_APT_CONF=$PCC_APT_DIR/apt.conf
export PCC_ROOT PCC_CACHE PCC_BUILD
# One compiler cache for QEMU and the C++ project.
export CCACHE_DIR=${CCACHE_DIR:-$PCC_CACHE/ccache}

# The one place with versions.
# shellcheck source=config/versions.env
. "$PCC_ROOT/config/versions.env"

pcc_log()  { printf '[qemu-pcc] %s\n' "$*" >&2; }
pcc_warn() { printf '[qemu-pcc] WARNING: %s\n' "$*" >&2; }
pcc_die()  { printf '[qemu-pcc] ERROR: %s\n' "$*" >&2; exit 1; }

pcc_warn_loud() {
    local title=$1 line
    shift
    {
        echo '#####################################################################'
        echo "### WARNING: $title"
        for line in "$@"; do echo "###   $line"; done
        echo '#####################################################################'
    } >&2
}

# ---------------------------------------------------------------------------
# Private apt configuration: never touches /etc/apt. Index for trixie (+
# backports) and sid, amd64 + arm64, sources for trixie and sid; bookworm
# and experimental arm64 only (the kernel matrix's Debian kernels).
# ---------------------------------------------------------------------------
PCC_MIRROR=${PCC_MIRROR:-http://deb.debian.org/debian}
PCC_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

pcc_apt_setup() {
    local d=$PCC_APT_DIR
    mkdir -p "$d/etc/apt.conf.d" "$d/etc/preferences.d" "$d/etc/sources.list.d" \
        "$d/etc/trusted.gpg.d" "$d/state/lists/partial" "$d/cache/archives/partial"
    local conf list
    conf=$(cat <<EOF
Dir::Etc "$d/etc";
Dir::Etc::sourcelist "$d/etc/sources.list";
Dir::Etc::sourceparts "$d/etc/sources.list.d";
Dir::State "$d/state";
Dir::Cache "$d/cache";
APT::Architectures { "amd64"; "arm64"; };
Acquire::Check-Valid-Until "false";
Acquire::Languages "none";
APT::Sandbox::User "root";
EOF
)
    list=$(cat <<EOF
deb-src [signed-by=$PCC_KEYRING] $PCC_MIRROR trixie main
deb-src [signed-by=$PCC_KEYRING] $PCC_MIRROR sid main
deb [arch=amd64,arm64 signed-by=$PCC_KEYRING] $PCC_MIRROR trixie main
deb [arch=amd64,arm64 signed-by=$PCC_KEYRING] $PCC_MIRROR trixie-backports main
deb [arch=arm64 signed-by=$PCC_KEYRING] $PCC_MIRROR sid main
deb [arch=arm64 signed-by=$PCC_KEYRING] $PCC_MIRROR bookworm main
deb [arch=arm64 signed-by=$PCC_KEYRING] $PCC_MIRROR experimental main
EOF
)
    # Rewrite only on change so that the index stays valid.
    [ "$(cat "$PCC_APT_CONF" 2>/dev/null)" = "$conf" ] || printf '%s\n' "$conf" >"$PCC_APT_CONF"
    [ "$(cat "$d/etc/sources.list" 2>/dev/null)" = "$list" ] || {
        printf '%s\n' "$list" >"$d/etc/sources.list"
        rm -f "$d/state/updated"
    }
    [ -r "$PCC_KEYRING" ] || pcc_die "$PCC_KEYRING missing: apt-get install debian-archive-keyring"
}

# pcc_meson_dir BUILDDIR SOURCEDIR [meson setup args...]: a usable meson
# build dir: set up when missing, wiped and set up again when it was made
# by another meson version (meson then refuses to use it).
pcc_meson_dir() {
    local dir=$1 src=$2
    shift 2
    if [ -f "$dir/build.ninja" ] && meson introspect --projectinfo "$dir" >/dev/null 2>&1; then
        return 0
    fi
    if [ -d "$dir/meson-private" ]; then
        pcc_log "meson build dir $dir is unusable (other meson version?): wiping it"
        meson setup --wipe "$@" "$dir" "$src" >&2
    else
        meson setup "$@" "$dir" "$src" >&2
    fi
}

# pcc_cpp_sanitized: set up and build the sanitized C++ build,
# build/cpp-asan: clang, ASan + UBSan, every target instrumented for
# libFuzzer, pccd's fuzz targets built too (meson -Dfuzz=true). One build
# serves make check-asan (its tests) and make fuzz (its fuzz targets).
# Prints the directory.
pcc_cpp_sanitized() {
    local dir=$PCC_BUILD/cpp-asan
    CXX=${FUZZ_CXX:-clang++} pcc_meson_dir "$dir" "$PCC_ROOT" \
        -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false || return 1
    nice -n 10 ninja -C "$dir" -j2 >&2 || return 1
    echo "$dir"
}

# pcc_qtests: the qtests that make check runs: the PCC tests that qemu/
# brings (tests/qtest/pcc*-test.c), then QEMU's own that cover the bus.
pcc_qtests() {
    local f
    for f in "$PCC_ROOT"/qemu/tests/qtest/pcc*-test.c; do
        basename "$f" .c
    done
    printf '%s\n' qom-test device-introspect-test
}

pcc_apt()       { pcc_apt_setup; APT_CONFIG=$PCC_APT_CONF apt-get -q "$@"; }
pcc_apt_cache() { pcc_apt_setup; APT_CONFIG=$PCC_APT_CONF apt-cache "$@"; }

# pcc_apt_update [refresh]: refresh the index when missing or older than
# PCC_APT_MAX_AGE minutes (default 1 day; with "refresh": 10 minutes).
pcc_apt_update() {
    pcc_apt_setup
    local stamp=$PCC_APT_DIR/state/updated max=${PCC_APT_MAX_AGE:-1440}
    [ "${1:-}" = refresh ] && max=10  # stale index suspected: at most every 10 min
    if [ -e "$stamp" ] && [ -z "$(find "$stamp" -mmin +"$max")" ]; then
        return 0
    fi
    pcc_log "updating the private apt index ($PCC_APT_DIR)"
    pcc_apt update >&2 || pcc_die "apt-get update with $PCC_APT_CONF failed"
    touch "$stamp"
}

# pcc_sort_versions: stdin -> stdout, unique, newest first (Debian ordering).
pcc_sort_versions() {
    local v sorted=() i n
    while read -r v; do
        [ -n "$v" ] || continue
        # insertion sort with dpkg's comparison; lists are short
        n=${#sorted[@]}
        for ((i = 0; i < n; i++)); do
            [ "${sorted[i]}" = "$v" ] && continue 2
            if dpkg --compare-versions "$v" gt "${sorted[i]}"; then break; fi
        done
        sorted=("${sorted[@]:0:i}" "$v" "${sorted[@]:i}")
    done
    [ ${#sorted[@]} -eq 0 ] || printf '%s\n' "${sorted[@]}"
}

# _pcc_candidates PINNED SERIES LISTED...: the order in which to try
# versions: the pinned one (if listed) first, then the series newest first.
_pcc_candidates() {
    local pinned=$1 series=$2 v
    shift 2
    for v in "$@"; do [ "$v" = "$pinned" ] && echo "$v"; done
    for v in "$@"; do
        [ "$v" != "$pinned" ] && [ "${v#"$series"}" != "$v" ] && echo "$v"
    done | pcc_sort_versions
}

# _pcc_fetch KIND PKG ARCH PINNED SERIES DESTDIR: shared logic of
# pcc_apt_source (KIND=source) and pcc_apt_download (KIND=deb).
_pcc_fetch() {
    local kind=$1 pkg=$2 arch=$3 pinned=$4 series=$5 dest=$6
    local spec=$pkg${arch:+:$arch} listed cands v try
    mkdir -p "$dest"
    PCC_CHOSEN_VERSION='' PCC_CHOSEN_FILE=''

    # Already there? (no network at all)
    if _pcc_have "$kind" "$pkg" "$pinned" "$dest"; then
        PCC_CHOSEN_VERSION=$pinned
        echo "$pinned"
        return 0
    fi

    pcc_apt_update
    for try in 1 2; do
        if [ "$kind" = source ]; then
            listed=$(pcc_apt_cache showsrc "$pkg" 2>/dev/null | awk '/^Version:/ {print $2}')
        else
            listed=$(pcc_apt_cache show "$spec" 2>/dev/null | awk '/^Version:/ {print $2}')
            if [ -z "$listed" ] && [ -n "$arch" ]; then
                # Architecture: all packages are not found as pkg:arm64
                spec=$pkg:all
                listed=$(pcc_apt_cache show "$spec" 2>/dev/null | awk '/^Version:/ {print $2}')
            fi
        fi
        # shellcheck disable=SC2086 # word splitting intended
        mapfile -t cands < <(_pcc_candidates "$pinned" "$series" $listed)
        # pinned listed, or second round: go on; else refresh once (stale index)
        { [ "${cands[0]:-}" = "$pinned" ] || [ $try = 2 ]; } && break
        pcc_apt_update refresh
    done

    for v in "${cands[@]}"; do
        if ! _pcc_have "$kind" "$pkg" "$v" "$dest"; then
            pcc_log "downloading $kind $spec=$v into $dest"
            if [ "$kind" = source ]; then
                (cd "$dest" && pcc_apt source --download-only "$pkg=$v" >&2) || {
                    pcc_warn "$pkg=$v is listed but could not be downloaded"; continue; }
            else
                (cd "$dest" && pcc_apt download "$spec=$v" >&2) || {
                    pcc_warn "$spec=$v is listed but could not be downloaded"; continue; }
            fi
            _pcc_have "$kind" "$pkg" "$v" "$dest" || { pcc_warn "$pkg=$v: download left no file"; continue; }
        fi
        if [ "$v" != "$pinned" ]; then
            pcc_warn_loud "$pkg: pinned version not available, using a fallback" \
                "package:  $spec ($kind)" \
                "pinned:   $pinned   (config/versions.env)" \
                "used:     $v   (newest of series '$series')" \
                "Update config/versions.env once this version is validated."
        fi
        PCC_CHOSEN_VERSION=$v
        echo "$v"
        return 0
    done
    pcc_die "$spec: neither pinned $pinned nor any version of series '$series' can be fetched (listed: ${listed//$'\n'/ })"
}

# _pcc_have KIND PKG VERSION DESTDIR: are the files for it in DESTDIR?
# Sets PCC_CHOSEN_FILE to the .dsc / .deb.
_pcc_have() {
    local kind=$1 pkg=$2 ver=$3 dest=$4 noepoch f
    noepoch=${ver#*:}
    if [ "$kind" = source ]; then
        f=$dest/${pkg}_$noepoch.dsc
        [ -f "$f" ] || return 1
        # every file named in the .dsc must be there too
        local name
        while read -r name; do
            [ -f "$dest/$name" ] || return 1
        done < <(awk '/^Files:/ {on=1; next} !/^ / {on=0} on && NF >= 3 {print $3}' "$f")
    else
        # apt-get download writes the epoch's colon as %3a
        local enc=${ver//:/%3a}
        f=$(compgen -G "$dest/${pkg}_${enc}_*.deb" | head -n1) || return 1
    fi
    PCC_CHOSEN_FILE=$f
}

pcc_apt_source()   { _pcc_fetch source "$1" '' "$2" "$3" "$4"; }
pcc_apt_download() { _pcc_fetch deb "$1" "$2" "$3" "$4" "$5"; }

# ---------------------------------------------------------------------------
# QEMU trees. FLAVOR is "main" (QEMU_VERSION, trixie) or "sid".
# ---------------------------------------------------------------------------
pcc_flavor_pin() {  # FLAVOR -> "VERSION SERIES"
    case $1 in
        main) echo "$QEMU_VERSION $QEMU_SERIES" ;;
        sid)  echo "$QEMU_SID_VERSION $QEMU_SID_SERIES" ;;
        *) pcc_die "unknown QEMU flavor '$1' (main|sid)" ;;
    esac
}

# pcc_qemu_tree FLAVOR: download (cached) and extract (cached) the Debian
# QEMU source with Debian's patches applied. Prints the pristine directory.
pcc_qemu_tree() {
    local ver series dl dsc name dir
    read -r ver series <<<"$(pcc_flavor_pin "$1")"
    dl=$PCC_CACHE/downloads/qemu
    pcc_apt_source qemu "$ver" "$series" "$dl" >/dev/null
    ver=$PCC_CHOSEN_VERSION
    dsc=$PCC_CHOSEN_FILE
    name=$(basename "$dsc" .dsc)
    dir=$PCC_CACHE/pristine/$name
    if [ ! -e "$dir/.pcc-extracted" ]; then
        pcc_log "extracting $dsc"
        rm -rf "$dir" "$dir.tmp"
        mkdir -p "$PCC_CACHE/pristine"
        # dpkg-source verifies checksums and applies debian/patches; a
        # missing keyring only warns (apt already checked the signed index).
        dpkg-source -x "$dsc" "$dir.tmp" >&2 || pcc_die "dpkg-source -x $dsc failed"
        echo "$ver" >"$dir.tmp/.pcc-extracted"
        mv "$dir.tmp" "$dir"
    fi
    echo "$dir"
}

# pcc_iasl: the pinned ACPICA iasl (ACPICA_VERSION), unpacked under the
# cache with the glibc it needs (not installed). Prints the path of a
# wrapper that runs it.
pcc_iasl() {
    local dl=$PCC_CACHE/downloads/acpica dir iasl_deb libc_deb
    pcc_apt_download "$ACPICA_PACKAGE" amd64 "$ACPICA_VERSION" "$ACPICA_SERIES" "$dl" >/dev/null
    iasl_deb=$PCC_CHOSEN_FILE
    dir=$PCC_CACHE/acpica/$PCC_CHOSEN_VERSION
    if [ ! -x "$dir/iasl" ]; then
        pcc_apt_download "$ACPICA_LIBC_PACKAGE" amd64 "$ACPICA_LIBC_VERSION" \
            "$ACPICA_LIBC_SERIES" "$dl" >/dev/null
        libc_deb=$PCC_CHOSEN_FILE
        rm -rf "$dir"
        mkdir -p "$dir"
        dpkg-deb -x "$iasl_deb" "$dir/root"
        dpkg-deb -x "$libc_deb" "$dir/root"
        printf '%s\n' '#!/bin/sh' \
            "# $(basename "$iasl_deb") on $(basename "$libc_deb"), unpacked by qemu-pcc" \
            "exec '$dir/root/usr/lib64/ld-linux-x86-64.so.2' --library-path '$dir/root/usr/lib/x86_64-linux-gnu' '$dir/root/usr/bin/iasl' \"\$@\"" \
            >"$dir/iasl.tmp"
        chmod 0755 "$dir/iasl.tmp"
        mv "$dir/iasl.tmp" "$dir/iasl"
    fi
    echo "$dir/iasl"
}

# pcc_efi_dir: the pinned qemu-efi-aarch64 (EFI_VERSION) unpacked under the
# cache (not installed). Prints the directory holding usr/share/AAVMF.
pcc_efi_dir() {
    local dir
    pcc_apt_download "$EFI_PACKAGE" arm64 "$EFI_VERSION" "$EFI_SERIES" \
        "$PCC_CACHE/downloads/efi" >/dev/null
    dir=$PCC_CACHE/efi/$PCC_CHOSEN_VERSION
    if [ ! -e "$dir/.pcc-extracted" ]; then
        rm -rf "$dir"
        mkdir -p "$dir"
        dpkg-deb -x "$PCC_CHOSEN_FILE" "$dir"
        touch "$dir/.pcc-extracted"
    fi
    echo "$dir"
}
