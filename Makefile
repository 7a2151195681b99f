# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-pcc entry points. The work is done by scripts/*.sh; see README.md.
# Cache (downloads, QEMU trees and builds, ccache): $(QEMU_PCC_CACHE),
# default ~/.cache/qemu-pcc. Build products are linked from build/.

SHELL := /bin/bash
S := scripts
# One compiler cache for QEMU and the C++ project, inside the project cache.
export CCACHE_DIR ?= $(or $(QEMU_PCC_CACHE),$(HOME)/.cache/qemu-pcc)/ccache

.PHONY: all deps qemu pccd check run demo check-sid export-patches checkpatch \
        shellcheck clean help

all: qemu pccd

help:
	@echo "make deps            install host packages (idempotent)"
	@echo "make qemu            fetch pinned QEMU, overlay qemu/ + qemu-patches/, build"
	@echo "make pccd            build the C++ project in build/cpp"
	@echo "make check           build everything and run all tests"
	@echo "make run             the main job (currently scripts/demo.sh)"
	@echo "make check-sid       build the overlay against QEMU from sid"
	@echo "make export-patches  git am-able series in build/patches (+ checkpatch)"

deps:
	$(S)/install-deps.sh

qemu:
	$(S)/build-qemu.sh

pccd:
	@[ -f build/cpp/build.ninja ] || meson setup build/cpp .
	ninja -C build/cpp -j2
	@[ ! -x build/cpp/pccd/pccd ] || ln -sfn cpp/pccd/pccd build/pccd

check:
	$(S)/run-tests.sh

run demo: qemu
	$(S)/demo.sh

check-sid:
	$(S)/check-sid.sh

export-patches:
	$(S)/export-patches.sh

checkpatch:
	$(S)/export-patches.sh --checkpatch-only

shellcheck:
	shellcheck -x $(S)/*.sh .ci/run

# Removes the checkout's build/ only; the cache is left alone.
clean:
	rm -rf build
