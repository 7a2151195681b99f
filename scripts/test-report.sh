# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The tally of test results that run-tests.sh (make check) and
# check-asan.sh (make check-asan) share. Source it after lib.sh:
#   record RESULT NAME        one result: OK and EXPECTEDFAIL pass, SKIP
#                             skips, anything else fails
#   section TITLE...          a heading in the output
#   meson_run BUILDDIR [meson test args...]
#                             run meson test, then record each test of its
#                             testlog.json
#   qtests_run BUILDDIR [--MESON-TEST-OPTION=VALUE...] TEST...
#                             the qtests qtest-aarch64/TEST of a QEMU build
#                             dir (meson_run, with those options); a TEST
#                             it lacks fails
#   report_summary            every result, then "N passed, N failed,
#                             N skipped"; returns 1 if anything failed

passed=0 failed=0 skipped=0 summary=()
record() {  # RESULT NAME
    case $1 in
        OK | EXPECTEDFAIL) passed=$((passed + 1)) ;;
        SKIP) skipped=$((skipped + 1)) ;;
        *) failed=$((failed + 1)) ;;
    esac
    summary+=("$(printf '%-8s %s' "$1" "$2")")
}
section() { printf '\n===== %s =====\n' "$*"; }

# meson_run BUILDDIR [meson test args...]: run, then tally testlog.json.
meson_run() {
    local dir=$1 log=$1/meson-logs/testlog.json
    shift
    rm -f "$log"
    meson test -C "$dir" --no-rebuild --print-errorlogs "$@" || true
    if [ ! -s "$log" ]; then
        record FAIL "meson test $* in $dir (no results)"
        return
    fi
    while read -r res name; do record "$res" "$name"; done < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    print(t["result"], t["name"])' "$log")
}

qtests_run() {
    local dir=$1 listed t qtests=() missing=() options=()
    shift
    while [[ ${1:-} == --* ]]; do
        options+=("$1")
        shift
    done
    listed=$(meson test -C "$dir" --list 2>/dev/null)
    for t in "$@"; do
        # depending on its version, meson lists "qemu:qtest-aarch64/T" or
        # "qemu:qtest+qtest-aarch64 / qtest-aarch64/T"
        if grep -qE "(:| / )qtest-aarch64/$t\$" <<<"$listed"; then
            qtests+=("qtest-aarch64/$t")
        else
            missing+=("$t")
        fi
    done
    section "QEMU qtests: ${qtests[*]}"
    [ ${#qtests[@]} -eq 0 ] || meson_run "$dir" "${options[@]}" "${qtests[@]}"
    [ ${#missing[@]} -eq 0 ] ||
        record FAIL "qtests missing from the QEMU build $dir: ${missing[*]}"
}

report_summary() {
    section "Summary"
    printf '%s\n' "${summary[@]}"
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
}
