#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-sid.sh: does the overlay (qemu/ + qemu-patches/) still apply to and
# build against QEMU from sid (QEMU_SID_VERSION, with fallback in its
# series)? Own working tree and build dir under the cache; build/ symlinks
# are left alone. Prints PASS or FAIL on the last line.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

start=$SECONDS

# A sid variant of a patch may differ from the main one in its context
# only: the lines it adds and removes must be the same.
changed_lines() { grep -E '^[-+]' "$1" | grep -vE '^(---|\+\+\+) '; }
for variant in "$PCC_ROOT"/qemu-patches/sid/*.patch; do
    [ -e "$variant" ] || continue
    main=$PCC_ROOT/qemu-patches/$(basename "$variant")
    [ -f "$main" ] || pcc_die "qemu-patches/sid/$(basename "$variant") has no main patch"
    cmp -s <(changed_lines "$main") <(changed_lines "$variant") ||
        pcc_die "qemu-patches/sid/$(basename "$variant") changes other lines than its main patch"
done

if "$PCC_ROOT/scripts/build-qemu.sh" --flavor sid qemu-system-aarch64 &&
        "$PCC_CACHE/build/qemu-sid/qemu-system-aarch64" -M virt \
            -device pcc-mctp,help >/dev/null; then
    src=$(head -n1 "$PCC_CACHE/build/qemu-sid/.pcc-configured")
    echo "check-sid: PASS ($(basename "$src"), $((SECONDS - start)) s)"
else
    echo "check-sid: FAIL (see the messages above)"
    exit 1
fi
