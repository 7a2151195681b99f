#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-qemu.sh [main|sid]: download + extract the pinned Debian QEMU source
# (cached, with fallback inside its series) and overlay qemu/ + qemu-patches/.
# Prints the working tree's path.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

flavor=${1:-main}
pristine=$(pcc_qemu_tree "$flavor")
work=$PCC_CACHE/work/$(basename "$pristine")
PCC_FLAVOR=$flavor "$PCC_ROOT/scripts/overlay.sh" "$pristine" "$work"
echo "$work"
