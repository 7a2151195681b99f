#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The lab kernel must build (meson test, suite lab-boot; it runs before the
# scenarios with `kernel = lab`, which would otherwise build it inside their
# own time limit): `pcc-lab kernel` from whatever the cache holds, a clean
# cache included (download, unpack, config, Image, modules, pcc_raw.ko).
#   lab/tests/kernel.sh PATH/TO/pcc-lab
# Exit 77 (skip) without the cross compiler (make deps installs it).
set -u
lab=$(realpath "${1:?usage: kernel.sh PATH/TO/pcc-lab}")
if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
    echo "SKIP: no aarch64-linux-gnu-gcc (apt-get install gcc-aarch64-linux-gnu, or make deps)"
    exit 77
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$SECONDS
"$lab" kernel >"$out" || { echo "FAIL: pcc-lab kernel exited $?"; exit 1; }
cat "$out"
echo "pcc-lab kernel: $((SECONDS - start)) s"
image=$(awk '$1 == "kernel" {print $2}' "$out")
modules=$(awk '$1 == "modules" {print $2}' "$out")
config=$(awk '$1 == "config" {print $2}' "$out")
fails=0
for f in "$image" "$modules/extra/pcc_raw.ko" "$config"; do
    [ -s "$f" ] || { echo "FAIL: pcc-lab kernel printed $f, which is missing or empty"; fails=1; }
done
# the PCC clients the lab kernel exists for (lab/kernel/pcc-lab.config)
for sym in CONFIG_PCC=y CONFIG_ACPI_PCC=y CONFIG_MCTP=y CONFIG_KUNPENG_HCCS=m \
    CONFIG_ARM_HISI_UNCORE_DEVFREQ=m CONFIG_SENSORS_XGENE=m CONFIG_ACPI_CPPC_CPUFREQ=m; do
    grep -qx "$sym" "$config" || { echo "FAIL: $config lacks $sym"; fails=1; }
done
exit "$fails"
