#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab/build-guest.sh: cross-build the guest programs (lab/guest) static for
# aarch64 into $PCC_CACHE/lab/guest-build-HASH (HASH: of the checkout's path,
# so that two checkouts never build each other's sources); prints
# LAB_GUEST_BIN=DIR.
# The build dir is a configuration of the top-level meson project
# (-Dlab_guest=true: common/ and lab/guest only, with the cross file), so
# the guest programs share common/ and the project version with the host.
# Needs Debian's g++-aarch64-linux-gnu and libcli11-dev on the host.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

checkout_hash=$(printf '%s' "$PCC_ROOT" | sha256sum | cut -c1-12)
bdir=$PCC_CACHE/lab/guest-build-$checkout_hash
command -v aarch64-linux-gnu-g++ >/dev/null ||
    pcc_die "aarch64-linux-gnu-g++ missing: apt-get install g++-aarch64-linux-gnu"
mkdir -p "$PCC_CACHE/lab"
# A build dir of the former stand-alone lab/guest project: start afresh.
if [ -f "$bdir/build.ninja" ] &&
    ! meson introspect --buildoptions "$bdir" 2>/dev/null | grep -q '"name": "lab_guest"'; then
    pcc_log "$bdir is not a lab_guest build of $PCC_ROOT: setting it up again"
    rm -rf "$bdir"
fi
pcc_meson_dir "$bdir" "$PCC_ROOT" \
    --cross-file "$PCC_ROOT/lab/cross/aarch64-linux-gnu.ini" \
    -Dlab_guest=true -Dbuildtype=release -Db_staticpic=false ||
    pcc_die "meson setup of $bdir failed"
ninja -C "$bdir" -j"${PCC_JOBS:-2}" >&2 || pcc_die "building the guest programs failed"
echo "LAB_GUEST_BIN=$bdir/lab/guest"
