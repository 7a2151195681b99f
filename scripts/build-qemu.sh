#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-qemu.sh [--flavor main|sid] [--sanitize] [--tests] [NINJA_TARGET...]
#
# Fetch (cached) the pinned Debian QEMU source, overlay qemu/ + qemu-patches/
# incrementally, configure only when needed, and build with ninja -j2 and
# ccache. Default target: qemu-system-aarch64. --tests adds the qtest
# binaries that `make check` runs. For the main flavor it (re)creates the
# build/ symlinks: build/qemu-system-aarch64 and build/qemu-build.
#
# --sanitize: the same tree and devices, built with clang, ASan, UBSan and
# QEMU's fuzzing instrumentation in the cache's build/qemu-asan
# (build/qemu-sid-asan for sid), for `make check-asan` and `make fuzz`:
# one build gives the sanitized qemu-system-aarch64, the qtests and
# qemu-fuzz-aarch64 (built by default). No build/ symlinks.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

flavor=main tests=0 sanitize=0 targets=()
while [ $# -gt 0 ]; do
    case $1 in
        --flavor) flavor=$2; shift ;;
        --sanitize) sanitize=1 ;;
        --tests) tests=1 ;;
        -*) pcc_die "unknown option $1" ;;
        *) targets+=("$1") ;;
    esac
    shift
done
if [ ${#targets[@]} -eq 0 ]; then
    targets=(qemu-system-aarch64)
    [ $sanitize = 0 ] || targets+=(qemu-fuzz-aarch64)
fi

pristine=$(pcc_qemu_tree "$flavor")
work=$PCC_CACHE/work/$(basename "$pristine")
builddir=$PCC_CACHE/build/qemu-$flavor
if [ $sanitize = 1 ]; then
    builddir=$PCC_CACHE/build/qemu-asan
    [ "$flavor" = main ] || builddir=$PCC_CACHE/build/qemu-$flavor-asan
fi
# Hold the working tree for the overlay and the build: a concurrent
# overlay (another make) must not change sources under ninja.
mkdir -p "$(dirname "$work")"
exec {lock}>"$work.lock"
flock -n "$lock" || { pcc_log "waiting for another build of $work"; flock "$lock"; }
PCC_WORK_LOCKED=$work PCC_FLAVOR=$flavor "$PCC_ROOT/scripts/overlay.sh" "$pristine" "$work"

configure_args=(
    --target-list=aarch64-softmmu
    --without-default-features
    --without-default-devices
    --with-devices-aarch64=qemu-pcc
    --disable-docs --disable-tools --disable-user --disable-install-blobs
    --enable-fdt=system
    --python=/usr/bin/python3
)
if [ $sanitize = 1 ]; then
    # QEMU's fuzzing needs clang (libFuzzer); with it qemu-system-aarch64
    # and the qtests are instrumented too and still work as usual.
    configure_args+=("--cc=ccache clang" "--cxx=ccache clang++"
        --enable-asan --enable-ubsan --enable-fuzzing)
else
    configure_args+=("--cc=ccache gcc" "--cxx=ccache g++")
fi

# Configure only when the build dir is missing/broken or anything that
# shapes it changed: arguments, source tree (path + creation), meson.
stamp_want=$(printf '%s\n' "$work" "${configure_args[@]}" \
    "$(sed -n 2p "$work/.pcc-pristine")" "meson $(meson --version)")
t0=$SECONDS
if [ "$(cat "$builddir/.pcc-configured" 2>/dev/null)" != "$stamp_want" ] \
        || [ ! -f "$builddir/build.ninja" ]; then
    pcc_log "configuring $builddir"
    rm -rf "$builddir"
    mkdir -p "$builddir"
    (cd "$builddir" && "$work/configure" "${configure_args[@]}" >configure.log 2>&1) || {
        tail -n 40 "$builddir/configure.log" >&2
        pcc_die "configure failed (full log: $builddir/configure.log)"
    }
    printf '%s\n' "$stamp_want" >"$builddir/.pcc-configured"
    pcc_log "configured in $((SECONDS - t0)) s"
fi

if [ $tests = 1 ]; then
    # Let meson regenerate first (qemu/ or the devices file may have changed
    # which tests exist).
    ninja -C "$builddir" build.ninja >/dev/null
    # qtest binaries that exist in this configuration (a PCC test only
    # once the overlay registers it in tests/qtest/meson.build).
    for t in $(pcc_qtests) bios-tables-test; do
        if ninja -C "$builddir" -t query "tests/qtest/$t" >/dev/null 2>&1; then
            targets+=("tests/qtest/$t")
        fi
    done
fi

pcc_log "building ${targets[*]} in $builddir"
t0=$SECONDS
ninja -C "$builddir" -j2 "${targets[@]}" || pcc_die "QEMU build failed ($flavor)"
pcc_log "ninja took $((SECONDS - t0)) s"

if [ "$flavor" = main ] && [ $sanitize = 0 ]; then
    mkdir -p "$PCC_BUILD"
    ln -sfn "$builddir/qemu-system-aarch64" "$PCC_BUILD/qemu-system-aarch64"
    ln -sfn "$builddir" "$PCC_BUILD/qemu-build"
    ln -sfn "$work" "$PCC_BUILD/qemu-src"
fi
pcc_log "QEMU ($flavor, $(basename "$pristine")) is built: $builddir/qemu-system-aarch64"
