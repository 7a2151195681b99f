// SPDX-License-Identifier: GPL-2.0-or-later
// Raw PCC subspaces (QEMU's pcc-raw) through the lab's pcc_raw module
// (lab/kmod/README.md) and so through Linux's drivers/mailbox/pcc.c itself,
// answered by pccd's echo personality (each byte XORed with echo.xor):
//   --raw C              exchanges on /dev/pcc-raw-C as its subspace type
//                        allows (the PCCT says the type, the shared memory
//                        and the platform interrupt flag): types 0-2 a
//                        message filling the whole shared memory
//                        (raw-cC-full), a short one (raw-cC-short), four
//                        of other sizes (raw-cC-sizes); type 3 the same
//                        with the notify-on-completion flag, and one
//                        without it (raw-cC-quiet: with the interrupt flag
//                        it never completes, ETIME; without, pcc.c's poll
//                        completes it); poll() says an answer is there
//   --raw-errors C       the mailbox's errors pass through: a request pccd
//                        drops (cmd 0xdd) times out (ETIME when an interrupt
//                        ends the transfer, ETIMEDOUT when the status word
//                        is polled), an `error` answer (cmd 0xee) gives EIO
//                        with the space unchanged, a second open() EBUSY,
//                        short and long writes EINVAL and EMSGSIZE, a read
//                        with nothing queued EAGAIN (O_NONBLOCK), a write
//                        on type 4 EOPNOTSUPP (raw-cC-*)
//   --raw-notify C,HEX   (repeatable, in order) after the host steps: the
//                        type 4 subspace C delivers a notification with
//                        payload HEX (command 0, flags 1; raw-cC-notify-N)
//   --raw-bench C,N      N round trips of a 16-byte payload: p50, p99 and
//                        messages per second (PCC-INFO raw-bench)
//   --raw-xor X          the echo's echo.xor (default 0xff)
// Every message the guest wrote and every answer or notification it read
// is also printed as a PCC-INFO raw-pcap line (raw_model.hpp) that the
// runner compares with pccd's pcap (scenario key `pcap`).
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <set>

#include "check_family.hpp"
#include "raw_model.hpp"
#include "unique_fd.hpp"

namespace lab::checks {

namespace {

using raw::Bytes;

constexpr std::uint16_t kDropCommand = 0xdd;   // raw.rules: drop
constexpr std::uint16_t kErrorCommand = 0xee;  // raw.rules: error 1
constexpr std::uint32_t kExtCommand = 0x52415700;
constexpr std::size_t kReadMax = 1u << 20;  // the module's largest shared memory
constexpr double kNotifySeconds = 20;

std::string errno_name(int e) {
    static const std::map<int, const char*> names{
        {0, "success"},     {ETIME, "ETIME"},       {ETIMEDOUT, "ETIMEDOUT"},
        {EIO, "EIO"},       {EBUSY, "EBUSY"},       {EINVAL, "EINVAL"},
        {EAGAIN, "EAGAIN"}, {EMSGSIZE, "EMSGSIZE"}, {EOPNOTSUPP, "EOPNOTSUPP"},
        {ENOENT, "ENOENT"}, {ENODEV, "ENODEV"},     {EINTR, "EINTR"}};
    const auto it = names.find(e);
    return it != names.end() ? it->second : "errno " + std::to_string(e);
}

struct Subspace {
    unsigned index = 0;
    unsigned type = 0;
    std::size_t shmem = 0;
    bool irq = false;  // the PCCT's platform interrupt flag
    std::string node() const { return "/dev/pcc-raw-" + std::to_string(index); }
};

// One write(): 0 or the errno.
int send(int fd, const Bytes& m) {
    const ssize_t n = ::write(fd, m.data(), m.size());
    if (n < 0) {
        return errno;
    }
    return static_cast<std::size_t>(n) == m.size() ? 0 : EIO;
}

// One read() of a whole message; nullopt with `err` set on failure.
std::optional<Bytes> receive(int fd, int* err) {
    Bytes b(kReadMax);
    const ssize_t n = ::read(fd, b.data(), b.size());
    if (n < 0) {
        *err = errno;
        return std::nullopt;
    }
    b.resize(static_cast<std::size_t>(n));
    return b;
}

bool readable(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

class RawChecks final : public CheckFamily {
  public:
    void add_options(Options& o, Context&) override {
        o.repeatable(
            "--raw", "C",
            [this](const std::string& v) { raw_.push_back(number_value(v, "--raw")); },
            "exchanges of every size on /dev/pcc-raw-C (raw-cC-*)");
        o.repeatable(
            "--raw-errors", "C",
            [this](const std::string& v) { errors_.push_back(number_value(v, "--raw-errors")); },
            "the mailbox's errors through /dev/pcc-raw-C (raw-cC-*)");
        o.repeatable(
            "--raw-notify", "C,HEX",
            [this](const std::string& v) {
                const auto f = split(v, ',');
                if (f.size() != 2) {
                    throw OptionError("--raw-notify " + v + ": C,HEX");
                }
                notify_[number_value(f[0], "--raw-notify")].push_back(parse_hex(f[1]));
            },
            "after the host steps: the type 4 subspace C delivers a notification of payload HEX");
        o.repeatable(
            "--raw-bench", "C,N",
            [this](const std::string& v) {
                const auto f = split(v, ',');
                if (f.size() != 2) {
                    throw OptionError("--raw-bench " + v + ": C,N");
                }
                bench_.emplace_back(number_value(f[0], "--raw-bench"),
                                    number_value(f[1], "--raw-bench"));
            },
            "N round trips on /dev/pcc-raw-C: p50, p99, messages per second");
        o.value(
            "--raw-xor", "X",
            [this](const std::string& v) {
                xor_ = static_cast<std::uint8_t>(number_value(v, "--raw-xor"));
            },
            "pccd's echo.xor (default 0xff)");
    }

    bool examines_pcc_devices(const Context&) const override {
        return !raw_.empty() || !errors_.empty() || !notify_.empty() || !bench_.empty();
    }

    void run(Context& ctx) override {
        for (auto& [c, expected] : notify_) {
            if (auto s = subspace(ctx, c, "notify")) {
                // open before the host steps: pcc.c acknowledges and drops
                // what comes while nobody holds the channel
                listening_[c] = pcc::UniqueFd(::open(s->node().c_str(), O_RDWR | O_CLOEXEC));
                if (!listening_[c]) {
                    ctx.report.fail(name(c, "notify-open"), s->node() + ": " + errno_name(errno));
                }
            }
        }
        for (unsigned c : raw_) {
            if (auto s = subspace(ctx, c, "exchanges")) {
                extended(s->type) ? ext_exchanges(ctx, *s) : generic_exchanges(ctx, *s);
            }
        }
        for (unsigned c : errors_) {
            if (auto s = subspace(ctx, c, "errors")) {
                error_checks(ctx, *s);
            }
        }
        for (const auto& [c, n] : bench_) {
            if (auto s = subspace(ctx, c, "bench")) {
                bench(ctx, *s, n);
            }
        }
    }

    void after_host_steps(Context& ctx) override {
        for (auto& [c, expected] : notify_) {
            auto it = listening_.find(c);
            if (it == listening_.end() || !it->second) {
                continue;
            }
            notifications(ctx, c, it->second.get(), expected);
        }
    }

  private:
    static std::string name(unsigned c, const std::string& what) {
        return "raw-c" + std::to_string(c) + "-" + what;
    }
    static bool extended(unsigned type) { return raw::extended(type); }

    static Bytes parse_hex(const std::string& text) {
        Bytes out;
        if (text.size() % 2 != 0) {
            throw OptionError("'" + text + "': an even number of hex digits");
        }
        for (std::size_t i = 0; i < text.size(); i += 2) {
            out.push_back(static_cast<std::uint8_t>(number_value("0x" + text.substr(i, 2), text)));
        }
        return out;
    }

    // The subspace of channel c from the PCCT, its device node there.
    std::optional<Subspace> subspace(Context& ctx, unsigned c, const std::string& why) {
        if (!ctx.pcct || c >= ctx.pcct->subspaces.size()) {
            ctx.report.fail(name(c, "device"), "the PCCT has no subspace " + std::to_string(c) +
                                                   " (for the " + why + ")");
            return std::nullopt;
        }
        const auto& p = ctx.pcct->subspaces[c];
        Subspace s{c, p.type, static_cast<std::size_t>(p.size), (ctx.pcct->flags & 1) != 0};
        struct stat st {};
        if (::stat(s.node().c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) {
            ctx.report.fail(name(c, "device"), s.node() +
                                                   " is missing (pcc_raw not loaded, or "
                                                   "it did not bind QEMU0CC0): " +
                                                   errno_name(errno));
            return std::nullopt;
        }
        if (!reported_.insert(c).second) {
            return s;
        }
        ctx.report.ok(name(c, "device"), s.node() + ": type " + std::to_string(s.type) + ", " +
                                             std::to_string(s.shmem) + " bytes, PCCT interrupt " +
                                             (s.irq ? "on" : "off"));
        return s;
    }

    void pcap(Context& ctx, unsigned c, bool in, const Bytes& bytes, std::size_t from) {
        ctx.report.info("raw-pcap", raw::pcap_line(c, in, bytes, from));
    }

    // One generic exchange; "" or why it failed. `model` follows the shared memory.
    std::string generic_exchange(Context& ctx, const Subspace& s, int fd, raw::GenericShmem& model,
                                 const Bytes& m, bool* poll_ok) {
        model.write(m);
        pcap(ctx, s.index, true, model.bytes(), 0);
        if (const int e = send(fd, m)) {
            return "write of " + std::to_string(m.size()) + " bytes: " + errno_name(e);
        }
        *poll_ok = *poll_ok && readable(fd, 0);
        int e = 0;
        const auto got = receive(fd, &e);
        if (!got) {
            return "read: " + errno_name(e);
        }
        pcap(ctx, s.index, false, *got, raw::kGenericHeader);
        const std::string diff =
            raw::generic_answer_difference(model.expected_answer(xor_, false), *got);
        model.read(*got);
        return diff.empty() ? diff : "answer to " + std::to_string(m.size()) + " bytes: " + diff;
    }

    void generic_exchanges(Context& ctx, const Subspace& s) {
        pcc::UniqueFd fd(::open(s.node().c_str(), O_RDWR | O_CLOEXEC));
        if (!fd) {
            ctx.report.fail(name(s.index, "full"), "open " + s.node() + ": " + errno_name(errno));
            return;
        }
        raw::GenericShmem& model =
            models_.insert_or_assign(s.index, raw::GenericShmem(s.shmem)).first->second;
        bool poll_ok = true;
        const auto msg = [&](unsigned seq, std::size_t space) {
            return raw::generic_message(s.index, static_cast<std::uint16_t>(0x100 + seq),
                                        raw::pattern(s.index, seq, space));
        };
        std::string why = generic_exchange(ctx, s, fd.get(), model,
                                           msg(0, s.shmem - raw::kGenericHeader), &poll_ok);
        ctx.report.check(why.empty(), name(s.index, "full"),
                         why.empty() ? std::to_string(s.shmem) +
                                           " bytes, the whole shared memory: answered XORed"
                                     : why);
        why = generic_exchange(ctx, s, fd.get(), model, msg(1, 13), &poll_ok);
        ctx.report.check(why.empty(), name(s.index, "short"),
                         why.empty() ? "21 bytes: the space answered XORed, the rest of the "
                                       "shared memory too (the module leaves it alone)"
                                     : why);
        std::string all;
        unsigned seq = 2;
        for (std::size_t space : {std::size_t{0}, std::size_t{1}, std::size_t{255},
                                  s.shmem / 2 - raw::kGenericHeader}) {
            why = generic_exchange(ctx, s, fd.get(), model, msg(seq++, space), &poll_ok);
            all += why.empty() ? "" : " " + why + ";";
        }
        ctx.report.check(
            all.empty(), name(s.index, "sizes"),
            all.empty() ? "8, 9, 263 and " + std::to_string(s.shmem / 2) + " bytes: answered XORed"
                        : reasons(all));
        ctx.report.check(poll_ok, name(s.index, "poll"),
                         poll_ok ? "poll() had POLLIN after every completed write"
                                 : "poll() had no POLLIN after a completed write");
    }

    // One extended exchange (answer expected, or `unseen`: the completion
    // goes unnoticed and write() must fail with ETIME).
    std::string ext_exchange(Context& ctx, const Subspace& s, int fd, const Bytes& m, bool unseen,
                             bool* poll_ok) {
        pcap(ctx, s.index, true, m, 0);
        const int e = send(fd, m);
        if (unseen) {
            pcap_unseen(ctx, s.index);
            return e == ETIME ? std::string()
                              : "write: " + errno_name(e) + ", not ETIME (no interrupt)";
        }
        if (e) {
            return "write of " + std::to_string(m.size()) + " bytes: " + errno_name(e);
        }
        *poll_ok = *poll_ok && readable(fd, 0);
        int re = 0;
        const auto got = receive(fd, &re);
        if (!got) {
            return "read: " + errno_name(re);
        }
        pcap(ctx, s.index, false, *got, 8);
        Bytes want(m.begin(), m.begin() + raw::kExtHeader);
        const Bytes tail = raw::xored(raw::ByteView(m).subspan(raw::kExtHeader), xor_);
        want.insert(want.end(), tail.begin(), tail.end());
        const std::string diff = raw::difference(want, *got);
        return diff.empty() ? diff : "answer to " + std::to_string(m.size()) + " bytes: " + diff;
    }

    void pcap_unseen(Context& ctx, unsigned c) {
        ctx.report.info("raw-pcap", raw::pcap_unseen_line(c));
    }

    void ext_exchanges(Context& ctx, const Subspace& s) {
        pcc::UniqueFd fd(::open(s.node().c_str(), O_RDWR | O_CLOEXEC));
        if (!fd) {
            ctx.report.fail(name(s.index, "full"), "open " + s.node() + ": " + errno_name(errno));
            return;
        }
        bool poll_ok = true;
        const auto msg = [&](unsigned seq, std::uint32_t flags, std::size_t payload) {
            return raw::ext_message(s.index, flags, kExtCommand + seq,
                                    raw::pattern(s.index, seq, payload));
        };
        const auto notify = raw::kFlagNotifyOnCompletion;
        std::string why = ext_exchange(ctx, s, fd.get(), msg(0, notify, s.shmem - raw::kExtHeader),
                                       false, &poll_ok);
        ctx.report.check(why.empty(), name(s.index, "full"),
                         why.empty() ? std::to_string(s.shmem) + " bytes (length " +
                                           std::to_string(s.shmem - 12) +
                                           "), the whole shared memory: answered XORed"
                                     : why);
        why = ext_exchange(ctx, s, fd.get(), msg(1, notify, 5), false, &poll_ok);
        ctx.report.check(why.empty(), name(s.index, "short"),
                         why.empty() ? "21 bytes with notify-on-completion: answered XORed" : why);
        std::string all;
        unsigned seq = 2;
        for (std::size_t payload :
             {std::size_t{0}, std::size_t{1}, std::size_t{255}, s.shmem / 2 - raw::kExtHeader}) {
            why = ext_exchange(ctx, s, fd.get(), msg(seq++, notify, payload), false, &poll_ok);
            all += why.empty() ? "" : " " + why + ";";
        }
        ctx.report.check(all.empty(), name(s.index, "sizes"),
                         all.empty() ? "16, 17, 271 and " + std::to_string(s.shmem / 2) +
                                           " bytes: answered XORed"
                                     : reasons(all));
        // without the notify-on-completion flag
        why = ext_exchange(ctx, s, fd.get(), msg(seq++, 0, 7), s.irq, &poll_ok);
        ctx.report.check(why.empty(), name(s.index, "quiet"),
                         !why.empty() ? why
                         : s.irq      ? "flags 0 with the platform interrupt: no interrupt, "
                                        "write() timed out with ETIME as pcc.c's clients do"
                                      : "flags 0 without the platform interrupt: pcc.c's poll of "
                                        "the command complete register completed it");
        if (s.irq) {
            // the channel still works after the lost completion
            why = ext_exchange(ctx, s, fd.get(), msg(seq++, notify, 9), false, &poll_ok);
            ctx.report.check(why.empty(), name(s.index, "after-quiet"),
                             why.empty() ? "the next message with the flag: answered" : why);
        }
        ctx.report.check(poll_ok, name(s.index, "poll"),
                         poll_ok ? "poll() had POLLIN after every completed write"
                                 : "poll() had no POLLIN after a completed write");
    }

    void expect_errno(Context& ctx, unsigned c, const std::string& what, int got, int want,
                      const std::string& text) {
        ctx.report.check(
            got == want, name(c, what),
            (got == want ? text + ": " : text + ": expected " + errno_name(want) + ", got ") +
                errno_name(got));
    }

    void error_checks(Context& ctx, const Subspace& s) {
        const unsigned c = s.index;
        pcc::UniqueFd own;
        int fd = -1;
        if (auto it = listening_.find(c); it != listening_.end() && it->second) {
            fd = it->second.get();
        } else {
            own = pcc::UniqueFd(::open(s.node().c_str(), O_RDWR | O_CLOEXEC));
            if (!own) {
                ctx.report.fail(name(c, "open"), "open " + s.node() + ": " + errno_name(errno));
                return;
            }
            fd = own.get();
        }
        {
            pcc::UniqueFd second(::open(s.node().c_str(), O_RDWR | O_CLOEXEC));
            expect_errno(ctx, c, "ebusy", second ? 0 : errno, EBUSY, "a second open()");
        }
        {
            const int flags = ::fcntl(fd, F_GETFL);
            ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
            int e = 0;
            const bool none = !receive(fd, &e);
            ::fcntl(fd, F_SETFL, flags);
            expect_errno(ctx, c, "eagain", none ? e : 0, EAGAIN,
                         "read() with nothing queued, O_NONBLOCK");
        }
        if (s.type == 4) {
            expect_errno(ctx, c, "eopnotsupp",
                         send(fd, raw::ext_message(c, 1, kExtCommand, Bytes(4, 0))), EOPNOTSUPP,
                         "write() on a type 4 subspace");
            return;
        }
        const std::size_t header = extended(s.type) ? raw::kExtHeader : raw::kGenericHeader;
        expect_errno(ctx, c, "einval", send(fd, Bytes(header - 1, 0)), EINVAL,
                     std::to_string(header - 1) + " bytes, less than the header");
        Bytes too_long = extended(s.type) ? raw::ext_message(c, 1, kExtCommand, Bytes(s.shmem - 15))
                                          : raw::generic_message(c, 1, Bytes(s.shmem - 7));
        expect_errno(ctx, c, "emsgsize", send(fd, too_long), EMSGSIZE,
                     std::to_string(too_long.size()) + " bytes, more than the shared memory");
        if (extended(s.type)) {
            ext_errors(ctx, s, fd);
        } else {
            generic_errors(ctx, s, fd);
        }
    }

    // pccd drops it (raw.rules): the mailbox's timeout
    void ext_errors(Context& ctx, const Subspace& s, int fd) {
        const Bytes drop = raw::ext_message(s.index, 1, kDropCommand, raw::pattern(s.index, 90, 3));
        pcap(ctx, s.index, true, drop, 0);
        const double t0 = now_s();
        const int e = send(fd, drop);
        expect_errno(ctx, s.index, "timeout", e, ETIME,
                     "a message pccd drops, after " + fmt_s(now_s() - t0));
    }

    void generic_errors(Context& ctx, const Subspace& s, int fd) {
        const unsigned c = s.index;
        auto it = models_.find(c);
        if (it == models_.end()) {
            // what the shared memory holds: one exchange that fills it
            it = models_.emplace(c, raw::GenericShmem(s.shmem)).first;
            bool poll_ok = true;
            const std::string why = generic_exchange(
                ctx, s, fd, it->second,
                raw::generic_message(c, 0x1ff, raw::pattern(c, 89, s.shmem - raw::kGenericHeader)),
                &poll_ok);
            ctx.report.check(why.empty(), name(c, "prime"),
                             why.empty() ? "the whole shared memory, answered" : why);
        }
        raw::GenericShmem& model = it->second;
        // the status word polled, or the interrupt awaited (types 1, 2)
        const bool by_irq = s.irq && s.type != 0;
        const Bytes drop = raw::generic_message(c, kDropCommand, raw::pattern(c, 90, 3));
        model.write(drop);
        pcap(ctx, c, true, model.bytes(), 0);
        const double t0 = now_s();
        const int e = send(fd, drop);
        expect_errno(ctx, c, "timeout", e, by_irq ? ETIME : ETIMEDOUT,
                     "a message pccd drops, after " + fmt_s(now_s() - t0) +
                         (by_irq ? " (the interrupt never came)" : " (polling the status word)"));
        // the error bit: EIO, and the answer with the space as it was
        const Bytes m = raw::generic_message(c, kErrorCommand, raw::pattern(c, 91, 5));
        model.write(m);
        pcap(ctx, c, true, model.bytes(), 0);
        const int err = send(fd, m);
        std::string why;
        if (err == EIO) {
            int re = 0;
            if (const auto got = receive(fd, &re)) {
                pcap(ctx, c, false, *got, raw::kGenericHeader);
                const std::string diff =
                    raw::generic_answer_difference(model.expected_answer(xor_, true), *got);
                why = diff.empty() ? ", the space unchanged" : ", but the answer: " + diff;
                model.read(*got);
            } else {
                why = ", but read: " + errno_name(re);
            }
        }
        const bool answer_ok = why.empty() || why == ", the space unchanged";
        expect_errno(ctx, c, "eio", answer_ok ? err : -1, EIO,
                     "an answer with the error bit" + why);
    }

    void notifications(Context& ctx, unsigned c, int fd, const std::vector<Bytes>& expected) {
        const double t0 = now_s();
        unsigned n = 0;
        for (const Bytes& payload : expected) {
            ++n;
            const int left_ms = static_cast<int>((kNotifySeconds - (now_s() - t0)) * 1000);
            if (!readable(fd, left_ms > 0 ? left_ms : 0)) {
                ctx.report.fail(after_steps_name(name(c, "notify-" + std::to_string(n)), ctx),
                                "no notification within " + fmt_s(kNotifySeconds));
                return;
            }
            int e = 0;
            const auto got = receive(fd, &e);
            if (!got) {
                ctx.report.fail(after_steps_name(name(c, "notify-" + std::to_string(n)), ctx),
                                "read: " + errno_name(e));
                return;
            }
            pcap(ctx, c, false, *got, 8);
            const Bytes want = raw::ext_message(c, raw::kFlagNotifyOnCompletion, 0, payload);
            const std::string diff = raw::difference(want, *got);
            ctx.report.check(
                diff.empty(), after_steps_name(name(c, "notify-" + std::to_string(n)), ctx),
                diff.empty() ? std::to_string(payload.size()) +
                                   "-byte payload as pccd sent it, after " + fmt_s(now_s() - t0)
                             : diff);
        }
        ctx.report.check(!readable(fd, 0), after_steps_name(name(c, "notify-no-more"), ctx),
                         "nothing else queued after " + std::to_string(n) + " notifications");
    }

    void bench(Context& ctx, const Subspace& s, unsigned n) {
        pcc::UniqueFd fd(::open(s.node().c_str(), O_RDWR | O_CLOEXEC));
        if (!fd || s.type == 4) {
            ctx.report.fail(name(s.index, "bench"), s.type == 4 ? "type 4 has no round trips"
                                                                : "open: " + errno_name(errno));
            return;
        }
        const Bytes payload = raw::pattern(s.index, 7, 16);
        const Bytes m = extended(s.type) ? raw::ext_message(s.index, raw::kFlagNotifyOnCompletion,
                                                            kExtCommand, payload)
                                         : raw::generic_message(s.index, 0x200, payload);
        std::vector<double> us;
        us.reserve(n);
        unsigned bad = 0;
        const double t0 = now_s();
        for (unsigned i = 0; i < n; ++i) {
            const double t = now_s();
            int e = send(fd.get(), m);
            const auto got = e ? std::nullopt : receive(fd.get(), &e);
            us.push_back((now_s() - t) * 1e6);
            const std::size_t at = extended(s.type) ? raw::kExtHeader : raw::kGenericHeader;
            if (!got || got->size() < at + payload.size() || (*got)[at] != (payload[0] ^ xor_)) {
                ++bad;
            }
        }
        const double total = now_s() - t0;
        const double p50 = raw::percentile(us, 50), p99 = raw::percentile(us, 99);
        char line[160];
        std::snprintf(line, sizeof(line),
                      "c%u type %u n %u p50_us %.1f p99_us %.1f msgs_per_s %.0f", s.index, s.type,
                      n, p50, p99, total > 0 ? n / total : 0.0);
        ctx.report.info("raw-bench", line);
        ctx.report.check(
            bad == 0, name(s.index, "bench"),
            bad == 0 ? std::string(line)
                     : std::to_string(bad) + " of " + std::to_string(n) + " round trips failed");
    }

    std::vector<unsigned> raw_, errors_;
    std::map<unsigned, std::vector<Bytes>> notify_;
    std::vector<std::pair<unsigned, unsigned>> bench_;
    std::uint8_t xor_ = 0xff;
    std::map<unsigned, pcc::UniqueFd> listening_;
    std::map<unsigned, raw::GenericShmem> models_;
    std::set<unsigned> reported_;
};

}  // namespace

std::unique_ptr<CheckFamily> raw_checks() {
    return std::make_unique<RawChecks>();
}

}  // namespace lab::checks
