#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pccd --pcap read back by tshark. Skipped (exit 77) without tshark.
# Usage: tshark_test.sh PCCD MCTP_LUA
set -u
PCCD=$1 LUA=$2
if ! command -v tshark >/dev/null; then
    echo "SKIP: tshark is not installed (apt-get install tshark)"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
S=$T/spool
mkdir -p "$S/outbox"
# MCTP control Get Endpoint ID and PLDM GetTID on channel 0
printf '\x00\x43\x43\x50\x01\x00\x00\x00\x0b\x00\x00\x00MCTP\x01\x08\x09\xc8\x00\x80\x02' \
    > "$S/outbox/00000000000000000001-c000-req.ext"
printf '\x00\x43\x43\x50\x01\x00\x00\x00\x0c\x00\x00\x00MCTP\x01\x08\x09\xc9\x01\x81\x00\x02' \
    > "$S/outbox/00000000000000000002-c000-req.ext"
"$PCCD" -q --spool "$S" --once --pcap "$T/cap.pcapng" || { echo "FAIL: pccd"; exit 1; }
passed=0 failed=0
expect() {  # expect NAME PATTERN FILE
    if grep -q -- "$2" "$3"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1 ($2)"; fi
}
tshark -r "$T/cap.pcapng" -V > "$T/plain.txt" 2>/dev/null
expect "four packets" "Frame 4:" "$T/plain.txt"
expect "SLL2 encapsulation" "Linux cooked capture v2" "$T/plain.txt"
expect "ETH_P_MCTP protocol" "(0x00fa)" "$T/plain.txt"
expect "ARPHRD_MCTP" "Link-layer address type: .*(290)" "$T/plain.txt"
expect "outgoing answers" "Packet type: Sent by us (4)" "$T/plain.txt"
if tshark -G protocols 2>/dev/null | grep -q -P '\tmctp\t'; then
    echo "tshark has a built-in MCTP dissector"
    decoded=$T/plain.txt
else
    echo "NOTE: this tshark ($(tshark -v 2>/dev/null | head -1)) has no MCTP dissector;" \
         "decoding with $LUA"
    tshark -X "lua_script:$LUA" -r "$T/cap.pcapng" -V > "$T/lua.txt" 2>/dev/null
    decoded=$T/lua.txt
fi
expect "MCTP decoded" "Management Component Transport Protocol" "$decoded"
expect "control command" "Get Endpoint ID (0x02)" "$decoded"
expect "source EID" "Source EID: 0x09" "$decoded"
expect "PLDM" "PLDM" "$decoded"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
