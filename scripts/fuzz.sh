#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz.sh [--seconds N] [--runs R] [--jobs J] [--only NAME,...] [--no-qemu] [--smoke]
#         [--max-len BYTES] [--markdown]
#
# `make fuzz [FUZZ_SECONDS=N]`: runs every fuzz target for N seconds
# (default 60), one after the other (--jobs J: J at a time), at nice 15.
# --runs R: each target until it has executed R inputs instead (libFuzzer
# -runs), with --seconds N as a bound if given too (a long run:
# --runs 10000000). --only NAME,...: those targets alone, in that order
# (pccd's by file name, QEMU's as qemu:pcc-spool and so on; naming QEMU's
# alone skips the C++ build).
#   - pccd's libFuzzer targets (pccd/fuzz), built here in the sanitized
#     C++ build, build/cpp-asan (pcc_cpp_sanitized: clang,
#     -fsanitize=fuzzer,address,undefined); their seed corpora are made by
#     the build (pccd-fuzz-seeds, pccd's own encoders);
#   - QEMU's PCC targets (qemu/tests/qtest/fuzz/pcc_fuzz.c) in the
#     sanitized QEMU build's qemu-fuzz-aarch64 (scripts/build-qemu.sh
#     --sanitize), when it has been built: this script does not build QEMU.
# The working corpus and the findings of a target live in the cache,
# $QEMU_PCC_CACHE/fuzz/<target>/{corpus,findings}, and grow from run to run.
# Prints one row per target: executions, exec/s, coverage (libFuzzer's cov:
# and ft: of its last status line), corpus size and findings (crash, leak,
# timeout and oom files of this run); exits 1 when anything was found.
#
# --smoke: the CI smoke: every target 30 s, 2 at a time, on fresh corpora
# (the seeds) in build/fuzz-smoke (findings stay there).
# A QEMU target's seeds are written by the target itself
# (QEMU_PCC_FUZZ_SEEDS=DIR, pcc_fuzz.c) into an empty corpus.
# --max-len BYTES: no input longer than BYTES (libFuzzer -max_len; its
# default is 4096). A QEMU target's input is a list of commands of 10 to 30
# bytes and every input starts from a reset PCC host, so a longer input
# repeats commands rather than reaching new states, and costs time:
# pcc-socket ran 3,300 inputs a second while they were up to 350 bytes long,
# 1,000 once they were up to 1.5 KB.
# --markdown: the table as Markdown (for docs/security.md).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

seconds=${FUZZ_SECONDS:-} runs=${FUZZ_RUNS:-} jobs=${FUZZ_JOBS:-} only="" qemu=1 smoke=0 markdown=0
max_len=""
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift ;;
        --runs) runs=$2; shift ;;
        --jobs) jobs=$2; shift ;;
        --only) only=$2; shift ;;
        --max-len) max_len=$2; shift ;;
        --no-qemu) qemu=0 ;;
        --smoke) smoke=1 ;;
        --markdown) markdown=1 ;;
        *) pcc_die "unknown argument $1 (see the head of $0)" ;;
    esac
    shift
done
if [ $smoke = 1 ]; then
    seconds=${seconds:-30} jobs=${jobs:-2}
fi
if [ -z "$runs" ]; then
    seconds=${seconds:-60}
fi
jobs=${jobs:-1}
[ -z "$seconds" ] || [[ $seconds =~ ^[1-9][0-9]*$ ]] ||
    pcc_die "--seconds wants a positive number, not '$seconds'"
[ -z "$runs" ] || [[ $runs =~ ^[1-9][0-9]*$ ]] || pcc_die "--runs wants a positive number, not '$runs'"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || pcc_die "--jobs wants a positive number, not '$jobs'"
[ -z "$max_len" ] || [[ $max_len =~ ^[1-9][0-9]*$ ]] ||
    pcc_die "--max-len wants a positive number, not '$max_len'"

# --- pccd's targets: build (not when --only names QEMU's targets alone) ---
pccd=1
if [ -n "$only" ] && ! tr ',' '\n' <<<"$only" | grep -qv '^qemu:'; then
    pccd=0
fi
# Every target: "NAME KIND EXECUTABLE" (KIND pccd or qemu).
targets=()
if [ $pccd = 1 ]; then
    builddir=$(pcc_cpp_sanitized) || pcc_die "building pccd's fuzz targets (build/cpp-asan) failed"
    seeds=$builddir/pccd/fuzz/corpus
    for exe in "$builddir"/pccd/fuzz/fuzz_*; do
        [ -f "$exe" ] && [ -x "$exe" ] && targets+=("$(basename "$exe") pccd $exe")
    done
    [ ${#targets[@]} -gt 0 ] || pcc_die "no fuzz targets in $builddir/pccd/fuzz"
fi

qemu_fuzz=""
if [ $qemu = 1 ]; then
    for exe in "$PCC_CACHE"/build/qemu-asan/qemu-fuzz-aarch64 \
               "$PCC_CACHE"/build/qemu-fuzz*/qemu-fuzz-aarch64; do
        if [ -x "$exe" ]; then
            qemu_fuzz=$exe
            break
        fi
    done
    if [ -n "$qemu_fuzz" ]; then
        # Its usage lists the targets as "  * NAME  : DESCRIPTION".
        mapfile -t qemu_targets < <("$qemu_fuzz" 2>&1 | sed -n 's/^ *\* *\(pcc-[^ :]*\).*/\1/p')
        [ ${#qemu_targets[@]} -gt 0 ] || pcc_warn "$qemu_fuzz lists no pcc-* fuzz targets"
        for t in "${qemu_targets[@]}"; do
            targets+=("qemu:$t qemu $qemu_fuzz")
        done
    else
        pcc_log "no qemu-fuzz-aarch64 (scripts/build-qemu.sh --sanitize): QEMU's targets skipped"
    fi
fi

if [ -n "$only" ]; then
    # in the order given: with --jobs, name the slowest first
    wanted=()
    IFS=',' read -ra only_names <<<"$only"
    for want in "${only_names[@]}"; do
        for entry in "${targets[@]}"; do
            [ "${entry%% *}" = "$want" ] && wanted+=("$entry")
        done
    done
    [ ${#wanted[@]} -gt 0 ] || pcc_die "--only $only matches no target"
    targets=("${wanted[@]}")
fi

# The QEMU harness makes its spools and sockets in a private directory
# (g_dir_make_tmp, 0700) below TMPDIR; unless TMPDIR is set, on tmpfs when
# there is one: pcc-spool ran 1,979 inputs a second there, 1,524 on ext4.
qemu_tmpdir=${TMPDIR:-/tmp}
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && [ ! -L /dev/shm ]; then
    qemu_tmpdir=/dev/shm
fi

# libFuzzer's exit status when a signal stops it (-interrupted_exitcode)
interrupted_rc=72

results=$(mktemp -d "${TMPDIR:-/tmp}/pcc-fuzz.XXXXXX")
trap 'rm -rf "$results"' EXIT
if [ $smoke = 1 ]; then
    workroot=$PCC_BUILD/fuzz-smoke
    rm -rf "$workroot"
else
    workroot=$PCC_CACHE/fuzz
fi
mkdir -p "$workroot"
chmod 0700 "$workroot"

# run_target NAME KIND EXECUTABLE: one libFuzzer run; writes
# $results/NAME.row "NAME|EXECS|EXEC/S|COV|PCS|FT|CORPUS|FINDINGS|FIRST FINDING|SECONDS|INTERRUPTED".
run_target() {
    local name=$1 kind=$2 exe=$3
    local work=$workroot/${name//:/-}
    local log=$work/last-run.log mark=$work/.started
    mkdir -p "$work/corpus" "$work/findings"
    chmod 0700 "$work"
    # What every run of the target takes: QEMU's fuzz binary takes its
    # target only as its first argument; pccd and QEMU log every input they
    # reject on stderr, -close_fd_mask=2 silences the target (libFuzzer and
    # the sanitizers keep a copy of stderr).
    local target=()
    [ "$kind" = pccd ] || target=("--fuzz-target=${name#qemu:}")
    local common=("${target[@]}" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2
                  -interrupted_exitcode="$interrupted_rc" -artifact_prefix="$work/findings/")
    local args=("${common[@]}" -print_final_stats=1)
    [ -z "$seconds" ] || args+=(-max_total_time="$seconds")
    [ -z "$runs" ] || args+=(-runs="$runs")
    [ -z "$max_len" ] || args+=(-max_len="$max_len")
    if [ "$kind" = pccd ]; then
        cp -f "$seeds/$name"/* "$work/corpus/" 2>/dev/null || true
    else
        if [ -z "$(find "$work/corpus" -maxdepth 1 -type f -print -quit)" ]; then
            QEMU_PCC_FUZZ_SEEDS=$work/corpus "$exe" "${target[@]}" >"$work/seeds.log" 2>&1 ||
                pcc_warn "$name: writing its seeds failed ($work/seeds.log)"
        fi
        # LeakSanitizer's scan of QEMU's heap after every input that ends
        # with more allocations than frees made the run 6 times slower:
        # off while fuzzing, then one replay of the whole corpus with it
        # on (libFuzzer checks every seed input for leaks).
        args+=(-detect_leaks=0)
    fi
    touch "$mark"
    # A QEMU target's spools and sockets go in a directory of this run's own,
    # removed after it: a target stopped on a signal exits without its
    # atexit clean-up.
    local tmp
    tmp=$(mktemp -d "$qemu_tmpdir/pcc-fuzz-run.XXXXXX")
    local start=$SECONDS rc=0
    TMPDIR=$tmp nice -n 15 "$exe" "${args[@]}" "$work/corpus" >"$log" 2>&1 || rc=$?
    # Stopped by SIGINT or SIGTERM before its bound: what it ran counts, and
    # its corpus is whole (libFuzzer writes each input before it goes on).
    local interrupted=0
    if [ $rc = "$interrupted_rc" ]; then
        interrupted=1 rc=0
    fi
    if [ "$kind" = qemu ] && [ $rc = 0 ]; then
        TMPDIR=$tmp nice -n 15 "$exe" "${common[@]}" -runs=0 -detect_leaks=1 "$work/corpus" \
            >"$work/leak-replay.log" 2>&1 || rc=$?
    fi
    rm -rf "$tmp"
    local execs eps cov pcs ft corpus findings first
    # a log without a status line (a target that died at once) leaves them empty
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2) || true
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2) || true
    pcs=$(sed -n 's/.*PC tables ([0-9]*: *\([0-9]*\) PCs.*/\1/p; s/.*PC tables (\([0-9]*\) PCs).*/\1/p' "$log" | head -1)
    corpus=$(find "$work/corpus" -maxdepth 1 -type f | wc -l)
    mapfile -t found < <(find "$work/findings" -maxdepth 1 -type f -newer "$mark" \
                         \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
                            -o -name 'oom-*' \) | sort)
    findings=${#found[@]}
    first=${found[0]:-}
    if [ "$findings" = 0 ] && [ $rc != 0 ]; then
        # Died without leaving an input (e.g. in its initialisation).
        findings=1 first="exit status $rc, see $log"
    fi
    printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$name" "${execs:-?}" "${eps:-?}" "${cov:-?}" \
        "${pcs:-?}" "${ft:-?}" "$corpus" "$findings" "$first" "$((SECONDS - start))" \
        "$interrupted" >"$results/${name//:/-}.row"
    return 0
}

pcc_log "fuzzing ${#targets[@]} targets, ${runs:+$runs inputs}${runs:+${seconds:+ or }}${seconds:+$seconds s} each," \
    "${max_len:+inputs of up to $max_len bytes, }$jobs at a time (corpora in $workroot)"
t0=$SECONDS
for entry in "${targets[@]}"; do
    read -r name kind exe <<<"$entry"
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n || true
    done
    pcc_log "$name"
    run_target "$name" "$kind" "$exe" &
done
wait
wall=$((SECONDS - t0))

total_findings=0 finding_lines=() interrupted_names=()
if [ $markdown = 1 ]; then
    echo "| target | executions | exec/s | cov (of PCs) | ft | corpus | findings |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
else
    printf '%-28s %12s %8s %14s %7s %7s %8s\n' target executions exec/s 'cov (of PCs)' ft corpus \
        findings
fi
for entry in "${targets[@]}"; do
    name=${entry%% *}
    row=$results/${name//:/-}.row
    [ -s "$row" ] || printf '%s|?|?|?|?|?|?|1|the run left no result (fuzz.sh)|0\n' "$name" >"$row"
    IFS='|' read -r n execs eps cov pcs ft corpus findings first _ interrupted <"$row"
    total_findings=$((total_findings + findings))
    if [ $markdown = 1 ]; then
        echo "| $n | $execs | $eps | $cov ($pcs) | $ft | $corpus | $findings |"
    else
        printf '%-28s %12s %8s %14s %7s %7s %8s\n' "$n" "$execs" "$eps" "$cov ($pcs)" "$ft" \
            "$corpus" "$findings"
    fi
    [ -z "$first" ] || finding_lines+=("$n: $first")
    [ "${interrupted:-0}" = 0 ] || interrupted_names+=("$n")
done
for line in "${finding_lines[@]}"; do
    printf 'finding: %s\n' "$line"
done
for n in "${interrupted_names[@]}"; do
    printf 'interrupted: %s stopped on a signal before its bound (not a finding)\n' "$n"
done
pcc_log "wall time ${wall} s; logs: $workroot/<target>/last-run.log"
if [ $total_findings -gt 0 ]; then
    pcc_log "$total_findings finding(s): reproduce with the target and the file, e.g." \
        "$PCC_BUILD/cpp-asan/pccd/fuzz/fuzz_mctp FILE or ${qemu_fuzz:-qemu-fuzz-aarch64} --fuzz-target=pcc-spool FILE"
    exit 1
fi
