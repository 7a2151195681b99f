#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# overlay.sh PRISTINE WORK
#
# Make WORK = PRISTINE + qemu/ (new files, copied 1:1) + the devices file
# (configs/devices/aarch64-softmmu/qemu-pcc.mak) + qemu-patches/series applied.
# With PCC_FLAVOR=sid, qemu-patches/sid/NAME (if any) replaces NAME.
#
# Incremental: only the files that the overlay touches (now or last time,
# recorded in WORK/.pcc-manifest) are computed, in a small staging tree, and
# copied into WORK only when their content differs. Everything else keeps its
# mtime, so ninja rebuilds only what changed. Files that left qemu/ or the
# patches are restored from PRISTINE (or deleted if PRISTINE lacks them).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || pcc_die "usage: $0 PRISTINE WORK"
pristine=$(cd "$1" && pwd)
work=$2
overlay=$PCC_ROOT/qemu
patchdir=$PCC_ROOT/qemu-patches
devmak_src=${QEMU_PCC_DEVICES_MAK:-$PCC_ROOT/config/qemu-aarch64-devices.mak}
devmak_dst=configs/devices/aarch64-softmmu/qemu-pcc.mak

# One overlay/build at a time per working tree (build-qemu.sh holds the
# lock for the whole build and says so with PCC_WORK_LOCKED).
if [ "${PCC_WORK_LOCKED:-}" != "$work" ]; then
    mkdir -p "$(dirname "$work")"
    exec {lock}>"$work.lock"
    flock "$lock"
fi

# 1. A fresh WORK is a plain copy of PRISTINE. The marker carries a creation
#    time that build-qemu.sh puts in its configure stamp: a re-created WORK
#    means a clean build (restored files would otherwise look old to ninja).
if [ "$(head -n1 "$work/.pcc-pristine" 2>/dev/null)" != "$pristine" ]; then
    pcc_log "creating working tree $work from $pristine"
    rm -rf "$work" "$work.tmp"
    mkdir -p "$(dirname "$work")"
    cp -a "$pristine" "$work.tmp"
    rm -f "$work.tmp/.pcc-extracted"
    : >"$work.tmp/.pcc-manifest"
    printf '%s\n%s\n' "$pristine" "$(date +%s.%N)" >"$work.tmp/.pcc-pristine"
    mv "$work.tmp" "$work"
fi

# 2. The patches, in series order (quilt style: one name per line, '#' comments).
patches=()
if [ -f "$patchdir/series" ]; then
    while read -r name _; do
        [ -n "$name" ] || continue
        # qemu-patches/sid/NAME, if present, replaces NAME for the sid build
        if [ "${PCC_FLAVOR:-main}" != main ] && [ -f "$patchdir/$PCC_FLAVOR/$name" ]; then
            pcc_log "using qemu-patches/$PCC_FLAVOR/$name"
            patches+=("$patchdir/$PCC_FLAVOR/$name")
            continue
        fi
        [ -f "$patchdir/$name" ] || pcc_die "qemu-patches/series names $name, which does not exist"
        patches+=("$patchdir/$name")
    done < <(sed -e 's/#.*//' "$patchdir/series")
fi

# Paths a patch touches: ---/+++ lines (a/ b/ prefixes, -p1) and git renames.
patch_paths() {
    sed -n -e 's/^\(---\|+++\) [ab]\/\([^\t]*\).*/\2/p' \
        -e 's/^\(rename\|copy\) \(from\|to\) //p' "$1"
}

stage=$(mktemp -d "${TMPDIR:-/tmp}/qemu-pcc-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# 3. The new set of touched paths: qemu/ files, patched paths, devices file.
{
    if [ -d "$overlay" ]; then
        (cd "$overlay" && find . \( -type f -o -type l \) \
            ! -name '*.orig' ! -name '*.rej' ! -name '*~' ! -name '.*.swp' -printf '%P\n')
    fi
    for p in "${patches[@]}"; do patch_paths "$p"; done
    echo "$devmak_dst"
} | sort -u >"$stage.new"
trap 'rm -rf "$stage" "$stage.new" "$stage.all"' EXIT

# 4. Build the new state of just those paths in the staging tree:
#    pristine versions of patched files, then qemu/, the devices file, patches.
for p in "${patches[@]}"; do
    while read -r f; do
        if [ -f "$pristine/$f" ]; then
            mkdir -p "$stage/$(dirname "$f")"
            cp -p "$pristine/$f" "$stage/$f"
        fi
    done < <(patch_paths "$p")
done
if [ -d "$overlay" ]; then
    cp -rp "$overlay/." "$stage/"
    find "$stage" \( -name '*.orig' -o -name '*.rej' -o -name '*~' -o -name '.*.swp' \) -delete
fi
mkdir -p "$stage/$(dirname "$devmak_dst")"
cp "$devmak_src" "$stage/$devmak_dst"
for p in "${patches[@]}"; do
    # git apply: atomic per patch, understands renames, modes and binary
    # diffs; the ceiling keeps it from seeing any enclosing repository.
    if ! out=$(cd "$stage" && GIT_CEILING_DIRECTORIES=$(dirname "$stage") \
            git apply -p1 --whitespace=nowarn "$p" 2>&1); then
        printf '%s\n' "$out" >&2
        pcc_die "patch ${p#"$PCC_ROOT"/} does not apply to $(basename "$pristine")"
    fi
done

# 5. Sync: new set plus last run's set; copy only what differs.
sort -u "$stage.new" "$work/.pcc-manifest" >"$stage.all"
changed=0
while read -r f; do
    if grep -qxF -- "$f" "$stage.new"; then want=$stage/$f; else want=$pristine/$f; fi
    if [ -e "$want" ] || [ -L "$want" ]; then
        if [ -L "$want" ] || [ -L "$work/$f" ] || ! cmp -s "$want" "$work/$f"; then
            mkdir -p "$work/$(dirname "$f")"
            rm -f "$work/$f"
            # no -p: a changed file must look new to ninja
            cp -P --preserve=mode "$want" "$work/$f"
            pcc_log "overlay: updated $f"
            changed=$((changed + 1))
        fi
    elif [ -e "$work/$f" ] || [ -L "$work/$f" ]; then
        rm -f "$work/$f"
        rmdir -p --ignore-fail-on-non-empty "$(dirname "$work/$f")" 2>/dev/null || true
        pcc_log "overlay: removed $f"
        changed=$((changed + 1))
    fi
done <"$stage.all"
cp "$stage.new" "$work/.pcc-manifest"
pcc_log "overlay: $(wc -l <"$stage.new") paths managed, $changed changed, ${#patches[@]} patches"
