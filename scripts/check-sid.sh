#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-sid.sh: does the overlay (qemu/ + qemu-patches/) still apply to and
# build against QEMU from sid (QEMU_SID_VERSION, with fallback in its
# series)? Own working tree and build dir under the cache; build/ symlinks
# are left alone. Prints PASS or FAIL on the last line.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

start=$SECONDS
if "$PCC_ROOT/scripts/build-qemu.sh" --flavor sid qemu-system-aarch64 &&
        "$PCC_CACHE/build/qemu-sid/qemu-system-aarch64" -M virt -device help >/dev/null; then
    src=$(head -n1 "$PCC_CACHE/build/qemu-sid/.pcc-configured")
    echo "check-sid: PASS ($(basename "$src"), $((SECONDS - start)) s)"
else
    echo "check-sid: FAIL (see the messages above)"
    exit 1
fi
