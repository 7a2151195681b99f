#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The raw scenario's host step `notify`: notifications to the type 4
# pcc-raw devices, back to back, through the running pccd (its echo
# personality wraps them: command 0, flags 1). QEMU posts the next one on a
# channel only after Linux's pcc.c has acknowledged the last, so the guest
# sees them all, in order, only if every acknowledgement arrived.
#   raw-notify.sh PCCD CONTROL_SOCKET
set -eu
pccd=$1 ctl=$2
send() { "$pccd" send --control "$ctl" --layout ext --channel "$@"; }
send 4 a1
send 4 b2 b2
send 4 c3 c3 c3
send 5 d4
send 5 e5 e5
