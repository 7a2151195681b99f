// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-guest-check: runs inside the lab's guest and checks, from Linux's
// point of view, what QEMU's PCC devices should have produced:
//   * kernel log: drivers/mailbox/pcc.c probed N subspaces, no PCC errors
//   * /sys/firmware/acpi/tables/PCCT: N well-formed subspaces
//   * SSDT*: one DMT0001 device per expected pcc-mctp channel c, with a
//     _CRS naming subspaces c (type 3 in the PCCT) and c+1 (type 4)
//   * optionally the MCTP stack and hwmon attributes
// Results go to stdout as "PCC-RESULT ok|fail|skip <name> <message>".
// Exit status: 0 when nothing failed.
#include "acpi.hpp"
#include "kmsg.hpp"
#include "report.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

using lab::Reporter;
namespace acpi = lab::acpi;

constexpr const char *kTables = "/sys/firmware/acpi/tables";

struct HwmonExpect {
    std::string name;       // contents of hwmonN/name
    std::string attribute;  // e.g. temp1_input
    long value = 0;
    long tolerance = 0;
};

struct Options {
    std::optional<unsigned> subspaces;             // --expect-subspaces N
    std::optional<std::vector<unsigned>> mctp;     // --expect-mctp 0,2 | none
    bool expect_no_pcc = false;                    // --expect-no-pcc
    bool mctp_stack = false;                       // --mctp-stack
    bool have_platform = true;                     // --no-platform
    std::vector<HwmonExpect> hwmon;                // --expect-hwmon name,attr,value[,tol]
};

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd()
    {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

// Whole file; nullopt (errno kept in *err) when it cannot be opened.
std::optional<std::vector<std::uint8_t>> read_file(const std::string &path, std::string *err = nullptr)
{
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (err) {
            *err = std::strerror(errno);
        }
        return std::nullopt;
    }
    std::vector<std::uint8_t> out;
    std::uint8_t buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            if (err) {
                *err = std::strerror(errno);
            }
            return std::nullopt;
        }
        if (n == 0) {
            return out;
        }
        out.insert(out.end(), buf, buf + n);
    }
}

std::string trim(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

std::vector<std::string> list_dir(const std::string &path)
{
    std::vector<std::string> out;
    DIR *d = ::opendir(path.c_str());
    if (!d) {
        return out;
    }
    while (auto *e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") {
            out.push_back(n);
        }
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::string hex(std::uint64_t v)
{
    char b[32];
    std::snprintf(b, sizeof(b), "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

std::string join(const std::vector<unsigned> &v)
{
    std::string s;
    for (auto x : v) {
        s += (s.empty() ? "" : ",") + std::to_string(x);
    }
    return s.empty() ? "none" : s;
}

bool contains(const std::string &s, const char *what) { return s.find(what) != std::string::npos; }

// --- kernel log -----------------------------------------------------------

// Error lines of drivers/mailbox/pcc.c that do not say "PCC" themselves.
constexpr const char *kPccErrorsWithoutPcc[] = {
    "Cannot access register of",
    "Platform Interrupt flag must be set",
    "Channel not found for idx",
};

void check_kernel_log(Reporter &r, const Options &o)
{
    std::string source, error;
    auto log = lab::read_kernel_log(&source, &error);
    if (log.empty()) {
        r.fail("kmsg-read", "cannot read the kernel log: " + error);
        return;
    }
    r.info("kmsg-read", std::to_string(log.size()) + " records from " + source);

    std::optional<int> detected;
    bool registered = false;
    std::vector<std::string> errors;
    for (const auto &rec : log) {
        const auto &t = rec.text;
        if (contains(t, "PCC") || contains(t, "pcc") || contains(t, "PCCT")) {
            r.info("kmsg", "<" + std::to_string(rec.level) + ">" + t);
        }
        if (auto p = t.find("Detected "); p != std::string::npos && contains(t, " PCC Subspaces")) {
            detected = std::atoi(t.c_str() + p + 9);
        }
        if (contains(t, "Registering PCC driver as Mailbox controller")) {
            registered = true;
        }
        if (rec.level <= 4) {
            bool pcc = contains(t, "PCC") || contains(t, "pcc");
            for (auto *e : kPccErrorsWithoutPcc) {
                pcc = pcc || contains(t, e);
            }
            if (pcc) {
                errors.push_back("<" + std::to_string(rec.level) + ">" + t);
            }
        }
    }

    if (o.expect_no_pcc) {
        r.check(!detected && !registered, "kmsg-no-pcc",
                detected ? "pcc.c probed " + std::to_string(*detected) + " subspaces, expected no PCCT"
                         : "pcc.c did not probe (no PCCT), as expected");
    } else if (o.subspaces) {
        if (!detected) {
            r.fail("kmsg-detected", "no \"Detected N PCC Subspaces\" line: pcc.c did not probe "
                                    "(PCCT missing or rejected, or kernel without CONFIG_PCC)");
        } else {
            r.check(*detected == static_cast<int>(*o.subspaces), "kmsg-detected",
                    "pcc.c: Detected " + std::to_string(*detected) + " PCC Subspaces (expected " +
                        std::to_string(*o.subspaces) + ")");
        }
        r.check(registered, "kmsg-mailbox",
                registered ? "pcc.c registered as mailbox controller"
                           : "no \"Registering PCC driver as Mailbox controller\" line");
    }
    std::string joined;
    for (const auto &e : errors) {
        joined += (joined.empty() ? "" : " | ") + e;
    }
    r.check(errors.empty(), "kmsg-pcc-errors",
            errors.empty() ? "no PCC warnings or errors in the kernel log"
                           : std::to_string(errors.size()) + " PCC warning/error line(s): " + joined);
}

// --- ACPI tables ------------------------------------------------------------

std::optional<acpi::Pcct> check_pcct(Reporter &r, const Options &o)
{
    std::string err;
    auto table = read_file(std::string(kTables) + "/PCCT", &err);
    if (o.expect_no_pcc) {
        r.check(!table, "pcct-absent", table ? "a PCCT exists although no PCC device was configured"
                                             : "no PCCT, as expected");
        return std::nullopt;
    }
    if (!table) {
        r.fail("pcct-present", std::string(kTables) + "/PCCT: " + err +
                                   " (QEMU built no PCCT: no PCC device, or ACPI not in use; acpi=force?)");
        return std::nullopt;
    }
    auto hdr = acpi::parse_header(*table);
    r.ok("pcct-present", "PCCT, " + std::to_string(table->size()) + " bytes, revision " +
                             std::to_string(hdr ? hdr->revision : 0));
    r.check(acpi::checksum_ok(*table), "pcct-checksum",
            acpi::checksum_ok(*table) ? "checksum ok" : "bad checksum");
    std::string why;
    auto pcct = acpi::parse_pcct(*table, &why);
    if (!pcct) {
        r.fail("pcct-parse", "malformed PCCT: " + why);
        return std::nullopt;
    }
    r.ok("pcct-parse", std::to_string(pcct->subspaces.size()) + " subspaces, flags " + hex(pcct->flags));
    for (const auto &s : pcct->subspaces) {
        std::string line = "index " + std::to_string(s.index) + " type " + std::to_string(s.type) +
                           " length " + std::to_string(s.length) + " base " + hex(s.base) + " size " +
                           hex(s.size);
        if (s.gsi) {
            line += " gsi " + std::to_string(*s.gsi) + " irqflags " + hex(s.irq_flags);
        }
        r.info("pcct-subspace", line);
    }
    if (o.subspaces) {
        r.check(pcct->subspaces.size() == *o.subspaces, "pcct-subspaces",
                std::to_string(pcct->subspaces.size()) + " subspaces in the PCCT (expected " +
                    std::to_string(*o.subspaces) + ")");
    }
    // Each subspace needs its own shared memory.
    std::string overlap;
    for (std::size_t i = 0; i < pcct->subspaces.size(); ++i) {
        const auto &a = pcct->subspaces[i];
        if (a.base == 0 || a.size == 0) {
            overlap += " subspace " + std::to_string(i) + " has no shared memory;";
        }
        for (std::size_t j = i + 1; j < pcct->subspaces.size(); ++j) {
            const auto &b = pcct->subspaces[j];
            if (a.base < b.base + b.size && b.base < a.base + a.size) {
                overlap += " subspaces " + std::to_string(i) + " and " + std::to_string(j) + " overlap;";
            }
        }
    }
    r.check(overlap.empty(), "pcct-shmem",
            overlap.empty() ? "every subspace has its own shared memory" : overlap.substr(1));
    return pcct;
}

void check_mctp_devices(Reporter &r, const Options &o, const std::optional<acpi::Pcct> &pcct)
{
    std::vector<acpi::AmlDevice> found;
    std::vector<std::string> ssdts;
    for (const auto &name : list_dir(kTables)) {
        if (name.rfind("SSDT", 0) != 0) {
            continue;
        }
        auto t = read_file(std::string(kTables) + "/" + name);
        if (!t) {
            continue;
        }
        auto devs = acpi::find_devices(*t, "DMT0001");
        auto hdr = acpi::parse_header(*t);
        ssdts.push_back(name + "(" + (hdr ? hdr->oem_table_id : "?") + "):" + std::to_string(devs.size()));
        for (auto &d : devs) {
            std::string res;
            for (const auto &p : d.pcc) {
                res += " pcc " + std::to_string(p.subspace);
            }
            r.info("ssdt-device", name + " " + d.name + " _HID DMT0001 _UID " +
                                      (d.uid ? std::to_string(*d.uid) : std::string("none")) + " _CRS" +
                                      (res.empty() ? " (no PCC descriptors)" : res));
            found.push_back(std::move(d));
        }
    }
    std::string all;
    for (const auto &s : ssdts) {
        all += " " + s;
    }
    r.info("ssdt-tables", ssdts.empty() ? "no SSDT" : "DMT0001 devices per SSDT:" + all);

    const auto &want = *o.mctp;
    std::set<std::size_t> matched;
    for (unsigned c : want) {
        const std::string name = "mctp-c" + std::to_string(c);
        // PCCT: outbox type 3 at c, inbox type 4 at c+1, both with a GSI
        if (pcct) {
            std::string why;
            auto sub = [&](unsigned idx) -> const acpi::PccSubspace * {
                return idx < pcct->subspaces.size() ? &pcct->subspaces[idx] : nullptr;
            };
            const auto *out = sub(c), *in = sub(c + 1);
            if (!out || out->type != 3) {
                why += " subspace " + std::to_string(c) + " is " +
                       (out ? "type " + std::to_string(out->type) : std::string("missing")) +
                       ", expected type 3 (outbox);";
            }
            if (!in || in->type != 4) {
                why += " subspace " + std::to_string(c + 1) + " is " +
                       (in ? "type " + std::to_string(in->type) : std::string("missing")) +
                       ", expected type 4 (inbox);";
            }
            if (out && in && why.empty() && (!out->gsi || !in->gsi || *out->gsi == 0 || *in->gsi == 0)) {
                why += " no platform interrupt (GSI 0);";
            }
            r.check(why.empty(), name + "-pcct",
                    why.empty() ? "PCCT subspace " + std::to_string(c) + " type 3, " + std::to_string(c + 1) +
                                      " type 4"
                                : why.substr(1));
        } else {
            r.fail(name + "-pcct", "no usable PCCT to check subspaces " + std::to_string(c) + "/" +
                                       std::to_string(c + 1) + " against");
        }
        // SSDT: a DMT0001 device whose _CRS names c then c+1
        std::optional<std::size_t> hit;
        for (std::size_t i = 0; i < found.size(); ++i) {
            if (!found[i].pcc.empty() && found[i].pcc[0].subspace == c) {
                hit = i;
                break;
            }
        }
        if (!hit) {
            r.fail(name + "-ssdt", "no DMT0001 device whose _CRS starts with PCC subspace " + std::to_string(c) +
                                       " in any SSDT (found " + std::to_string(found.size()) +
                                       " DMT0001 device(s))");
            continue;
        }
        matched.insert(*hit);
        const auto &d = found[*hit];
        std::string why;
        if (d.pcc.size() != 2) {
            why += " _CRS has " + std::to_string(d.pcc.size()) + " PCC descriptors, expected 2;";
        } else if (d.pcc[1].subspace != c + 1) {
            why += " second PCC descriptor names subspace " + std::to_string(d.pcc[1].subspace) + ", expected " +
                   std::to_string(c + 1) + ";";
        }
        if (d.uid && *d.uid != c) {
            why += " _UID " + std::to_string(*d.uid) + ", expected " + std::to_string(c) + ";";
        }
        r.check(why.empty(), name + "-ssdt",
                why.empty() ? "device " + d.name + " (DMT0001) _CRS: PCC " + std::to_string(c) + ", PCC " +
                                  std::to_string(c + 1)
                            : "device " + d.name + ":" + why);
    }
    std::string extra;
    for (std::size_t i = 0; i < found.size(); ++i) {
        if (!matched.count(i)) {
            extra += " " + found[i].name + (found[i].pcc.empty()
                                                 ? std::string("(no PCC resources)")
                                                 : "(PCC " + std::to_string(found[i].pcc[0].subspace) + ")");
        }
    }
    r.check(extra.empty(), "mctp-ssdt-devices",
            extra.empty() ? std::to_string(found.size()) + " DMT0001 device(s), channels " + join(want)
                          : "unexpected DMT0001 device(s):" + extra + " (expected channels " + join(want) + ")");
}

// --- MCTP stack -------------------------------------------------------------

void check_mctp_stack(Reporter &r, const Options &o)
{
    constexpr int kAfMctp = 45;  // AF_MCTP, linux/socket.h
    bool proto = false;
    if (auto p = read_file("/proc/net/protocols")) {
        std::string s(p->begin(), p->end());
        proto = s.find("\nMCTP ") != std::string::npos || s.rfind("MCTP ", 0) == 0;
    }
    int fd = ::socket(kAfMctp, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int sock_errno = errno;
    if (fd >= 0) {
        ::close(fd);
    }
    if (fd < 0) {
        r.skip("mctp-kernel", std::string("kernel has no MCTP stack: socket(AF_MCTP) failed with ") +
                                  (sock_errno == EAFNOSUPPORT ? "EAFNOSUPPORT" : std::strerror(sock_errno)) +
                                  (proto ? "" : ", MCTP not in /proc/net/protocols") +
                                  " (needs CONFIG_MCTP)");
        r.skip("mctp-pcc-link", "needs CONFIG_MCTP and CONFIG_MCTP_TRANSPORT_PCC (mctp-pcc driver)");
        r.skip("mctp-traffic", "needs an MCTP stack in the guest kernel");
        return;
    }
    r.ok("mctp-kernel", "socket(AF_MCTP) works");
    std::vector<std::string> links;
    for (const auto &n : list_dir("/sys/class/net")) {
        if (n.rfind("mctppcc", 0) == 0) {
            links.push_back(n);
        }
    }
    if (links.empty()) {
        r.skip("mctp-pcc-link", "no mctppcc* network link: kernel without the mctp-pcc driver "
                                "(CONFIG_MCTP_TRANSPORT_PCC) or it did not bind to DMT0001");
        r.skip("mctp-traffic", "no mctppcc* link");
        return;
    }
    std::string all;
    for (const auto &l : links) {
        all += " " + l;
    }
    if (o.mctp && links.size() != o.mctp->size()) {
        r.fail("mctp-pcc-link", "links:" + all + ", expected one per channel " + join(*o.mctp));
    } else {
        r.ok("mctp-pcc-link", "links:" + all);
    }
    r.skip("mctp-traffic", o.have_platform ? "MCTP traffic check not implemented in this lab version"
                                           : "no platform (pccd) attached to this run");
}

// --- hwmon ------------------------------------------------------------------

void check_hwmon(Reporter &r, const HwmonExpect &e)
{
    const std::string name = "hwmon-" + e.name + "-" + e.attribute;
    std::vector<std::string> seen;
    for (const auto &h : list_dir("/sys/class/hwmon")) {
        const std::string dir = "/sys/class/hwmon/" + h;
        auto n = read_file(dir + "/name");
        std::string hname = n ? trim(std::string(n->begin(), n->end())) : std::string("?");
        seen.push_back(h + "=" + hname);
        if (hname != e.name) {
            continue;
        }
        std::string err;
        auto v = read_file(dir + "/" + e.attribute, &err);
        if (!v) {
            r.fail(name, dir + "/" + e.attribute + ": " + err);
            return;
        }
        std::string text = trim(std::string(v->begin(), v->end()));
        char *end = nullptr;
        long got = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end) {
            r.fail(name, dir + "/" + e.attribute + ": not a number: '" + text + "'");
            return;
        }
        r.check(std::labs(got - e.value) <= e.tolerance, name,
                dir + "/" + e.attribute + " = " + std::to_string(got) + " (expected " + std::to_string(e.value) +
                    (e.tolerance ? " +-" + std::to_string(e.tolerance) : "") + ")");
        return;
    }
    std::string all;
    for (const auto &s : seen) {
        all += " " + s;
    }
    r.fail(name, "no hwmon device named '" + e.name + "' (present:" + (all.empty() ? " none" : all) + ")");
}

// --- command line -----------------------------------------------------------

[[noreturn]] void usage(const std::string &why)
{
    lab::write_line("pcc-guest-check: " + why);
    lab::write_line("usage: pcc-guest-check [--expect-subspaces N] [--expect-mctp C,C...|none] "
                    "[--expect-no-pcc] [--mctp-stack] [--no-platform] "
                    "[--expect-hwmon NAME,ATTR,VALUE[,TOLERANCE]]...");
    std::exit(2);
}

std::optional<unsigned long> number(const std::string &s)
{
    if (s.empty()) {
        return std::nullopt;
    }
    char *end = nullptr;
    errno = 0;
    unsigned long v = std::strtoul(s.c_str(), &end, 0);
    if (*end || errno) {
        return std::nullopt;
    }
    return v;
}

std::vector<std::string> split(const std::string &s, char sep)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        auto p = s.find(sep, start);
        out.push_back(s.substr(start, p - start));
        if (p == std::string::npos) {
            return out;
        }
        start = p + 1;
    }
}

Options parse(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage(a + " needs a value");
            }
            return argv[++i];
        };
        if (a == "--expect-subspaces") {
            auto n = number(value());
            if (!n) {
                usage("--expect-subspaces: not a number");
            }
            o.subspaces = static_cast<unsigned>(*n);
        } else if (a == "--expect-mctp") {
            std::string v = value();
            std::vector<unsigned> ch;
            if (v != "none") {
                for (const auto &p : split(v, ',')) {
                    auto n = number(p);
                    if (!n) {
                        usage("--expect-mctp: bad channel '" + p + "'");
                    }
                    ch.push_back(static_cast<unsigned>(*n));
                }
            }
            o.mctp = ch;
        } else if (a == "--expect-no-pcc") {
            o.expect_no_pcc = true;
        } else if (a == "--mctp-stack") {
            o.mctp_stack = true;
        } else if (a == "--no-platform") {
            o.have_platform = false;
        } else if (a == "--expect-hwmon") {
            auto f = split(value(), ',');
            if (f.size() < 3 || f.size() > 4) {
                usage("--expect-hwmon NAME,ATTR,VALUE[,TOLERANCE]");
            }
            char *end = nullptr;
            HwmonExpect e{f[0], f[1], std::strtol(f[2].c_str(), &end, 0), 0};
            if (*end) {
                usage("--expect-hwmon: bad value '" + f[2] + "'");
            }
            if (f.size() == 4) {
                e.tolerance = std::strtol(f[3].c_str(), &end, 0);
            }
            o.hwmon.push_back(e);
        } else {
            usage("unknown argument '" + a + "'");
        }
    }
    return o;
}

}  // namespace

int main(int argc, char **argv)
{
    const Options o = parse(argc, argv);
    Reporter r;
    const bool acpi_checks = o.subspaces || o.mctp || o.expect_no_pcc;
    if (acpi_checks) {
        check_kernel_log(r, o);
    }
    std::optional<acpi::Pcct> pcct;
    if (acpi_checks) {
        pcct = check_pcct(r, o);
    }
    if (o.mctp) {
        check_mctp_devices(r, o, pcct);
    }
    if (o.mctp_stack) {
        check_mctp_stack(r, o);
    }
    for (const auto &h : o.hwmon) {
        check_hwmon(r, h);
    }
    r.summary();
    return r.failures() ? 1 : 0;
}
