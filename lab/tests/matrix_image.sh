#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The matrix's image:IMAGE:MODULES column boots a kernel that the user
# names (meson test, suite lab-boot): the lab kernel's Image and modules
# tree, as `pcc-lab kernel` prints them, on xgene-hwmon, whose driver is a
# module of that tree. Every check must run and pass (--fail-on-skip): a
# column whose image or modules were not found is a failure, not a skip.
#   lab/tests/matrix_image.sh PATH/TO/pcc-lab
set -u
lab=$(realpath "${1:?usage: matrix_image.sh PATH/TO/pcc-lab}")
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
    echo "SKIP: no aarch64-linux-gnu-gcc for the lab kernel (make deps)"
    exit 77
fi
paths=$("$lab" kernel) || { echo "FAIL: pcc-lab kernel exited $?"; exit 1; }
image=$(awk '$1 == "kernel" {print $2}' <<<"$paths")
modules=$(awk '$1 == "modules" {print $2}' <<<"$paths")
exec "$here/scenarios.sh" "$lab" --kernels "image:$image:$modules" --fail-on-skip xgene-hwmon
