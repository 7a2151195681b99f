#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab/fetch.sh: fetch and unpack the pinned guest artefacts (arm64 kernel,
# its modules and config, UEFI firmware, static busybox) into the cache,
# once.
#
#   lab/fetch.sh            fetch if needed, print KEY=PATH lines on stdout
#   lab/fetch.sh --offline  fail instead of touching the network
#   lab/fetch.sh [--offline] --kernel-suite SUITE
#                           the same with Debian's kernel of SUITE (bookworm,
#                           trixie, sid, experimental: the kernel matrix)
#
# Pins: config/versions.env (KERNEL_*, MODULES_PACKAGE, KERNEL_BASE_PACKAGE,
# KERNEL_<SUITE>_*, EFI_*, BUSYBOX_*).
# Layout: $PCC_CACHE/downloads/guest/*.deb (downloads),
#         $PCC_CACHE/guest/<package>_<version>/ (dpkg-deb -x trees).
# Nothing is installed into the host.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

offline=0 suite=sid
while [ $# -gt 0 ]; do
    case $1 in
        --offline) offline=1 ;;
        --kernel-suite)
            [ $# -ge 2 ] || pcc_die "--kernel-suite needs a suite"
            suite=$2
            shift
            ;;
        *) pcc_die "usage: lab/fetch.sh [--offline] [--kernel-suite SUITE]" ;;
    esac
    shift
done

# The kernel's packages: sid's are KERNEL_*; another suite's are
# KERNEL_<SUITE>_* (its modules and base packages: the kernel's own
# package when it has none, as linux-image-* of bookworm and trixie).
kernel_package=$KERNEL_PACKAGE modules_package=$MODULES_PACKAGE
base_package=$KERNEL_BASE_PACKAGE kernel_version=$KERNEL_VERSION kernel_series=$KERNEL_SERIES
if [ "$suite" != sid ]; then
    case $suite in
        bookworm | trixie | experimental) ;;
        *) pcc_die "--kernel-suite: bookworm, trixie, sid or experimental, not '$suite'" ;;
    esac
    v=KERNEL_${suite^^}
    p=${v}_PACKAGE m=${v}_MODULES_PACKAGE b=${v}_BASE_PACKAGE
    ver=${v}_VERSION ser=${v}_SERIES
    kernel_package=${!p}
    modules_package=${!m:-${!p}}
    base_package=${!b:-${!p}}
    kernel_version=${!ver}
    kernel_series=${!ser}
fi

dl=$PCC_CACHE/downloads/guest
root=$PCC_CACHE/guest
mkdir -p "$dl" "$root"

# unpack PKG ARCH VERSION SERIES: prints the unpacked directory.
unpack() {
    local pkg=$1 arch=$2 ver=$3 series=$4 deb dir
    if [ $offline = 1 ]; then
        _pcc_have deb "$pkg" "$ver" "$dl" || pcc_die "--offline: $pkg=$ver not in $dl"
    else
        pcc_apt_download "$pkg" "$arch" "$ver" "$series" "$dl" >/dev/null
        ver=$PCC_CHOSEN_VERSION
    fi
    deb=$PCC_CHOSEN_FILE
    dir=$root/$(basename "$deb" .deb)
    if [ ! -e "$dir/.pcc-unpacked" ]; then
        pcc_log "unpacking $(basename "$deb")"
        rm -rf "$dir" "$dir.tmp"
        dpkg-deb -x "$deb" "$dir.tmp" || pcc_die "dpkg-deb -x $deb failed"
        echo "$pkg $ver" >"$dir.tmp/.pcc-unpacked"
        mv "$dir.tmp" "$dir"
    fi
    echo "$dir"
}

kdir=$(unpack "$kernel_package" arm64 "$kernel_version" "$kernel_series")
mdir=$(unpack "$modules_package" arm64 "$kernel_version" "$kernel_series")
# linux-base-*: the kernel's config (and modules.builtin), for the
# scenarios' requires-config
basedir=$(unpack "$base_package" arm64 "$kernel_version" "$kernel_series")
edir=$(unpack "$EFI_PACKAGE" '' "$EFI_VERSION" "$EFI_SERIES")
bdir=$(unpack "$BUSYBOX_PACKAGE" arm64 "$BUSYBOX_VERSION" "$BUSYBOX_SERIES")

# Debian's kernel packages: the Image is usr/lib/modules/VERSION/vmlinuz
# (linux-binary-*), older ones have boot/vmlinuz-VERSION.
first() { compgen -G "$1" | head -n1 || true; }
image=$(first "$kdir/usr/lib/modules/*/vmlinuz")
[ -n "$image" ] || image=$(first "$kdir/boot/vmlinuz-*")
[ -n "$image" ] || pcc_die "no kernel image in $kdir"
config=$(first "$basedir/usr/lib/modules/*/config")
[ -n "$config" ] || config=$(first "$kdir/boot/config-*")
[ -n "$config" ] || config=$(first "$mdir/boot/config-*")
[ -n "$config" ] || config=$(first "$kdir/usr/lib/modules/*/config")
moddir=$(first "$mdir/usr/lib/modules/*")
[ -n "$moddir" ] || moddir=$(first "$mdir/lib/modules/*")
[ -n "$moddir" ] || pcc_die "no lib/modules/VERSION in $mdir"
efi=$edir/usr/share/qemu-efi-aarch64/QEMU_EFI.fd
[ -f "$efi" ] || pcc_die "$efi missing"
busybox=$bdir/bin/busybox
[ -f "$busybox" ] || busybox=$bdir/usr/bin/busybox
[ -f "$busybox" ] || pcc_die "no busybox in $bdir"

echo "LAB_KERNEL=$image"
echo "LAB_KCONFIG=$config"
echo "LAB_MODULES=$moddir"
echo "LAB_EFI=$efi"
echo "LAB_BUSYBOX=$busybox"
