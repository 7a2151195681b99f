#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab/setup.sh: everything `build/pcc-lab run` needs, idempotent:
#   * the host build of the top-level meson project (only the lab's targets
#     are built here) in $PCC_CPP_BUILD (default build/cpp, like
#     `make pccd`), and the symlink build/pcc-lab
#   * the pinned guest artefacts (lab/fetch.sh)
#   * the cross-built guest programs (lab/build-guest.sh)
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

bdir=${PCC_CPP_BUILD:-$PCC_BUILD/cpp}
t0=$(date +%s.%N)
pcc_meson_dir "$bdir" "$PCC_ROOT" || pcc_die "meson setup $bdir failed"
targets=(lab/pcc-lab)
# the unit tests exist when googletest was found
ninja -C "$bdir" -t query lab/pcc-lab-unit-tests >/dev/null 2>&1 && targets+=(lab/pcc-lab-unit-tests)
ninja -C "$bdir" -j"${PCC_JOBS:-2}" "${targets[@]}" >&2 || pcc_die "building pcc-lab failed"
mkdir -p "$PCC_BUILD"
if [ "$bdir" = "$PCC_BUILD/cpp" ]; then
    ln -sfn cpp/lab/pcc-lab "$PCC_BUILD/pcc-lab"
else
    ln -sfn "$bdir/lab/pcc-lab" "$PCC_BUILD/pcc-lab"
fi
t1=$(date +%s.%N)
"$PCC_ROOT/lab/fetch.sh" >/dev/null
t2=$(date +%s.%N)
"$PCC_ROOT/lab/build-guest.sh" >/dev/null
t3=$(date +%s.%N)
pcc_log "$(awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
    printf "pcc-lab %.1f s, guest artefacts %.1f s, guest programs %.1f s", b - a, c - b, d - c }')"
echo "build/pcc-lab -> $bdir/lab/pcc-lab"
