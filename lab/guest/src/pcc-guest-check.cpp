// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-guest-check: runs inside the lab's guest and checks, from Linux's
// point of view, what QEMU's PCC devices should have produced:
//   * kernel log: drivers/mailbox/pcc.c probed N subspaces, no PCC errors
//   * /sys/firmware/acpi/tables/PCCT: N well-formed subspaces
//   * SSDT*: one DMT0001 device per expected pcc-mctp channel c, with a
//     _CRS naming subspaces c (type 3 in the PCCT) and c+1 (type 4)
//   * SSDT*: one APMC0D29 device per expected pcc-xgene-hwmon channel c,
//     with _DSD "pcc-channel" = c (type 2 in the PCCT), bound to Linux's
//     xgene-slimpro-hwmon driver
//   * optionally the MCTP stack and hwmon attributes; --host-step asks the
//     runner to act on the host (e.g. change a value in pccd) and
//     --wait-hwmon then polls until the guest sees the effect
// Results go to stdout as "PCC-RESULT ok|fail|skip <name> <message>".
// Exit status: 0 when nothing failed.
#include "acpi.hpp"
#include "fd.hpp"
#include "kmsg.hpp"
#include "report.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using lab::Reporter;
namespace acpi = lab::acpi;

constexpr const char* kTables = "/sys/firmware/acpi/tables";

struct HwmonExpect {
    std::string name;       // contents of hwmonN/name
    std::string attribute;  // e.g. temp1_input
    long value = 0;
    long tolerance = 0;
};

struct HwmonWait {
    std::string name;
    std::string attribute;
    long value = 0;
    int seconds = 10;  // deadline
};

struct Options {
    std::optional<unsigned> subspaces;          // --expect-subspaces N
    std::optional<std::vector<unsigned>> mctp;  // --expect-mctp 0,2 | none
    std::vector<unsigned> xgene;                // --expect-xgene 4[,C...]
    bool expect_no_pcc = false;                 // --expect-no-pcc
    bool mctp_stack = false;                    // --mctp-stack
    bool have_platform = true;                  // --no-platform
    std::vector<HwmonExpect> hwmon;             // --expect-hwmon name,attr,value[,tol]
    std::vector<std::string> host_steps;        // --host-step NAME
    std::vector<HwmonWait> waits;               // --wait-hwmon name,attr,value[,seconds]
};

constexpr const char* kXgeneHid = "APMC0D29";
constexpr const char* kXgeneDriver = "xgene-slimpro-hwmon";

using lab::Fd;

// Whole file; nullopt (errno kept in *err) when it cannot be opened.
std::optional<std::vector<std::uint8_t>> read_file(const std::string& path,
                                                   std::string* err = nullptr) {
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

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

std::vector<std::string> list_dir(const std::string& path) {
    std::vector<std::string> out;
    DIR* d = ::opendir(path.c_str());
    if (!d) {
        return out;
    }
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") {
            out.push_back(n);
        }
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::string hex(std::uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof(b), "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

// "; a; b;" -> "a; b": the reasons collected as " reason;" pieces
std::string reasons(const std::string& why) {
    const auto first = why.find_first_not_of(' ');
    std::string s = first == std::string::npos ? std::string() : why.substr(first);
    while (!s.empty() && s.back() == ';') {
        s.pop_back();
    }
    return s;
}

std::string join(const std::vector<unsigned>& v) {
    std::string s;
    for (auto x : v) {
        s += (s.empty() ? "" : ",") + std::to_string(x);
    }
    return s.empty() ? "none" : s;
}

bool contains(const std::string& s, const char* what) {
    return s.find(what) != std::string::npos;
}

// "ETIMEDOUT (Connection timed out)": the name says what the driver returned
std::string errno_text(int e) {
    static const std::pair<int, const char*> names[] = {
        {ETIMEDOUT, "ETIMEDOUT"}, {ENODATA, "ENODATA"}, {EINVAL, "EINVAL"},
        {ENODEV, "ENODEV"},       {EIO, "EIO"},         {ENOENT, "ENOENT"},
        {EBUSY, "EBUSY"},         {ENXIO, "ENXIO"},     {EAGAIN, "EAGAIN"},
        {ENOMEM, "ENOMEM"},       {EPERM, "EPERM"},     {EACCES, "EACCES"},
    };
    for (const auto& [n, name] : names) {
        if (n == e) {
            return std::string(name) + " (" + std::strerror(e) + ")";
        }
    }
    return "errno " + std::to_string(e) + " (" + std::strerror(e) + ")";
}

// The last `max` kernel log lines that mention any of `words`, quoted:
// "kernel: <3>xgene-slimpro-hwmon APMC0D29:00: Mailbox operation timed out"
std::string kernel_lines(std::initializer_list<const char*> words, std::size_t max = 2) {
    std::string source, error;
    std::vector<std::string> hits;
    const auto log = lab::read_kernel_log(&source, &error);
    // warnings and errors when there are any, else everything that matches
    int max_level = 4;
    for (int pass = 0; pass < 2 && hits.empty(); ++pass, max_level = 7) {
        for (const auto& rec : log) {
            if (rec.level > max_level) {
                continue;
            }
            for (auto* w : words) {
                if (!contains(rec.text, w)) {
                    continue;
                }
                const std::string l = "<" + std::to_string(rec.level) + ">" + rec.text;
                if (hits.empty() || hits.back() != l) {
                    hits.push_back(l);
                }
                break;
            }
        }
    }
    if (hits.empty()) {
        return {};
    }
    std::string out;
    for (std::size_t i = hits.size() > max ? hits.size() - max : 0; i < hits.size(); ++i) {
        out += (out.empty() ? "" : " | ") + hits[i];
    }
    return "; kernel log: " + out;
}

// --- kernel log -----------------------------------------------------------

// Error lines of drivers/mailbox/pcc.c that do not say "PCC" themselves.
constexpr const char* kPccErrorsWithoutPcc[] = {
    "Cannot access register of",
    "Platform Interrupt flag must be set",
    "Channel not found for idx",
};

void check_kernel_log(Reporter& r, const Options& o) {
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
    for (const auto& rec : log) {
        const auto& t = rec.text;
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
            for (auto* e : kPccErrorsWithoutPcc) {
                pcc = pcc || contains(t, e);
            }
            if (pcc) {
                errors.push_back("<" + std::to_string(rec.level) + ">" + t);
            }
        }
    }

    if (o.expect_no_pcc) {
        r.check(!detected && !registered, "kmsg-no-pcc",
                detected
                    ? "pcc.c probed " + std::to_string(*detected) + " subspaces, expected no PCCT"
                    : "pcc.c did not probe (no PCCT), as expected");
    } else if (o.subspaces) {
        if (!detected) {
            r.fail("kmsg-detected",
                   "no \"Detected N PCC Subspaces\" line: pcc.c did not probe "
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
    for (const auto& e : errors) {
        joined += (joined.empty() ? "" : " | ") + e;
    }
    r.check(errors.empty(), "kmsg-pcc-errors",
            errors.empty()
                ? "no PCC warnings or errors in the kernel log"
                : std::to_string(errors.size()) + " PCC warning/error line(s): " + joined);
}

// --- ACPI tables ------------------------------------------------------------

std::optional<acpi::Pcct> check_pcct(Reporter& r, const Options& o) {
    std::string err;
    auto table = read_file(std::string(kTables) + "/PCCT", &err);
    if (o.expect_no_pcc) {
        r.check(
            !table, "pcct-absent",
            table ? "a PCCT exists although no PCC device was configured" : "no PCCT, as expected");
        return std::nullopt;
    }
    if (!table) {
        r.fail("pcct-present",
               std::string(kTables) + "/PCCT: " + err +
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
    r.ok("pcct-parse",
         std::to_string(pcct->subspaces.size()) + " subspaces, flags " + hex(pcct->flags));
    for (const auto& s : pcct->subspaces) {
        std::string line = "index " + std::to_string(s.index) + " type " + std::to_string(s.type) +
                           " length " + std::to_string(s.length) + " base " + hex(s.base) +
                           " size " + hex(s.size);
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
        const auto& a = pcct->subspaces[i];
        if (a.base == 0 || a.size == 0) {
            overlap += " subspace " + std::to_string(i) + " has no shared memory;";
        }
        for (std::size_t j = i + 1; j < pcct->subspaces.size(); ++j) {
            const auto& b = pcct->subspaces[j];
            if (a.base < b.base + b.size && b.base < a.base + a.size) {
                overlap +=
                    " subspaces " + std::to_string(i) + " and " + std::to_string(j) + " overlap;";
            }
        }
    }
    r.check(overlap.empty(), "pcct-shmem",
            overlap.empty() ? "every subspace has its own shared memory" : reasons(overlap));
    return pcct;
}

void check_mctp_devices(Reporter& r, const Options& o, const std::optional<acpi::Pcct>& pcct) {
    std::vector<acpi::AmlDevice> found;
    std::vector<std::string> ssdts;
    for (const auto& name : list_dir(kTables)) {
        if (name.rfind("SSDT", 0) != 0) {
            continue;
        }
        auto t = read_file(std::string(kTables) + "/" + name);
        if (!t) {
            continue;
        }
        auto devs = acpi::find_devices(*t, "DMT0001");
        auto hdr = acpi::parse_header(*t);
        ssdts.push_back(name + "(" + (hdr ? hdr->oem_table_id : "?") +
                        "):" + std::to_string(devs.size()));
        for (auto& d : devs) {
            std::string res;
            for (const auto& p : d.pcc) {
                res += " pcc " + std::to_string(p.subspace);
            }
            r.info("ssdt-device", name + " " + d.name + " _HID DMT0001 _UID " +
                                      (d.uid ? std::to_string(*d.uid) : std::string("none")) +
                                      " _CRS" + (res.empty() ? " (no PCC descriptors)" : res));
            found.push_back(std::move(d));
        }
    }
    std::string all;
    for (const auto& s : ssdts) {
        all += " " + s;
    }
    r.info("ssdt-tables", ssdts.empty() ? "no SSDT" : "DMT0001 devices per SSDT:" + all);

    const auto& want = *o.mctp;
    std::set<std::size_t> matched;
    for (unsigned c : want) {
        const std::string name = "mctp-c" + std::to_string(c);
        // PCCT: outbox type 3 at c, inbox type 4 at c+1, both with a GSI
        if (pcct) {
            std::string why;
            auto sub = [&](unsigned idx) -> const acpi::PccSubspace* {
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
            if (out && in && why.empty() &&
                (!out->gsi || !in->gsi || *out->gsi == 0 || *in->gsi == 0)) {
                why += " no platform interrupt (GSI 0);";
            }
            r.check(why.empty(), name + "-pcct",
                    why.empty() ? "PCCT subspace " + std::to_string(c) + " type 3, " +
                                      std::to_string(c + 1) + " type 4"
                                : reasons(why));
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
            r.fail(name + "-ssdt", "no DMT0001 device whose _CRS starts with PCC subspace " +
                                       std::to_string(c) + " in any SSDT (found " +
                                       std::to_string(found.size()) + " DMT0001 device(s))");
            continue;
        }
        matched.insert(*hit);
        const auto& d = found[*hit];
        std::string why;
        if (d.pcc.size() != 2) {
            why += " _CRS has " + std::to_string(d.pcc.size()) + " PCC descriptors, expected 2;";
        } else if (d.pcc[1].subspace != c + 1) {
            why += " second PCC descriptor names subspace " + std::to_string(d.pcc[1].subspace) +
                   ", expected " + std::to_string(c + 1) + ";";
        }
        if (d.uid && *d.uid != c) {
            why += " _UID " + std::to_string(*d.uid) + ", expected " + std::to_string(c) + ";";
        }
        r.check(why.empty(), name + "-ssdt",
                why.empty() ? "device " + d.name + " (DMT0001) _CRS: PCC " + std::to_string(c) +
                                  ", PCC " + std::to_string(c + 1)
                            : "device " + d.name + ": " + reasons(why));
    }
    std::string extra;
    for (std::size_t i = 0; i < found.size(); ++i) {
        if (!matched.count(i)) {
            extra +=
                " " + found[i].name +
                (found[i].pcc.empty() ? std::string("(no PCC resources)")
                                      : "(PCC " + std::to_string(found[i].pcc[0].subspace) + ")");
        }
    }
    r.check(
        extra.empty(), "mctp-ssdt-devices",
        extra.empty()
            ? std::to_string(found.size()) + " DMT0001 device(s), channels " + join(want)
            : "unexpected DMT0001 device(s):" + extra + " (expected channels " + join(want) + ")");
}

// --- X-Gene SLIMpro hwmon (pcc-xgene-hwmon) ------------------------------------

std::string read_text(const std::string& path) {
    auto v = read_file(path);
    return v ? trim(std::string(v->begin(), v->end())) : std::string();
}

std::string link_target_name(const std::string& path) {
    char buf[512];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf) - 1);
    if (n <= 0) {
        return {};
    }
    std::string t(buf, static_cast<std::size_t>(n));
    auto slash = t.find_last_of('/');
    return slash == std::string::npos ? t : t.substr(slash + 1);
}

// Why Linux's driver is or is not bound to the APMC0D29 device of channel
// c: empty when bound, else the reason.
std::string xgene_binding_problem(unsigned c) {
    std::string acpi_dev;
    std::vector<std::string> seen;
    for (const auto& n : list_dir("/sys/bus/acpi/devices")) {
        if (n.rfind(kXgeneHid, 0) != 0) {
            continue;
        }
        const std::string uid = read_text("/sys/bus/acpi/devices/" + n + "/uid");
        seen.push_back(n + "(_UID " + (uid.empty() ? "none" : uid) + ")");
        if (uid == std::to_string(c)) {
            acpi_dev = n;
        }
    }
    if (acpi_dev.empty()) {
        std::string all;
        for (const auto& x : seen) {
            all += " " + x;
        }
        return "Linux enumerated no ACPI device " + std::string(kXgeneHid) + " with _UID " +
               std::to_string(c) + " (present:" + (all.empty() ? " none" : all) + ")";
    }
    const std::string node = "/sys/bus/acpi/devices/" + acpi_dev + "/physical_node";
    const std::string drv = link_target_name(node + "/driver");
    if (drv == kXgeneDriver) {
        return {};
    }
    if (!drv.empty()) {
        return acpi_dev + " is bound to driver '" + drv + "', not " + kXgeneDriver;
    }
    if (list_dir(std::string("/sys/bus/platform/drivers/") + kXgeneDriver).empty()) {
        return acpi_dev + " has no driver: " + kXgeneDriver +
               " is not registered (module xgene-hwmon not loaded: `modules = xgene-hwmon`?)";
    }
    return acpi_dev + " has no driver: " + kXgeneDriver + " did not bind (probe failed?)" +
           kernel_lines({kXgeneHid, "xgene", "PCC", "pcc"});
}

void check_xgene_devices(Reporter& r, const Options& o, const std::optional<acpi::Pcct>& pcct) {
    std::vector<acpi::AmlDevice> found;
    for (const auto& name : list_dir(kTables)) {
        if (name.rfind("SSDT", 0) != 0) {
            continue;
        }
        auto t = read_file(std::string(kTables) + "/" + name);
        if (!t) {
            continue;
        }
        for (auto& d : acpi::find_devices(*t, kXgeneHid)) {
            const auto ch = d.property("pcc-channel");
            r.info("ssdt-device", name + " " + d.name + " _HID " + kXgeneHid + " _UID " +
                                      (d.uid ? std::to_string(*d.uid) : std::string("none")) +
                                      " _DSD pcc-channel " +
                                      (ch ? std::to_string(*ch) : std::string("none")));
            found.push_back(std::move(d));
        }
    }
    for (unsigned c : o.xgene) {
        const std::string name = "xgene-c" + std::to_string(c);
        // PCCT: a type 2 subspace (generic, platform ack) with an interrupt
        if (!pcct) {
            r.fail(name + "-pcct",
                   "no usable PCCT to check subspace " + std::to_string(c) + " against");
        } else if (c >= pcct->subspaces.size()) {
            r.fail(name + "-pcct", "subspace " + std::to_string(c) +
                                       " is missing, expected type 2 (the PCCT has " +
                                       std::to_string(pcct->subspaces.size()) + ")");
        } else {
            const auto& sub = pcct->subspaces[c];
            std::string why;
            if (sub.type != 2) {
                why += " subspace " + std::to_string(c) + " is type " + std::to_string(sub.type) +
                       ", expected type 2;";
            } else if (!sub.gsi || *sub.gsi == 0) {
                why +=
                    " no platform interrupt (GSI 0): xgene-hwmon refuses a PCC channel without "
                    "one;";
            }
            r.check(why.empty(), name + "-pcct",
                    why.empty() ? "PCCT subspace " + std::to_string(c) + " type 2, GSI " +
                                      std::to_string(*sub.gsi)
                                : reasons(why));
        }
        // SSDT: an APMC0D29 device whose _DSD names the channel
        const acpi::AmlDevice* hit = nullptr;
        std::string others;
        for (const auto& d : found) {
            const auto ch = d.property("pcc-channel");
            if (ch && *ch == c) {
                hit = &d;
            } else {
                others += " " + d.name + "(pcc-channel " +
                          (ch ? std::to_string(*ch) : std::string("missing")) + ")";
            }
        }
        if (!hit) {
            r.fail(name + "-ssdt", "no " + std::string(kXgeneHid) +
                                       " device whose _DSD pcc-channel is " + std::to_string(c) +
                                       " in any SSDT (found:" +
                                       (found.empty() ? std::string(" none") : others) + ")");
        } else {
            r.ok(name + "-ssdt", "device " + hit->name + " (" + kXgeneHid + ") _DSD pcc-channel " +
                                     std::to_string(c));
        }
        const std::string problem = xgene_binding_problem(c);
        r.check(problem.empty(), name + "-driver",
                problem.empty() ? std::string(kXgeneDriver) + " bound to the channel " +
                                      std::to_string(c) + " device"
                                : problem);
    }
}

// --- MCTP stack -------------------------------------------------------------

void check_mctp_stack(Reporter& r, const Options& o) {
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
        r.skip("mctp-kernel",
               std::string("kernel has no MCTP stack: socket(AF_MCTP) failed with ") +
                   (sock_errno == EAFNOSUPPORT ? "EAFNOSUPPORT" : std::strerror(sock_errno)) +
                   (proto ? "" : ", MCTP not in /proc/net/protocols") + " (needs CONFIG_MCTP)");
        r.skip("mctp-pcc-link",
               "needs CONFIG_MCTP and CONFIG_MCTP_TRANSPORT_PCC (mctp-pcc driver)");
        return;
    }
    r.ok("mctp-kernel", "socket(AF_MCTP) works");
    std::vector<std::string> links;
    for (const auto& n : list_dir("/sys/class/net")) {
        if (n.rfind("mctppcc", 0) == 0) {
            links.push_back(n);
        }
    }
    if (links.empty()) {
        r.skip("mctp-pcc-link",
               "no mctppcc* network link: kernel without the mctp-pcc driver "
               "(CONFIG_MCTP_TRANSPORT_PCC) or it did not bind to DMT0001");
        return;
    }
    std::string all;
    for (const auto& l : links) {
        all += " " + l;
    }
    if (o.mctp && links.size() != o.mctp->size()) {
        r.fail("mctp-pcc-link", "links:" + all + ", expected one per channel " + join(*o.mctp));
    } else {
        r.ok("mctp-pcc-link", "links:" + all);
    }
    // the traffic itself: pcc-guest-mctp (mctp-traffic)
}

// --- hwmon ------------------------------------------------------------------

// Why no hwmon device is called `name`, as far as the guest can tell.
std::string hwmon_absent_hint(const std::string& name) {
    if (name != "apm_xgene") {
        return {};
    }
    std::vector<std::string> devs;
    for (const auto& n : list_dir("/sys/bus/acpi/devices")) {
        if (n.rfind(kXgeneHid, 0) == 0) {
            devs.push_back(n);
        }
    }
    if (devs.empty()) {
        return std::string("; no ACPI device with _HID ") + kXgeneHid +
               " (no pcc-xgene-hwmon in QEMU, or its SSDT device has another _HID)";
    }
    for (const auto& d : devs) {
        const std::string drv =
            link_target_name("/sys/bus/acpi/devices/" + d + "/physical_node/driver");
        if (drv == kXgeneDriver) {
            return "; " + d + " is bound to " + kXgeneDriver + " but registered no hwmon device" +
                   kernel_lines({kXgeneHid, "xgene"});
        }
    }
    if (list_dir(std::string("/sys/bus/platform/drivers/") + kXgeneDriver).empty()) {
        return "; " + devs[0] + " exists but " + kXgeneDriver +
               " is not registered (module xgene-hwmon not loaded: `modules = xgene-hwmon`?)";
    }
    return "; " + devs[0] + " exists but " + kXgeneDriver + " did not bind" +
           kernel_lines({kXgeneHid, "xgene", "PCC", "pcc"});
}

// The directory of the hwmon device called `name`; *seen lists them all.
std::optional<std::string> find_hwmon(const std::string& name, std::string* seen) {
    for (const auto& h : list_dir("/sys/class/hwmon")) {
        const std::string dir = "/sys/class/hwmon/" + h;
        auto n = read_file(dir + "/name");
        std::string hname = n ? trim(std::string(n->begin(), n->end())) : std::string("?");
        *seen += " " + h + "=" + hname;
        if (hname == name) {
            return dir;
        }
    }
    return std::nullopt;
}

// One read of a hwmon attribute: the number, or the reason it failed.
struct HwmonRead {
    std::optional<long> value;
    std::string error;  // "read failed with ETIMEDOUT (...)" etc.
    int err = 0;
};

HwmonRead read_hwmon(const std::string& path) {
    HwmonRead out;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        out.err = errno;
        out.error = "cannot open: " + errno_text(out.err);
        return out;
    }
    char buf[64];
    ssize_t n;
    do {
        n = ::read(fd.get(), buf, sizeof(buf) - 1);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        // the driver's answer: sysfs passes its negative return value on
        out.err = errno;
        out.error = "read failed with " + errno_text(out.err);
        return out;
    }
    std::string text = trim(std::string(buf, static_cast<std::size_t>(n)));
    char* end = nullptr;
    long got = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end) {
        out.error = "not a number: '" + text + "'";
        return out;
    }
    out.value = got;
    return out;
}

// A failed read, with what the kernel said about it (e.g. xgene-hwmon's
// "Mailbox operation timed out" when the platform never answers).
std::string read_failure(const std::string& path, const HwmonRead& rd) {
    std::string msg = path + ": " + rd.error;
    if (rd.err == ETIMEDOUT) {
        msg +=
            ": the platform did not answer in time (is pccd serving this channel? a rule that "
            "drops it?)";
    } else if (rd.err == ENODATA) {
        msg += ": the platform flagged the value invalid";
    } else if (rd.err == EINVAL) {
        msg += ": the platform answered with an error message";
    }
    if (rd.err) {
        msg += kernel_lines({kXgeneHid, "xgene", "Mailbox", "PCC"});
    }
    return msg;
}

void check_hwmon(Reporter& r, const HwmonExpect& e) {
    const std::string name = "hwmon-" + e.name + "-" + e.attribute;
    std::string seen;
    auto dir = find_hwmon(e.name, &seen);
    if (!dir) {
        r.fail(name, "no hwmon device named '" + e.name + "' (present:" +
                         (seen.empty() ? " none" : seen) + ")" + hwmon_absent_hint(e.name));
        return;
    }
    const std::string path = *dir + "/" + e.attribute;
    auto rd = read_hwmon(path);
    if (!rd.value) {
        r.fail(name, read_failure(path, rd));
        return;
    }
    r.check(std::labs(*rd.value - e.value) <= e.tolerance, name,
            path + " = " + std::to_string(*rd.value) + " (expected " + std::to_string(e.value) +
                (e.tolerance ? " +-" + std::to_string(e.tolerance) : "") + ")");
}

double now_s() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string fmt_s(double s) {
    char b[32];
    std::snprintf(b, sizeof(b), "%.2f s", s);
    return b;
}

// Polls ATTR until it reads VALUE (after a --host-step changed it on the
// platform), at most w.seconds.
void wait_hwmon(Reporter& r, const HwmonWait& w) {
    const std::string name = "hwmon-" + w.name + "-" + w.attribute + "-changed";
    std::string seen;
    auto dir = find_hwmon(w.name, &seen);
    if (!dir) {
        r.fail(name, "no hwmon device named '" + w.name + "' (present:" +
                         (seen.empty() ? " none" : seen) + ")" + hwmon_absent_hint(w.name));
        return;
    }
    const std::string path = *dir + "/" + w.attribute;
    const double t0 = now_s();
    HwmonRead rd;
    std::optional<long> first;
    int reads = 0;
    for (;;) {
        rd = read_hwmon(path);
        ++reads;
        if (!first && rd.value) {
            first = rd.value;
        }
        if (rd.value && *rd.value == w.value) {
            r.ok(name, path + " = " + std::to_string(w.value) + " after " + fmt_s(now_s() - t0) +
                           " (" + std::to_string(reads) + " read(s); first read " +
                           std::to_string(*first) + ")");
            return;
        }
        if (now_s() - t0 >= w.seconds) {
            break;
        }
        timespec pause{0, 50 * 1000 * 1000};
        ::nanosleep(&pause, nullptr);
    }
    if (!rd.value) {
        r.fail(name, "waiting for " + std::to_string(w.value) + ": " + read_failure(path, rd));
        return;
    }
    r.fail(name, path + " still reads " + std::to_string(*rd.value) + " after " +
                     std::to_string(w.seconds) + " s (" + std::to_string(reads) +
                     " reads), expected " + std::to_string(w.value) +
                     ": the platform's new value never arrived (did the runner's host step run? "
                     "see host-* checks)");
}

// --- command line -----------------------------------------------------------

[[noreturn]] void usage(const std::string& why) {
    lab::write_line("pcc-guest-check: " + why);
    lab::write_line(
        "usage: pcc-guest-check [--expect-subspaces N] [--expect-mctp C,C...|none] "
        "[--expect-no-pcc] [--mctp-stack] [--no-platform] "
        "[--expect-xgene C,C...] [--expect-hwmon NAME,ATTR,VALUE[,TOLERANCE]]... "
        "[--host-step NAME]... [--wait-hwmon NAME,ATTR,VALUE[,SECONDS]]...");
    std::exit(2);
}

std::optional<unsigned long> number(const std::string& s) {
    if (s.empty()) {
        return std::nullopt;
    }
    char* end = nullptr;
    errno = 0;
    unsigned long v = std::strtoul(s.c_str(), &end, 0);
    if (*end || errno) {
        return std::nullopt;
    }
    return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
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

// NAME,ATTR,VALUE[,EXTRA] as --expect-hwmon and --wait-hwmon take it.
struct HwmonSpec {
    std::string name;
    std::string attribute;
    long value = 0;
    std::optional<long> extra;
};

HwmonSpec parse_hwmon_spec(const std::string& flag, const std::string& text,
                           const std::string& extra_name) {
    auto f = split(text, ',');
    if (f.size() < 3 || f.size() > 4) {
        usage(flag + " NAME,ATTR,VALUE[," + extra_name + "]");
    }
    char* end = nullptr;
    HwmonSpec spec{f[0], f[1], std::strtol(f[2].c_str(), &end, 0), std::nullopt};
    if (*end) {
        usage(flag + ": bad value '" + f[2] + "'");
    }
    if (f.size() == 4) {
        spec.extra = std::strtol(f[3].c_str(), &end, 0);
        if (*end) {
            usage(flag + ": bad " + extra_name + " '" + f[3] + "'");
        }
    }
    return spec;
}

Options parse(int argc, char** argv) {
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
                for (const auto& p : split(v, ',')) {
                    auto n = number(p);
                    if (!n) {
                        usage("--expect-mctp: bad channel '" + p + "'");
                    }
                    ch.push_back(static_cast<unsigned>(*n));
                }
            }
            o.mctp = ch;
        } else if (a == "--expect-xgene") {
            for (const auto& p : split(value(), ',')) {
                auto n = number(p);
                if (!n) {
                    usage("--expect-xgene: bad channel '" + p + "'");
                }
                o.xgene.push_back(static_cast<unsigned>(*n));
            }
        } else if (a == "--host-step") {
            o.host_steps.push_back(value());
        } else if (a == "--wait-hwmon") {
            const auto spec = parse_hwmon_spec(a, value(), "SECONDS");
            HwmonWait w{spec.name, spec.attribute, spec.value, 10};
            if (spec.extra) {
                if (*spec.extra <= 0) {
                    usage("--wait-hwmon: bad seconds '" + std::to_string(*spec.extra) + "'");
                }
                w.seconds = static_cast<int>(*spec.extra);
            }
            o.waits.push_back(w);
        } else if (a == "--expect-no-pcc") {
            o.expect_no_pcc = true;
        } else if (a == "--mctp-stack") {
            o.mctp_stack = true;
        } else if (a == "--no-platform") {
            o.have_platform = false;
        } else if (a == "--expect-hwmon") {
            const auto spec = parse_hwmon_spec(a, value(), "TOLERANCE");
            o.hwmon.push_back(
                HwmonExpect{spec.name, spec.attribute, spec.value, spec.extra.value_or(0)});
        } else {
            usage("unknown argument '" + a + "'");
        }
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    Reporter r;
    const bool acpi_checks = o.subspaces || o.mctp || o.expect_no_pcc || !o.xgene.empty();
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
    if (!o.xgene.empty()) {
        check_xgene_devices(r, o, pcct);
    }
    if (o.mctp_stack) {
        check_mctp_stack(r, o);
    }
    for (const auto& h : o.hwmon) {
        check_hwmon(r, h);
    }
    // The runner acts on "PCC-LAB-HOST NAME" (the scenario's `on NAME =`),
    // e.g. `pccd set`; the waits below then see the effect.
    for (const auto& step : o.host_steps) {
        lab::write_line("PCC-LAB-HOST " + step);
    }
    for (const auto& w : o.waits) {
        wait_hwmon(r, w);
    }
    r.summary();
    return r.failures() ? 1 : 0;
}
