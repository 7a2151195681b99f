#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Self-test of the lab runner: broken setups must make `pcc-lab run` fail
# with a message that names the cause, and the good defaults must pass.
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
# X-Gene hwmon: needs a QEMU with pcc-xgene-hwmon and pccd
if ! "$qemu" -M virt -device help 2>/dev/null | grep -q '"pcc-xgene-hwmon"'; then
    echo "skip: X-Gene cases: $qemu has no pcc-xgene-hwmon device (rebuild it: scripts/build-qemu.sh)"
elif grep -q '^pccd (not built)' "$out/prepare"; then
    echo "skip: X-Gene cases: pccd is not built"
else
    # pccd drops every SLIMpro request: the read times out, the kernel says
    # so; and a device expected at channel 6 is named as missing
    expect broken-xgene-hwmon 1 \
        '^not ok [0-9]+ - broken-xgene-hwmon: hwmon-apm_xgene-temp1_input: .*temp1_input: read failed with ETIMEDOUT.*kernel log: .*Mailbox operation timed out' \
        '^not ok [0-9]+ - broken-xgene-hwmon: xgene-c6-ssdt: no APMC0D29 device whose _DSD pcc-channel is 6 .*XH04\(pcc-channel 4\)' \
        '^not ok [0-9]+ - broken-xgene-hwmon: xgene-c6-driver: Linux enumerated no ACPI device APMC0D29 with _UID 6' \
        '^ok [0-9]+ - broken-xgene-hwmon: xgene-c4-driver: xgene-slimpro-hwmon bound'
    # no xgene-hwmon module: the guest says the driver is missing
    expect broken-xgene-no-driver 1 \
        '^not ok [0-9]+ - broken-xgene-no-driver: xgene-c0-driver: APMC0D29:00 has no driver: xgene-slimpro-hwmon is not registered' \
        "^not ok [0-9]+ - broken-xgene-no-driver: hwmon-apm_xgene-temp1_input: no hwmon device named 'apm_xgene'.*not registered"
    # control: the real scenario passes, including the value changed in pccd
    cp "$here/../scenarios/xgene-hwmon.conf" "$out/xgene-hwmon.conf"
    here_saved=$here; here=$out
    expect xgene-hwmon 0 '^ok [0-9]+ - xgene-hwmon: host-set-temp' \
        '^ok [0-9]+ - xgene-hwmon: hwmon-apm_xgene-temp1_input-changed: .* = -7000 ' '^# xgene-hwmon: PASS'
    here=$here_saved
fi
# The PCC client devices (CPPC, OperationRegion, SLIMpro I2C): needs a QEMU
# with them and pccd; their passing scenarios are the test "lab scenarios"
if ! "$qemu" -M virt -device help 2>/dev/null | grep -q '"pcc-xgene-i2c"'; then
    echo "skip: PCC client cases: $qemu has no pcc-xgene-i2c device (rebuild it: scripts/build-qemu.sh)"
elif grep -q '^pccd (not built)' "$out/prepare"; then
    echo "skip: PCC client cases: pccd is not built"
else
    # every wrong expectation is named with what Linux and pccd showed
    expect broken-pcc-clients 1 \
        '^not ok [0-9]+ - broken-pcc-clients: cppc-cpu1-caps: .*highest_perf is 320, the setting says 330' \
        '^ok [0-9]+ - broken-pcc-clients: cppc-cpu0-caps: ' \
        "^not ok [0-9]+ - broken-pcc-clients: host-desired-perf: .* printed 'ok 150', expected 'ok 151'" \
        '^not ok [0-9]+ - broken-pcc-clients: thermal-c1-temp: .*temp = 40000 \(expected 36800 ' \
        '^not ok [0-9]+ - broken-pcc-clients: xgene-i2c-c2-detect: .*present 0x52, .*expected present 0x50' \
        '^not ok [0-9]+ - broken-pcc-clients: xgene-i2c-c2-0x52-absent: .*expected ENODEV' \
        '^ok [0-9]+ - broken-pcc-clients: xgene-i2c-c2-driver: xgene-slimpro-i2c bound'
fi
# control: the same devices with the right expectations pass
cp "$here/../scenarios/pcc-core.conf" "$out/pcc-core.conf"
here_saved=$here; here=$out
expect pcc-core 0 '^ok [0-9]+ - pcc-core: mctp-c2-ssdt' '^# pcc-core: PASS'
here=$here_saved

[ $fails = 0 ] && echo "selftest: all passed" || echo "selftest: $fails failure(s)"
[ $fails = 0 ]
