#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh: the main job for now (make run). Starts the virt machine with two
# pcc-mctp channels, prints the PCC part of `info qtree` (QMP), then reads
# the ACPI tables that QEMU hands to the firmware (fw_cfg etc/acpi/tables,
# through the qtest accelerator: no guest needed), disassembles PCCT and
# SSDT with iasl and prints a PCCT summary.
#
# PCC_DEMO_DEVICES overrides the -device arguments (e.g. "" to try the
# script without pcc-mctp). Output files stay in PCC_DEMO_OUT if set.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

qemu=$PCC_BUILD/qemu-system-aarch64
bios=/usr/share/qemu-efi-aarch64/QEMU_EFI.fd
[ -x "$qemu" ] || pcc_die "$qemu missing: run make qemu"
[ -r "$bios" ] || pcc_die "$bios missing: run make deps"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qemu-pcc-demo.XXXXXX")
chmod 700 "$tmp"
mkdir -m 700 "$tmp/spool0" "$tmp/spool1"
out=${PCC_DEMO_OUT:-$tmp/out}
mkdir -p "$out"
qemu_pid=''
cleanup() {
    [ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
    [ -n "${PCC_DEMO_OUT:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

if [ -n "${PCC_DEMO_DEVICES+set}" ]; then
    read -r -a devices <<<"$PCC_DEMO_DEVICES"
else
    devices=(-device "pcc-mctp,channel=0,spool=$tmp/spool0"
             -device "pcc-mctp,channel=2,spool=$tmp/spool1")
fi
machine=(-M virt -cpu cortex-a57 -m 1G -bios "$bios" "${devices[@]}")

# --- 1. QMP: info qtree -------------------------------------------------------
echo "== QEMU: ${machine[*]}"
"$qemu" "${machine[@]}" -nographic -S -qmp "unix:$tmp/qmp.sock,server=on,wait=off" \
    </dev/null >"$tmp/qemu.log" 2>&1 &
qemu_pid=$!
for _ in $(seq 100); do
    [ -S "$tmp/qmp.sock" ] && break
    kill -0 "$qemu_pid" 2>/dev/null || { cat "$tmp/qemu.log" >&2; pcc_die "QEMU did not start"; }
    sleep 0.1
done

# A minimal QMP client: capabilities, one HMP command, quit.
python3 - "$tmp/qmp.sock" >"$out/qtree.txt" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
def cmd(name, **args):
    f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            if "error" in r:
                sys.exit("QMP error: %s" % r["error"])
            return r["return"]
json.loads(f.readline())  # greeting
cmd("qmp_capabilities")
sys.stdout.write(cmd("human-monitor-command", **{"command-line": "info qtree"}))
cmd("quit")
EOF
wait "$qemu_pid" || true
qemu_pid=''

echo "== info qtree: PCC part"
# Every top-most block whose line mentions "pcc", with everything indented below it.
awk '
    { match($0, /^ */); ind = RLENGTH }
    inblk && ind <= bind { inblk = 0 }
    !inblk && tolower($0) ~ /pcc/ { inblk = 1; bind = ind }
    inblk { print }
' "$out/qtree.txt" | tee "$out/qtree-pcc.txt"
[ -s "$out/qtree-pcc.txt" ] || echo "(no PCC bus or device in the tree)"

# --- 2. ACPI tables via qtest + fw_cfg DMA ---------------------------------------
# virt's fw_cfg: data 0x09020000, selector +8, DMA address register +16 (BE).
# A DMA descriptor (control, length, address; big endian) is put in RAM at
# 0x40000000 and the data is read back from RAM with the qtest "read" command.
coproc QT { exec "$qemu" "${machine[@]}" -display none -monitor none -serial none \
    -accel qtest -qtest stdio 2>"$tmp/qtest.log"; }
qemu_pid=$QT_PID
# coproc fds are not visible in $(...) subshells: use plain copies.
exec {qt_in}<&"${QT[0]}" {qt_out}>&"${QT[1]}"
qt() {  # send one qtest command, print the reply's payload
    local reply
    echo "$*" >&"$qt_out"
    while IFS= read -r reply <&"$qt_in"; do
        case $reply in
            OK*) echo "${reply#OK}"; return 0 ;;
            FAIL* | ERR*) pcc_die "qtest: $* -> $reply" ;;
        esac  # anything else (IRQ events) is ignored
    done
    cat "$tmp/qtest.log" >&2
    pcc_die "qtest: QEMU went away"
}
fwcfg_read() {  # SELECT LENGTH -> hex bytes of the item
    local sel=$1 len=$2 ctl
    ctl=$(( (sel << 16) | 0x08 | 0x02 ))  # select + read
    qt "write 0x40000000 16 0x$(printf '%08x%08x%016x' "$ctl" "$len" 0x40001000)" >/dev/null
    qt "write 0x09020010 8 0x$(printf '%016x' 0x40000000)" >/dev/null
    [ "$(qt read 0x40000000 4)" = " 0x00000000" ] || pcc_die "fw_cfg DMA of item $sel failed"
    qt read 0x40001000 "$len" | sed 's/^ 0x//'
}
dir=$(fwcfg_read 0x19 $((4 + 64 * 128)))
entry=$(perl -e '
    my $d = pack("H*", $ARGV[0]);
    my $n = unpack("N", $d);
    for my $i (0 .. $n - 1) {
        my ($size, $sel, $name) = unpack("N n x2 Z56", substr($d, 4 + 64 * $i, 64));
        print "$sel $size\n" if $name eq "etc/acpi/tables";
    }' "$dir")
[ -n "$entry" ] || pcc_die "fw_cfg has no etc/acpi/tables (ACPI disabled?)"
read -r sel size <<<"$entry"
fwcfg_read "$sel" "$size" | xxd -r -p >"$out/acpi-tables.bin"
exec {qt_in}<&- {qt_out}>&-
kill "$qemu_pid" 2>/dev/null || true
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=''

# Split the blob into tables (SIG.dat, SIG2.dat, ... for repeats).
echo
echo "== ACPI tables in etc/acpi/tables ($size bytes)"
perl -e '
    open(my $fh, "<:raw", $ARGV[0]) or die; local $/; my $b = <$fh>;
    my ($off, %seen) = (0);
    while ($off + 36 <= length($b)) {
        my ($sig, $len) = unpack("a4 V", substr($b, $off, 8));
        last if $sig !~ /^[A-Z0-9]{4}$/ || $len < 36;
        my $f = $sig . (++$seen{$sig} > 1 ? $seen{$sig} : "") . ".dat";
        # Checksums are left to the firmware (table loader): fill them in.
        my $t = substr($b, $off, $len);
        substr($t, 9, 1) = "\0";
        substr($t, 9, 1) = chr((256 - unpack("%8C*", $t)) % 256);
        open(my $o, ">:raw", "$ARGV[1]/$f") or die; print $o $t; close $o;
        printf "  %-10s offset 0x%05x length %5d\n", $f, $off, $len;
        $off += $len;
    }' "$out/acpi-tables.bin" "$out"

shopt -s nullglob
iasl=$(pcc_iasl)
for t in "$out"/PCCT*.dat "$out"/SSDT*.dat; do
    "$iasl" -d "$t" >"$t.iasl.log" 2>&1 || { cat "$t.iasl.log"; pcc_die "iasl -d $t failed"; }
    echo "   iasl -d $(basename "$t") -> $(basename "${t%.dat}").dsl"
done

echo
echo "== PCCT summary"
if [ ! -f "$out/PCCT.dat" ]; then
    echo "(no PCCT)"
else
    # ACPI 6.5 14.1: header 36 + flags 4 + reserved 8, then subtables.
    perl -e '
        open(my $fh, "<:raw", $ARGV[0]) or die; local $/; my $b = <$fh>;
        sub gas { my ($sp, $w, $o, $a, $ad) = unpack("C C C C Q<", $_[0]);
                  sprintf("space %d width %d addr 0x%x", $sp, $w, $ad) }
        printf "flags 0x%x\n", unpack("V", substr($b, 36, 4));
        my ($off, $i) = (48, 0);
        while ($off + 2 <= length($b)) {
            my ($type, $len) = unpack("C C", substr($b, $off, 2));
            last if $len < 2;
            my $s = substr($b, $off, $len);
            my ($irq, $base, $size, $db) = ("-", 0, 0, "");
            if ($type == 0) {
                ($base, $size) = unpack("Q< Q<", substr($s, 8, 16)); $db = gas(substr($s, 24, 12));
            } elsif ($type == 1 || $type == 2) {
                $irq = unpack("V", substr($s, 2, 4));
                ($base, $size) = unpack("Q< Q<", substr($s, 8, 16)); $db = gas(substr($s, 24, 12));
            } elsif ($type == 3 || $type == 4) {
                $irq = unpack("V", substr($s, 2, 4));
                ($base, $size) = unpack("Q< V", substr($s, 8, 12)); $db = gas(substr($s, 20, 12));
            }
            printf "subspace %d: type %d len %d base 0x%x length 0x%x doorbell [%s] interrupt %s\n",
                $i, $type, $len, $base, $size, $db, $irq;
            $off += $len; $i++;
        }' "$out/PCCT.dat"
fi
[ -z "${PCC_DEMO_OUT:-}" ] || echo "(files in $out)"
