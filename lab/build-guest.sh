#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab/build-guest.sh: cross-build the guest programs (lab/guest) static for
# aarch64 into $PCC_CACHE/lab/guest-build; prints LAB_GUEST_BIN=DIR.
# Needs Debian's g++-aarch64-linux-gnu on the host.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

bdir=$PCC_CACHE/lab/guest-build
command -v aarch64-linux-gnu-g++ >/dev/null ||
    pcc_die "aarch64-linux-gnu-g++ missing: apt-get install g++-aarch64-linux-gnu"
mkdir -p "$PCC_CACHE/lab"
pcc_meson_dir "$bdir" "$PCC_ROOT/lab/guest" \
    --cross-file "$PCC_ROOT/lab/cross/aarch64-linux-gnu.ini" ||
    pcc_die "meson setup of $bdir failed"
ninja -C "$bdir" -j"${PCC_JOBS:-2}" >&2 || pcc_die "building the guest programs failed"
echo "LAB_GUEST_BIN=$bdir"
