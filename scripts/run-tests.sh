#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-tests.sh: everything `make check` runs, in order:
#   1. build QEMU (+ qtest binaries) and run the qtests: the PCC tests
#      (qemu/tests/qtest/pcc*-test.c), qom-test, device-introspect-test,
#      bios-tables-test
#   2. build the C++ project (build/cpp) and run all its meson tests
#   3. ShellCheck on the shell glue
# Counts one result per test program (meson test) and ends with the line
# "N passed, N failed, N skipped"; exits non-zero on any failure.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck source=test-report.sh
. "$PCC_ROOT/scripts/test-report.sh"

# Tests that need QEMU find it here (tests/integration, bench, lab).
export PCC_QEMU=${PCC_QEMU:-$PCC_BUILD/qemu-system-aarch64}
# The qtests' independent table oracle: the pinned ACPICA iasl.
PCC_IASL=$(pcc_iasl) || pcc_die "cannot provide iasl (config/versions.env ACPICA_*)"
export PCC_IASL

# --- 1. QEMU + qtests -------------------------------------------------------
section "QEMU build"
if "$PCC_ROOT/scripts/build-qemu.sh" --tests; then
    qb=$PCC_CACHE/build/qemu-main
    # bios-tables-test boots edk2 from pc-bios/ of the build dir; Debian's
    # +ds source has no edk2 blobs, so use the pinned qemu-efi-aarch64.
    efi=$(pcc_efi_dir)/usr/share/AAVMF
    ln -sfn "$efi/AAVMF_CODE.no-secboot.fd" "$qb/pc-bios/edk2-aarch64-code.fd"
    ln -sfn "$efi/AAVMF_VARS.fd" "$qb/pc-bios/edk2-arm-vars.fd"

    # shellcheck disable=SC2046 # one name per word
    qtests_run "$qb" $(pcc_qtests)
    # acpi/virt/memhp compares an NVDIMM buffer address that the firmware
    # allocates: it differs with Debian's edk2 build, so it is skipped.
    section "QEMU qtest: bios-tables-test (skipping /aarch64/acpi/virt/memhp)"
    meson_run "$qb" --test-args='-s /aarch64/acpi/virt/memhp' qtest-aarch64/bios-tables-test
    grep -E '^(ok|not ok) ' "$qb/meson-logs/testlog.txt" | sed 's/^/  bios-tables-test: /' \
        || pcc_warn_loud "bios-tables-test ran no aarch64 case" \
            "It registers them only when virtio-blk-pci is built; its cases also" \
            "use virtio-scsi-pci + scsi-cd, nvdimm and virtio-iommu-pci. Add to" \
            "config/qemu-aarch64-devices.mak: CONFIG_VIRTIO_BLK=y CONFIG_VIRTIO_SCSI=y" \
            "CONFIG_NVDIMM=y CONFIG_VIRTIO_IOMMU=y"
else
    record FAIL "QEMU build (scripts/build-qemu.sh --tests)"
fi

# --- 2. C++ project -----------------------------------------------------------
section "C++ build (build/cpp)"
cpp=$PCC_BUILD/cpp
if pcc_meson_dir "$cpp" "$PCC_ROOT" && ninja -C "$cpp" -j2; then
    if [ -n "$(meson test -C "$cpp" --list 2>/dev/null)" ]; then
        section "C++ tests"
        meson_run "$cpp" --num-processes 2
    else
        echo "(no C++ tests registered)"
    fi
else
    record FAIL "C++ build (meson setup/ninja in build/cpp)"
fi

# --- 3. shell glue ------------------------------------------------------------
section "ShellCheck"
# the list of scripts is the Makefile's (make shellcheck)
if make -s -C "$PCC_ROOT" shellcheck; then
    record OK shellcheck
else
    record FAIL shellcheck
fi

report_summary
