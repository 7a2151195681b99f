#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install-deps.sh: host packages for building QEMU, pccd and running the
# tests. Idempotent; does nothing (and needs no network) when all is there.
# Needs root for apt-get install (uses sudo when not root).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pkgs=(
    # QEMU build
    gcc g++ make ninja-build pkg-config flex bison bzip2 python3 python3-venv
    libglib2.0-dev libfdt-dev ccache git perl
    # fetching pinned Debian packages / sources
    dpkg-dev debian-archive-keyring ca-certificates
    # tests, demo
    acpica-tools qemu-efi-aarch64 socat xxd shellcheck
    # make check-asan / make fuzz: QEMU with ASan, UBSan and libFuzzer
    # (scripts/build-qemu.sh --sanitize); the distribution's default clang
    # and its runtimes (bookworm: clang-14, libclang-rt-14-dev)
    clang libclang-rt-dev
    # C++ side (pccd, lab, bench)
    libgtest-dev libgmock-dev libcli11-dev tshark g++-aarch64-linux-gnu
    # the lab kernel (build/pcc-lab kernel: arm64 cross build, lab/kernel)
    gcc-aarch64-linux-gnu bc libssl-dev libelf-dev cpio kmod xz-utils
)

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' \
        || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    pcc_log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # tshark asks whether non-root users may capture: keep the default (no).
    echo 'wireshark-common wireshark-common/install-setuid boolean false' \
        | "${sudo[@]}" debconf-set-selections 2>/dev/null || true
    # An install of a package missing from a stale index fails: update once.
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" \
        || { "${sudo[@]}" apt-get update -q && \
             "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; }
fi

# meson: QEMU 10 needs >= 1.5, bookworm ships 1.0. Install the pinned
# trixie .deb (pure python, installs on bookworm) unless a meson at least
# as new as the pin is already installed.
have=$(dpkg-query -W -f='${Version}' meson 2>/dev/null || true)
if [ -z "$have" ] || dpkg --compare-versions "$have" lt "$MESON_VERSION"; then
    pcc_apt_download meson '' "$MESON_VERSION" "$MESON_SERIES" "$PCC_CACHE/downloads/meson" >/dev/null
    pcc_log "installing meson $PCC_CHOSEN_VERSION (had: ${have:-none})"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
        --no-install-recommends "$PCC_CHOSEN_FILE"
fi
pcc_log "dependencies OK (meson $(meson --version))"
