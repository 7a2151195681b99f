# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-pcc entry points. The work is done by scripts/*.sh; see README.md.
# Cache (downloads, QEMU trees and builds, ccache): $(QEMU_PCC_CACHE),
# default ~/.cache/qemu-pcc. Build products are linked from build/.

SHELL := /bin/bash
S := scripts
# One compiler cache for QEMU and the C++ project, inside the project cache.
export CCACHE_DIR ?= $(or $(QEMU_PCC_CACHE),$(HOME)/.cache/qemu-pcc)/ccache

.PHONY: all deps qemu pccd check check-asan fuzz fuzz-smoke run matrix demo bench soak check-sid export-patches checkpatch \
        shellcheck clean help

all: qemu pccd

help:
	@echo "make deps            install host packages (idempotent)"
	@echo "make qemu            fetch pinned QEMU, overlay qemu/ + qemu-patches/, build"
	@echo "make pccd            build the C++ project in build/cpp"
	@echo "make check           build everything and run all tests"
	@echo "make check-asan      the tests with ASan + UBSan (QEMU, pccd, lab)"
	@echo "make run             the main job: boot Linux against the PCC devices (pcc-lab)"
	@echo "make matrix          the default scenarios on Debian's bookworm, trixie, sid, experimental and the lab kernel"
	@echo "make demo            PCC layout and tables without booting a guest"
	@echo "make bench           round-trip latency/throughput, spool vs socket"
	@echo "make soak            100000 messages per transport, pccd SIGKILLed every 1000"
	@echo "make fuzz            every fuzz target N s (FUZZ_SECONDS=N, default 60): pccd's, QEMU's if built"
	@echo "make fuzz-smoke      every fuzz target 30 s, 2 at a time, fresh corpora (the CI smoke)"
	@echo "make check-sid       build the overlay against QEMU from sid"
	@echo "make export-patches  git am-able series in build/patches (+ checkpatch)"

deps:
	$(S)/install-deps.sh

qemu:
	$(S)/build-qemu.sh

pccd:
	@. $(S)/lib.sh && pcc_meson_dir build/cpp .
	ninja -C build/cpp -j2
	@[ ! -x build/cpp/pccd/pccd ] || ln -sfn cpp/pccd/pccd build/pccd
	@[ ! -x build/cpp/lab/pcc-lab ] || ln -sfn cpp/lab/pcc-lab build/pcc-lab
	@[ ! -x build/cpp/bench/pcc-bench ] || ln -sfn cpp/bench/pcc-bench build/pcc-bench

check:
	$(S)/run-tests.sh

# QEMU, pccd, the lab runner and the tests with ASan and UBSan: the PCC
# qtests, the C++ unit and integration tests, a lab scenario per class.
check-asan:
	$(S)/check-asan.sh

# The main job: boot Debian's arm64 kernel against the PCC devices
# (lab/scenarios: pcc-core, xgene-hwmon, cppc, opregion-thermal, xgene-i2c)
# and report from inside the guest.
run: qemu pccd
	build/pcc-lab run

# The kernel matrix (docs/lab.md "Kernel matrix"): the default scenarios on
# Debian's bookworm, trixie, sid and experimental kernels and the lab
# kernel, one after another; TAP, and matrix.md, matrix.html, junit.xml
# under $QEMU_PCC_CACHE/lab/matrix/.
matrix: qemu pccd
	build/pcc-lab matrix -q

# Without a guest: the PCC part of info qtree and the PCCT/SSDT via iasl.
demo: qemu
	$(S)/demo.sh

bench: qemu pccd
	PCC_QEMU=$${PCC_QEMU:-build/qemu-system-aarch64} build/pcc-bench

# Exactly once: 0 lost and 0 duplicated on both transports (docs/bench.md);
# make check runs a 10000-message version.
soak: qemu pccd
	PCC_QEMU=$${PCC_QEMU:-build/qemu-system-aarch64} build/pcc-bench --soak 100000 --kill-every 1000

# pccd's libFuzzer targets (build/cpp-asan, clang) and QEMU's PCC fuzz
# targets (when scripts/build-qemu.sh --sanitize built them): per target
# executions, exec/s, coverage, corpus and findings; non-zero on a finding.
# Corpora in $(QEMU_PCC_CACHE)/fuzz/<target>. docs/security.md, "Fuzzing".
FUZZ_SECONDS ?= 60
fuzz:
	$(S)/fuzz.sh --seconds $(FUZZ_SECONDS)

fuzz-smoke:
	$(S)/fuzz.sh --smoke

check-sid:
	$(S)/check-sid.sh

export-patches:
	$(S)/export-patches.sh

checkpatch:
	$(S)/export-patches.sh --checkpatch-only

shellcheck:
	shellcheck -x $(S)/*.sh lab/*.sh lab/*/*.sh pccd/tests/*.sh .ci/run

# Removes the checkout's build/ only; the cache is left alone.
clean:
	rm -rf build
