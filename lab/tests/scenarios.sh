#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scenarios of lab/scenarios must boot and pass (meson test, suite
# lab-boot): `pcc-lab run` with them, its TAP on stdout, its exit status.
#   lab/tests/scenarios.sh PATH/TO/pcc-lab SCENARIO...
#   lab/tests/scenarios.sh PATH/TO/pcc-lab --kernels LIST [--fail-on-skip] SCENARIO...
#                          the same as `pcc-lab matrix --kernels LIST`
#                          (a failed cell fails; its matrix.md is shown;
#                          --fail-on-skip: a skipped cell or check too)
# Exit 77 (skip) when the QEMU lacks a device class a scenario plugs in, or
# pccd is not built.
set -u
lab=$(realpath "${1:?usage: scenarios.sh PATH/TO/pcc-lab SCENARIO...}")
shift
kernels="" strict=()
if [ "${1:-}" = --kernels ]; then
    kernels=${2:?--kernels LIST}
    shift 2
    if [ "${1:-}" = --fail-on-skip ]; then
        strict=(--fail-on-skip)
        shift
    fi
fi
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if ! "$lab" prepare >"$out/prepare" 2>"$out/prepare.err"; then
    echo "SKIP: pcc-lab prepare failed:"; tail -n 5 "$out/prepare.err"; exit 77
fi
if grep -q '^pccd (not built)' "$out/prepare"; then
    echo "SKIP: pccd is not built"; exit 77
fi
qemu=$(awk '$1 == "qemu" {print $2}' "$out/prepare")
"$qemu" -M virt -device help >"$out/devices" 2>/dev/null
for scenario in "$@"; do
    conf=$here/../scenarios/$scenario.conf
    [ -f "$conf" ] || { echo "FAIL: no scenario $conf"; exit 1; }
    while read -r class; do
        if ! grep -q "\"$class\"" "$out/devices"; then
            echo "SKIP: $qemu has no $class (scenario $scenario; scripts/build-qemu.sh)"; exit 77
        fi
    done < <(sed -n 's/^device *= *\([^,]*\).*/\1/p' "$conf")
done
if [ -n "$kernels" ]; then
    # kept after the test: the cells' logs
    mdir=${QEMU_PCC_CACHE:-$HOME/.cache/qemu-pcc}/lab/matrix/meson-test
    rm -rf "$mdir"
    "$lab" matrix -q "${strict[@]}" --kernels "$kernels" --out "$mdir" "$@" 2>"$out/stderr"
    rc=$?
    [ ! -f "$mdir/matrix.md" ] || cat "$mdir/matrix.md"
else
    "$lab" run -q "$@" 2>"$out/stderr"
    rc=$?
fi
[ "$rc" = 0 ] || tail -n 20 "$out/stderr"
exit "$rc"
