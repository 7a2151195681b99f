#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# export-patches.sh [--checkpatch-only]
#
# Turn qemu/ + qemu-patches/ into a `git am`-able series in build/patches/,
# against the pinned (main) QEMU source, then verify and check it:
#   - a bare git repo holding the pristine tree as one commit (cached),
#   - commits built in a private index (no checkout needed):
#       1. new files not claimed by a patch, in groups:
#          a) everything outside tests/ and docs/ (hw/pcc, include/hw/pcc, ...)
#          b) tests/    c) docs/
#       2. each qemu-patches/series patch, in order, with its message (mail
#          headers if it has them, else its file name) plus the new files it
#          claims: a line "Overlay: PATH..." (path prefixes, relative to qemu/)
#          between the patch's "---" and its first "diff"; git am ignores it.
#     The build-only devices file (configs/devices/.../qemu-pcc.mak) is not
#     exported. Every commit gets a Signed-off-by.
#   - git format-patch into build/patches/, `git am` onto a fresh pristine
#     checkout, tree compared with the overlay's result,
#   - QEMU's scripts/checkpatch.pl on every patch (non-zero exit on errors).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

checkpatch_only=0
[ "${1:-}" = --checkpatch-only ] && checkpatch_only=1

pristine=$(pcc_qemu_tree main)
name=$(basename "$pristine")
work=$PCC_CACHE/work/$name
out=$PCC_BUILD/patches
"$PCC_ROOT/scripts/overlay.sh" "$pristine" "$work"

ident=(-c user.name="qemu-pcc developers" -c user.email="qemu-pcc@example.invalid")
sob="Signed-off-by: qemu-pcc developers <qemu-pcc@example.invalid>"
# Fixed dates: the same sources give byte-identical patches.
export GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z"
g() { git "${ident[@]}" "$@"; }

checkpatch() {
    local p rc=0 errors=0
    for p in "$out"/*.patch; do
        echo "---- checkpatch: $(basename "$p")"
        (cd "$pristine" && perl scripts/checkpatch.pl --no-color "$p") || { rc=1; errors=$((errors + 1)); }
    done
    [ $rc = 0 ] || pcc_warn "checkpatch reported errors in $errors patch(es)"
    return $rc
}

if [ $checkpatch_only = 1 ]; then
    compgen -G "$out/*.patch" >/dev/null || pcc_die "no patches in $out: run make export-patches"
    checkpatch
    exit
fi

# --- the pristine commit (cached) -----------------------------------------------
repo=$PCC_CACHE/export/$name.git
export GIT_DIR=$repo
if ! git rev-parse -q --verify refs/tags/pristine >/dev/null 2>&1; then
    pcc_log "creating $repo (pristine commit; takes a minute once)"
    rm -rf "$repo"
    git init -q --bare "$repo"
    (cd "$pristine" && GIT_INDEX_FILE=$repo/pristine.index GIT_WORK_TREE=$pristine \
        git add -A -f -- . ':!.pc' ':!.pcc-extracted')
    tree=$(GIT_INDEX_FILE=$repo/pristine.index git write-tree)
    rm -f "$repo/pristine.index"
    commit=$(g commit-tree "$tree" -m "QEMU $name (Debian source, patches applied)")
    git tag pristine "$commit"
fi

# --- build the commits in a private index ------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qemu-pcc-export.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export GIT_INDEX_FILE=$tmp/index
git read-tree pristine
head=$(git rev-parse pristine)

commit() {  # SUBJECT BODY [AUTHOR_NAME AUTHOR_EMAIL]: commit the index on $head
    local msg
    msg=$(printf '%s\n\n%s\n' "$1" "$2" | git interpret-trailers --if-exists addIfDifferent --trailer "$sob")
    head=$(GIT_AUTHOR_NAME=${3:-qemu-pcc developers} GIT_AUTHOR_EMAIL=${4:-qemu-pcc@example.invalid} \
        g commit-tree "$(git write-tree)" -p "$head" -m "$msg")
}
add_files() {  # PATH... (relative to qemu/): into the index
    local f mode
    for f in "$@"; do
        mode=100644
        [ -x "$PCC_ROOT/qemu/$f" ] && mode=100755
        git update-index --add --cacheinfo "$mode,$(git hash-object -w "$PCC_ROOT/qemu/$f"),$f"
    done
}

patches=()
if [ -f "$PCC_ROOT/qemu-patches/series" ]; then
    while read -r p _; do
        [ -n "$p" ] && patches+=("$PCC_ROOT/qemu-patches/$p")
    done < <(sed -e 's/#.*//' "$PCC_ROOT/qemu-patches/series")
fi
claims() {  # PATCH: the path prefixes it claims
    sed -n -e '/^diff /q' -e 's/^Overlay:[[:space:]]*//p' "$1" | tr -s '[:blank:]' '\n' | sed '/^$/d'
}
claimed_by() {  # FILE: index of the claiming patch, or nothing
    local i c
    for i in "${!patches[@]}"; do
        while read -r c; do
            case $1 in "${c%/}" | "${c%/}"/*) echo "$i"; return ;; esac
        done < <(claims "${patches[i]}")
    done
}

declare -A claimed=()
groups_a=() groups_b=() groups_c=()
if [ -d "$PCC_ROOT/qemu" ]; then
    while read -r f; do
        i=$(claimed_by "$f")
        if [ -n "$i" ]; then claimed[$i]+="$f "
        else case $f in
            tests/*) groups_b+=("$f") ;;
            docs/*) groups_c+=("$f") ;;
            *) groups_a+=("$f") ;;
        esac; fi
    done < <(cd "$PCC_ROOT/qemu" && find . -type f ! -name '*.orig' ! -name '*.rej' \
        ! -name '*~' ! -name '.*.swp' -printf '%P\n' | sort)
fi
listing() { printf ' %s\n' "$@"; }
if [ ${#groups_a[@]} -gt 0 ]; then
    add_files "${groups_a[@]}"
    commit "hw/pcc: add the PCC bus and its devices" "New files:
$(listing "${groups_a[@]}")"
fi
if [ ${#groups_b[@]} -gt 0 ]; then
    add_files "${groups_b[@]}"
    commit "tests/qtest: add PCC tests" "New files:
$(listing "${groups_b[@]}")"
fi
if [ ${#groups_c[@]} -gt 0 ]; then
    add_files "${groups_c[@]}"
    commit "docs/system: document the PCC devices" "New files:
$(listing "${groups_c[@]}")"
fi
for i in "${!patches[@]}"; do
    p=${patches[i]}
    # shellcheck disable=SC2086 # a list of paths
    [ -z "${claimed[$i]:-}" ] || add_files ${claimed[$i]}
    (cd "$tmp" && git apply --cached -p1 "$p") \
        || pcc_die "qemu-patches/$(basename "$p") does not apply to $name"
    info=$(git mailinfo "$tmp/msg" "$tmp/patch" <"$p")
    subject=$(sed -n 's/^Subject: //p' <<<"$info")
    [ -n "$subject" ] || subject=$(basename "$p" .patch | sed -e 's/^[0-9]*-//' -e 's/-/ /g')
    commit "$subject" "$(cat "$tmp/msg")" \
        "$(sed -n 's/^Author: //p' <<<"$info")" "$(sed -n 's/^Email: //p' <<<"$info")"
done
git update-ref refs/heads/export "$head"

# --- format-patch ---------------------------------------------------------------------
rm -rf "$out"
mkdir -p "$out"
n=$(git rev-list --count pristine.."$head")
[ "$n" -gt 0 ] || { pcc_warn "nothing to export (qemu/ and qemu-patches/ are empty)"; exit 0; }
git format-patch -q --zero-commit --binary -o "$out" pristine.."$head"
pcc_log "exported $n patches to $out"

# --- verify: same content as the overlay, and git am onto pristine --------------------
bad=0
while read -r f; do
    [ "$f" = configs/devices/aarch64-softmmu/qemu-pcc.mak ] && continue
    if [ -e "$work/$f" ]; then
        git cat-file blob "$head:$f" 2>/dev/null | cmp -s - "$work/$f" || { pcc_warn "differs from overlay: $f"; bad=1; }
    elif git cat-file -e "$head:$f" 2>/dev/null; then
        pcc_warn "in the export but not in the overlay: $f"; bad=1
    fi
done <"$work/.pcc-manifest"
[ $bad = 0 ] || pcc_die "the export does not match the overlay"

unset GIT_INDEX_FILE GIT_DIR
check=$tmp/am
# A sparse checkout of just the touched paths: git am needs no more, and
# checking out all of QEMU would take most of the time.
git --git-dir="$repo" worktree add -q --no-checkout --detach "$check" pristine
mapfile -t sparse < <(sed 's|^|/|' "$work/.pcc-manifest")
git -C "$check" sparse-checkout set --no-cone "${sparse[@]}" 2>/dev/null
git -C "$check" read-tree -mu HEAD
if ! git -C "$check" "${ident[@]}" am -q "$out"/*.patch; then
    git --git-dir="$repo" worktree remove --force "$check"
    pcc_die "git am of $out onto pristine $name failed"
fi
[ "$(git -C "$check" rev-parse 'HEAD^{tree}')" = "$(git --git-dir="$repo" rev-parse "$head^{tree}")" ] \
    || pcc_die "git am result differs from the exported tree"
git --git-dir="$repo" worktree remove --force "$check"
pcc_log "verified: git am of $n patches onto pristine $name gives the overlay"

checkpatch
