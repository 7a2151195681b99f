#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Self-test of the lab runner: broken setups must make `pcc-lab run` fail
# with a message that names the cause, and the good default must pass.
#   lab/tests/selftest.sh PATH/TO/pcc-lab        (meson test: suite lab-boot)
# Exit 77 (skip) when the QEMU with the PCC devices is not built.
set -u
lab=$(realpath "${1:?usage: selftest.sh PATH/TO/pcc-lab}")
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fails=0

if ! "$lab" prepare >"$out/prepare" 2>"$out/prepare.err"; then
    echo "SKIP: pcc-lab prepare failed:"; tail -n 5 "$out/prepare.err"; exit 77
fi
qemu=$(awk '$1 == "qemu" {print $2}' "$out/prepare")
if ! "$qemu" -M virt -device help 2>/dev/null | grep -q '"pcc-mctp"'; then
    echo "SKIP: $qemu has no pcc-mctp device (build it with scripts/build-qemu.sh)"; exit 77
fi

# expect NAME WANT_RC PATTERN... : run a scenario, check rc and messages
expect() {
    local name=$1 want=$2 rc pat
    shift 2
    "$lab" run -q --log-dir "$out/log-$name" "$here/$name.conf" >"$out/$name.tap" 2>"$out/$name.err"
    rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL: $name: pcc-lab exited $rc, expected $want"; fails=$((fails + 1))
        sed 's/^/    /' "$out/$name.tap" "$out/$name.err" | tail -n 40
        return
    fi
    for pat in "$@"; do
        if ! grep -qE -- "$pat" "$out/$name.tap"; then
            echo "FAIL: $name: output lacks /$pat/"; fails=$((fails + 1))
            sed 's/^/    /' "$out/$name.tap" | tail -n 40
            return
        fi
    done
    echo "ok: $name: exit $rc, output names the cause"
}

# QEMU refuses two devices on one channel: fails fast, shows QEMU's words
expect broken-qemu-device 1 \
    '^not ok [0-9]+ - broken-qemu-device: boot: QEMU exited with status 1 before the guest finished; QEMU said: .*pcc'
# the guest is told to expect a third endpoint at channel 4
expect broken-mctp-channel 1 \
    '^not ok [0-9]+ - broken-mctp-channel: kmsg-detected: pcc.c: Detected 4 PCC Subspaces \(expected 6\)' \
    '^not ok [0-9]+ - broken-mctp-channel: mctp-c4-pcct: subspace 4 is missing, expected type 3' \
    '^not ok [0-9]+ - broken-mctp-channel: mctp-c4-ssdt: no DMT0001 device whose _CRS starts with PCC subspace 4' \
    '^ok [0-9]+ - broken-mctp-channel: mctp-c0-ssdt'
# control: the same devices with the right expectations pass
cp "$here/../scenarios/pcc-core.conf" "$out/pcc-core.conf"
here_saved=$here; here=$out
expect pcc-core 0 '^ok [0-9]+ - pcc-core: mctp-c2-ssdt' '^# pcc-core: PASS'
here=$here_saved

[ $fails = 0 ] && echo "selftest: all passed" || echo "selftest: $fails failure(s)"
[ $fails = 0 ]
