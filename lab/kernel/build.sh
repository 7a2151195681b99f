#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lab/kernel/build.sh: the make steps of the lab kernel, run by
# `build/pcc-lab kernel` (lab/runner/kernel.cpp decides what to rebuild,
# checks the configuration between the steps and prints the paths):
#
#   build.sh config SRC BUILD FRAGMENT   allnoconfig + FRAGMENT (KCONFIG_ALLCONFIG)
#   build.sh kernel SRC BUILD            Image and modules, installed into BUILD/install
#   build.sh kmod   SRC BUILD KMOD       lab/kmod (out of tree) against it
#
# SRC is a kernel tree, never written to: every object goes to BUILD/obj
# (make O=), the modules to BUILD/install/lib/modules/RELEASE, a copy of
# KMOD and its objects to BUILD/kmod. Cross compiler aarch64-linux-gnu-
# through ccache ($CCACHE_DIR, the project's); PCC_JOBS jobs (default 2).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

[ $# -ge 3 ] || pcc_die "usage: $0 config|kernel|kmod SRC BUILD [FRAGMENT|KMOD]"
step=$1 src=$2 build=$3
obj=$build/obj

command -v aarch64-linux-gnu-gcc >/dev/null ||
    pcc_die "aarch64-linux-gnu-gcc missing: apt-get install gcc-aarch64-linux-gnu (make deps)"
cc=aarch64-linux-gnu-gcc hostcc=gcc
if command -v ccache >/dev/null; then
    cc="ccache $cc" hostcc="ccache $hostcc"
fi
log=$build/make.log
# make with the lab's arguments; its output goes to BUILD/make.log (also to
# stderr with PCC_KERNEL_VERBOSE=1); on failure the log's tail is shown.
kmake() {
    local rc=0
    echo "### make $*" >>"$log"
    if [ -n "${PCC_KERNEL_VERBOSE:-}" ]; then
        make -C "$src" O="$obj" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
            CC="$cc" HOSTCC="$hostcc" -j"${PCC_JOBS:-2}" "$@" 2>&1 | tee -a "$log" >&2 ||
            rc=${PIPESTATUS[0]}
    else
        make -C "$src" O="$obj" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
            CC="$cc" HOSTCC="$hostcc" -j"${PCC_JOBS:-2}" "$@" >>"$log" 2>&1 || rc=$?
    fi
    if [ "$rc" != 0 ]; then
        tail -n 25 "$log" >&2
    fi
    return "$rc"
}

mkdir -p "$build"
case $step in
    config)
        fragment=$(realpath "$4")
        mkdir -p "$obj"
        : >"$log"
        pcc_log "kernel: allnoconfig + $(basename "$fragment") ($src)"
        kmake KCONFIG_ALLCONFIG="$fragment" allnoconfig ||
            pcc_die "make allnoconfig with $fragment failed in $src"
        ;;
    kernel)
        pcc_log "kernel: Image and modules, -j${PCC_JOBS:-2} (from scratch: ten minutes or more on two cores)"
        kmake Image modules || pcc_die "building the kernel in $obj failed"
        rm -rf "$build/install"
        # no depmod: the lab resolves dependencies from each module's modinfo
        kmake INSTALL_MOD_PATH="$build/install" DEPMOD=true modules_install ||
            pcc_die "make modules_install into $build/install failed"
        ;;
    kmod)
        kmod=$4
        release=$(cat "$obj/include/config/kernel.release")
        # a fresh copy of the sources (objects of removed files go too)
        rm -rf "$build/kmod"
        mkdir -p "$build/kmod"
        cp -p "$kmod"/Kbuild "$kmod"/*.c "$build/kmod/"
        compgen -G "$kmod/*.h" >/dev/null && cp -p "$kmod"/*.h "$build/kmod/"
        pcc_log "kernel: $(basename "$kmod") against $release"
        kmake M="$build/kmod" modules || pcc_die "building $kmod against $obj failed"
        dest=$build/install/lib/modules/$release/extra
        mkdir -p "$dest"
        cp "$build"/kmod/*.ko "$dest/"
        ;;
    *) pcc_die "unknown step '$step' (config|kernel|kmod)" ;;
esac
