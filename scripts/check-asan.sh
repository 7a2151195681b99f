#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-asan.sh: `make check-asan`, the tests again with AddressSanitizer
# and UndefinedBehaviorSanitizer:
#   1. QEMU with ASan + UBSan (+ QEMU's fuzzing, which shares the build)
#      in the cache's build/qemu-asan: scripts/build-qemu.sh --sanitize
#   2. pccd, the lab runner and the tests with -fsanitize=address,undefined
#      in build/cpp-asan (pcc_cpp_sanitized, clang; make fuzz uses it too)
#   3. the PCC qtests against the sanitized QEMU
#   4. the C++ project's unit and integration tests (PCC_QEMU = the
#      sanitized QEMU), not the lab's boots and kernel build
#   5. one lab scenario per device class, sanitized QEMU and pccd
# Any sanitizer report is fatal for the process that makes it, and is
# also written to build/check-asan/reports/ (log_path): a report there
# fails the step that made it, whatever the process's exit status told
# its parent. LeakSanitizer runs with config/lsan-suppressions.txt.
# Ends with "N passed, N failed, N skipped" and the time of each step.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test-report.sh
. "$PCC_ROOT/scripts/test-report.sh"

# One scenario per device class (lab/scenarios)
scenarios=(pcc-core xgene-hwmon xgene-i2c cppc opregion-thermal
           kunpeng-hccs-b1 hisi-uncore raw)

out=$PCC_BUILD/check-asan
reports=$out/reports
rm -rf "$out"
mkdir -p "$reports"
chmod 0700 "$out"
suppressions=$PCC_ROOT/config/lsan-suppressions.txt
# fast_unwind_on_malloc=0: whole allocation stacks, so that a suppression
# can name the QEMU function that leaks (the fast unwinder stops early).
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:detect_leaks=1:fast_unwind_on_malloc=0:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export LSAN_OPTIONS="suppressions=$suppressions:print_suppressions=0"

times=()
timed() {  # NAME SECONDS
    times+=("$(printf '%-34s %4d s' "$1" "$2")")
}
# reports_check STEP: a sanitizer report written during STEP fails it
reports_check() {
    local f found=0
    for f in "$reports"/*; do
        [ -e "$f" ] || continue
        # ASan's warning that it does not fully support QEMU's coroutines
        # (makecontext/swapcontext) is no report
        if ! grep -qE 'ERROR|runtime error|SUMMARY' "$f"; then
            rm -f "$f"
            continue
        fi
        found=1
        echo "---- sanitizer report $f"
        cat "$f"
        mv "$f" "$out/$(basename "$f").$1"
    done
    if [ $found = 1 ]; then
        record FAIL "sanitizer reports during $1 (build/check-asan/*.$1)"
    else
        record OK "no sanitizer report during $1"
    fi
}

PCC_IASL=$(pcc_iasl) || pcc_die "cannot provide iasl (config/versions.env ACPICA_*)"
export PCC_IASL
qb=$PCC_CACHE/build/qemu-asan
qemu=$qb/qemu-system-aarch64
cpp=$PCC_BUILD/cpp-asan

# --- 1. QEMU ----------------------------------------------------------------
section "QEMU build (ASan, UBSan, fuzzing): $qb"
t0=$SECONDS
qemu_ok=0
if nice -n 10 "$PCC_ROOT/scripts/build-qemu.sh" --sanitize --tests \
        qemu-system-aarch64 qemu-fuzz-aarch64; then
    qemu_ok=1
else
    record FAIL "QEMU build (scripts/build-qemu.sh --sanitize --tests)"
fi
timed "QEMU build (ASan)" $((SECONDS - t0))

# --- 2. C++ project -----------------------------------------------------------
section "C++ build ($cpp, clang, -fsanitize=address,undefined)"
t0=$SECONDS
cpp_ok=0
if pcc_cpp_sanitized >/dev/null; then
    cpp_ok=1
else
    record FAIL "C++ build (meson setup/ninja in build/cpp-asan)"
fi
timed "C++ build (ASan)" $((SECONDS - t0))

# --- 3. qtests ------------------------------------------------------------------
if [ $qemu_ok = 1 ]; then
    t0=$SECONDS
    # ASan and UBSan make QEMU 5 to 6 times slower: pcc-test and
    # pcc-migration-test then need more than meson's 60 s
    # shellcheck disable=SC2046 # one name per word
    qtests_run "$qb" --timeout-multiplier=5 $(pcc_qtests | grep '^pcc')
    reports_check qtests
    timed "qtests (ASan QEMU)" $((SECONDS - t0))
fi

# --- 4. C++ tests ---------------------------------------------------------------
if [ $cpp_ok = 1 ] && [ $qemu_ok = 1 ]; then
    section "C++ unit and integration tests (ASan pccd, ASan QEMU)"
    t0=$SECONDS
    # not the lab's boots and kernel build (suite lab-boot): step 5 boots
    # one scenario per class
    PCC_QEMU=$qemu meson_run "$cpp" --no-suite lab-boot --num-processes 2 \
        --timeout-multiplier 3
    reports_check "C++ tests"
    timed "C++ tests (ASan)" $((SECONDS - t0))
fi

# --- 5. lab scenarios -------------------------------------------------------------
if [ $cpp_ok = 1 ] && [ $qemu_ok = 1 ]; then
    for s in "${scenarios[@]}"; do
        section "lab scenario $s (ASan QEMU, ASan pccd)"
        t0=$SECONDS
        if "$cpp/lab/pcc-lab" run -q "$s" --qemu "$qemu" --pccd "$cpp/pccd/pccd" \
                --timeout 300 --log-dir "$out/lab/$s"; then
            record OK "lab scenario $s"
        else
            record FAIL "lab scenario $s (logs: build/check-asan/lab/$s)"
        fi
        reports_check "lab $s"
        timed "lab $s" $((SECONDS - t0))
    done
fi

section "Times"
printf '%s\n' "${times[@]}"
report_summary
