#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab/kernel/fetch-source.sh: the lab kernel's source, once: downloads
# Debian's linux-source-X.Y (LAB_KSRC_* in config/versions.env; pinned
# version, else the newest of its series with a loud warning) and unpacks
# the tarball it carries into the cache. Nothing is installed.
#
#   lab/kernel/fetch-source.sh     prints LAB_KSRC=DIR, LAB_KSRC_PACKAGE=P and
#                                  LAB_KSRC_VERSION=V
#
# Layout: $PCC_CACHE/downloads/kernel/linux-source-X.Y_V_all.deb,
#         $PCC_CACHE/kernel/src/linux-source-X.Y_V/ (the kernel tree).
# With everything cached it does not touch the network.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

dl=$PCC_CACHE/downloads/kernel
pcc_apt_download "$LAB_KSRC_PACKAGE" '' "$LAB_KSRC_VERSION" "$LAB_KSRC_SERIES" "$dl" >/dev/null
ver=$PCC_CHOSEN_VERSION
deb=$PCC_CHOSEN_FILE
dir=$PCC_CACHE/kernel/src/${LAB_KSRC_PACKAGE}_${ver//:/%3a}
if [ ! -e "$dir/.pcc-unpacked" ]; then
    pcc_log "unpacking the kernel tree of $(basename "$deb") (a few minutes)"
    rm -rf "$dir" "$dir.tmp"
    mkdir -p "$dir.tmp"
    # the .deb holds usr/src/linux-source-X.Y.tar.xz; stream it out of the
    # package into tar (no copy of the tarball on disk)
    tarball=$(dpkg-deb -c "$deb" | awk '$6 ~ /usr\/src\/linux-source-.*\.tar\.(xz|gz|bz2|zst)$/ {print $6; exit}')
    [ -n "$tarball" ] || pcc_die "$deb holds no usr/src/linux-source-*.tar.*"
    case $tarball in
        *.xz) unz=(xz -dc) ;; *.gz) unz=(gzip -dc) ;; *.bz2) unz=(bzip2 -dc) ;; *) unz=(zstd -dc) ;;
    esac
    dpkg-deb --fsys-tarfile "$deb" | tar -xO -f - "$tarball" | "${unz[@]}" |
        tar -x -f - -C "$dir.tmp" --strip-components=1 --no-same-owner ||
        pcc_die "unpacking $tarball from $deb failed"
    if [ ! -f "$dir.tmp/Makefile" ] || [ ! -d "$dir.tmp/arch/arm64" ]; then
        pcc_die "$tarball: not a kernel tree"
    fi
    echo "$LAB_KSRC_PACKAGE $ver" >"$dir.tmp/.pcc-unpacked"
    mv "$dir.tmp" "$dir"
fi
echo "LAB_KSRC=$dir"
echo "LAB_KSRC_PACKAGE=$LAB_KSRC_PACKAGE"
echo "LAB_KSRC_VERSION=$ver"
