#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The snapshot scenarios' host step `mkdisk`: an empty 64 MiB qcow2 image
# (version 2, 64 KiB clusters) for savevm to write the VM state into, laid
# out as `qemu-img create -f qcow2 -o compat=0.10` lays it out (the build
# has no qemu-img): the header in cluster 0, the refcount table in 1, its
# one refcount block in 2 (16-bit counts: clusters 0-3 used once), the
# L1 table (one entry, unallocated) in 3. Big-endian, docs/interop/qcow2.rst.
#   mkqcow2.sh FILE
set -eu
f=$1
[ ! -e "$f" ] || { echo "mkqcow2.sh: $f exists" >&2; exit 1; }
head -c 262144 /dev/zero >"$f"
# put OFFSET BYTES: BYTES (printf %b escapes) at OFFSET
put() { printf '%b' "$2" | dd of="$f" bs=1 seek="$1" conv=notrunc status=none; }
put 0 'QFI\0373\0\0\0\02'                  # magic, version 2
put 20 '\0\0\0\020'                         # cluster_bits 16
put 24 '\0\0\0\0\04\0\0\0'                  # size 64 MiB
put 36 '\0\0\0\01'                          # l1_size 1
put 40 '\0\0\0\0\0\03\0\0'                  # l1_table_offset 0x30000
put 48 '\0\0\0\0\0\01\0\0'                  # refcount_table_offset 0x10000
put 56 '\0\0\0\01'                          # refcount_table_clusters 1
put 65536 '\0\0\0\0\0\02\0\0'               # refcount block at 0x20000
put 131072 '\0\01\0\01\0\01\0\01'           # clusters 0-3: refcount 1
echo "qcow2 image $f: 64 MiB, 4 clusters of 64 KiB"
