// SPDX-License-Identifier: GPL-2.0-or-later
// CPPC over PCC (ACPI 6.5 8.4.6; QEMU's pcc-cppc, Linux's
// drivers/acpi/cppc_acpi.c and drivers/cpufreq/cppc_cpufreq.c): one type 2
// subspace, generic layout, used as a mailbox. The communication space holds
// one 64-byte block of CPPC registers per CPU (the description's `property
// cpus N`, `property cpu-block 64`), block k for CPU k, little-endian:
//
//   0x00 highest_perf  0x04 nominal_perf  0x08 lowest_nonlinear_perf
//   0x0c lowest_perf   0x10 guaranteed_perf          (capabilities, platform)
//   0x14 desired_perf  0x24 min_perf  0x28 max_perf  (the OS writes them)
//   0x18 reference_perf  0x1c lowest_freq  0x20 nominal_freq (MHz; platform)
//   0x30 reference counter u64  0x38 delivered counter u64 (platform)
//
// Command 0 READ: the answer is the space with every platform register filled
// in, the OS registers as last recorded and both counters advanced. Command 1
// WRITE: desired/min/max of every CPU are recorded (settings
// cppc.cpuN.desired_perf, ...), the answer is filled in the same way but the
// counters stay. Values come from the settings cppc.cpuN.NAME, else
// cppc.NAME, else the defaults below; a bad value is logged and skipped.
//
// The counters advance by K = cppc.counter_step per READ (reference) and by
// ceil(K * delivered_perf / reference_perf) (delivered), so that Linux's
// reference_perf * Δdelivered / Δreference is exactly delivered_perf while
// reference_perf <= K. delivered_perf: setting cppc.cpuN.delivered_perf (or
// cppc.delivered_perf), else the CPU's desired_perf if non-zero, else
// nominal_perf, clamped to [lowest_perf, highest_perf]. The counters are
// settings too (cppc.cpuN.reference_counter, cppc.cpuN.delivered_counter),
// starting at K.
#include <array>
#include <cstdio>
#include <string>

#include "log.hpp"
#include "personality.hpp"
#include "setting_reader.hpp"

namespace pccd {

namespace {

constexpr std::size_t kBlockSize = 64;
constexpr unsigned kMaxCpus = 1024;
constexpr std::uint16_t kCommandRead = 0;
constexpr std::uint16_t kCommandWrite = 1;
constexpr std::uint64_t kMaxU32 = 0xffffffffULL;
constexpr std::uint64_t kMaxU64 = ~0ULL;
constexpr std::uint64_t kDefaultCounterStep = 1000000;

struct Register {
    const char* name;
    std::size_t offset;
    std::uint32_t fallback;  // platform registers: the default; never 0
};

// The registers the platform owns (Linux fails with EFAULT on a zero
// mandatory one, so all must be non-zero). With the defaults Linux's
// cppc_perf_to_khz gives kHz = perf * 10000.
enum PlatformIndex : std::size_t {
    kHighest,
    kNominal,
    kLowestNonlinear,
    kLowest,
    kGuaranteed,
    kReference,
    kLowestFreq,
    kNominalFreq,
    kPlatformCount
};
constexpr std::array<Register, kPlatformCount> kPlatformRegisters{{
    {"highest_perf", 0x00, 300},
    {"nominal_perf", 0x04, 200},
    {"lowest_nonlinear_perf", 0x08, 100},
    {"lowest_perf", 0x0c, 50},
    {"guaranteed_perf", 0x10, 200},
    {"reference_perf", 0x18, 200},
    {"lowest_freq", 0x1c, 500},
    {"nominal_freq", 0x20, 2000},
}};

// The registers the OS writes; recorded as settings, initially 0.
constexpr std::array<Register, 3> kOsRegisters{{
    {"desired_perf", 0x14, 0},
    {"min_perf", 0x24, 0},
    {"max_perf", 0x28, 0},
}};

constexpr std::size_t kReferenceCounter = 0x30;
constexpr std::size_t kDeliveredCounter = 0x38;

std::string cpu_key(unsigned cpu, std::string_view name) {
    return "cppc.cpu" + std::to_string(cpu) + "." + std::string(name);
}
std::string global_key(std::string_view name) {
    return "cppc." + std::string(name);
}

using Caps = std::array<std::uint32_t, kPlatformCount>;

class Cppc final : public Personality {
  public:
    explicit Cppc(ChannelContext& c) : Personality(c), reader_(c.state(), "cppc.bad_settings") {
        publish_defaults();
        if (auto cpus = cpu_count(); cpus) {
            publish_cpus(*cpus);
        }
    }

    std::string describe(const DecodedMessage& m) const override {
        const std::uint16_t command = m.generic->command;
        const std::size_t cpus = m.generic->space.size() / kBlockSize;
        char buf[64];
        if (command == kCommandRead || command == kCommandWrite) {
            std::snprintf(buf, sizeof buf, " cppc %s cpus=%zu",
                          command == kCommandRead ? "read" : "write", cpus);
        } else {
            std::snprintf(buf, sizeof buf, " cppc command 0x%04x (not read/write)", command);
        }
        return buf;
    }

    std::optional<Bytes> answer(const DecodedMessage& m) override {
        const std::string where = context().where();
        auto cpus = cpu_count();
        if (!cpus) {
            reject("cppc", where, cpus.error());
            return std::nullopt;
        }
        const ByteView space = m.generic->space;
        if (space.size() != *cpus * kBlockSize) {
            reject("cppc", where,
                   "communication space of " + std::to_string(space.size()) + " bytes; " +
                       std::to_string(*cpus) + " CPUs need " + std::to_string(*cpus * kBlockSize) +
                       " (request " + std::to_string(kGenericHeaderSize + *cpus * kBlockSize) +
                       " bytes)");
            return std::nullopt;
        }
        const std::uint16_t command = m.generic->command;
        if (command != kCommandRead && command != kCommandWrite) {
            counters().bump("cppc.bad_command");
            logf(LogLevel::warn, "%s: CPPC command 0x%04x is neither READ (0) nor WRITE (1); error",
                 where.c_str(), command);
            return context().generic_answer(m, kStatusCommandComplete | kStatusError, space);
        }
        publish_cpus(*cpus);
        Bytes out(space.begin(), space.end());
        const std::uint64_t step = counter_step();
        for (unsigned cpu = 0; cpu < *cpus; ++cpu) {
            const ByteView block = space.subspan(cpu * kBlockSize, kBlockSize);
            const Caps caps = capabilities(cpu);
            if (command == kCommandWrite) {
                record(cpu, block, caps);
            }
            fill(out, cpu, caps, command == kCommandRead ? step : 0);
        }
        counters().bump(command == kCommandRead ? "cppc.reads" : "cppc.writes");
        return context().generic_answer(m, kStatusCommandComplete, out);
    }

  private:
    PlatformState& state() const { return context().state(); }

    void set_if_unset(const std::string& key, const std::string& value) const {
        state().settings.try_emplace(key, value);
    }

    // `pccd get` shows what the guest is answered from the start.
    void publish_defaults() const {
        for (const Register& r : kPlatformRegisters) {
            set_if_unset(global_key(r.name), std::to_string(r.fallback));
        }
        set_if_unset("cppc.counter_step", std::to_string(kDefaultCounterStep));
    }

    void publish_cpus(unsigned cpus) {
        if (cpus <= published_cpus_) {
            return;
        }
        const std::string start = std::to_string(counter_step());
        for (unsigned cpu = published_cpus_; cpu < cpus; ++cpu) {
            for (const Register& r : kOsRegisters) {
                set_if_unset(cpu_key(cpu, r.name), "0");
            }
            set_if_unset(cpu_key(cpu, "reference_counter"), start);
            set_if_unset(cpu_key(cpu, "delivered_counter"), start);
        }
        published_cpus_ = cpus;
    }

    Result<unsigned> cpu_count() const {
        if (auto block = context().property("cpu-block"); block && parse_uint(*block, 64) != 64U) {
            return fail("property cpu-block '" + *block + "'; this platform knows 64-byte blocks");
        }
        const auto text = context().property("cpus");
        if (!text) {
            return fail("the device description gives no 'property cpus N'");
        }
        const auto cpus = parse_uint(*text, kMaxCpus);
        if (!cpus || *cpus == 0) {
            return fail("property cpus '" + *text + "' is not 1 to " + std::to_string(kMaxCpus));
        }
        return static_cast<unsigned>(*cpus);
    }

    std::uint64_t counter_step() {
        return reader_.get("cppc.counter_step", 1, kMaxU32, "1 to 4294967295")
            .value_or(kDefaultCounterStep);
    }

    // A platform register: cppc.cpuN.NAME, else cppc.NAME, else the default.
    std::uint32_t platform_value(unsigned cpu, const Register& r) {
        constexpr const char* kWant = "a non-zero 32-bit number";
        if (auto v = reader_.get(cpu_key(cpu, r.name), 1, kMaxU32, kWant)) {
            return static_cast<std::uint32_t>(*v);
        }
        if (auto v = reader_.get(global_key(r.name), 1, kMaxU32, kWant)) {
            return static_cast<std::uint32_t>(*v);
        }
        return r.fallback;
    }

    Caps capabilities(unsigned cpu) {
        Caps caps{};
        for (std::size_t i = 0; i < kPlatformCount; ++i) {
            caps[i] = platform_value(cpu, kPlatformRegisters[i]);
        }
        return caps;
    }

    std::uint32_t recorded(unsigned cpu, const Register& r) {
        return static_cast<std::uint32_t>(
            reader_.get(cpu_key(cpu, r.name), 0, kMaxU32, "a 32-bit number").value_or(0));
    }

    // The WRITE: every OS register of the CPU's block, as the guest left it.
    void record(unsigned cpu, ByteView block, const Caps& caps) {
        for (const Register& r : kOsRegisters) {
            const std::uint32_t value = load_le32(block, r.offset);
            const std::uint32_t old = recorded(cpu, r);
            const std::string key = cpu_key(cpu, r.name);
            if (value == old) {
                continue;
            }
            state().settings[key] = std::to_string(value);
            counters().bump("cppc.changes");
            logf(LogLevel::info, "%s: cpu%u %s %u -> %u", context().where().c_str(), cpu, r.name,
                 old, value);
            if (value != 0 && (value < caps[kLowest] || value > caps[kHighest])) {
                counters().bump("cppc.out_of_range");
                logf(LogLevel::warn,
                     "%s: cpu%u %s %u is outside lowest_perf..highest_perf %u..%u (recorded; "
                     "the delivered performance is clamped)",
                     context().where().c_str(), cpu, r.name, value, caps[kLowest], caps[kHighest]);
            }
        }
    }

    std::uint32_t delivered_perf(unsigned cpu, const Caps& caps) {
        constexpr const char* kWant = "a non-zero 32-bit number";
        std::uint32_t perf = caps[kNominal];
        if (auto v = reader_.get(cpu_key(cpu, "delivered_perf"), 1, kMaxU32, kWant)) {
            perf = static_cast<std::uint32_t>(*v);
        } else if (auto g = reader_.get("cppc.delivered_perf", 1, kMaxU32, kWant)) {
            perf = static_cast<std::uint32_t>(*g);
        } else if (const std::uint32_t desired = recorded(cpu, kOsRegisters[0]); desired != 0) {
            perf = desired;
        }
        // Not std::clamp: a setting may put lowest above highest.
        perf = perf < caps[kLowest] ? caps[kLowest] : perf;
        return perf > caps[kHighest] ? caps[kHighest] : perf;
    }

    std::uint64_t counter(unsigned cpu, const char* name, std::uint64_t start) {
        return reader_.get(cpu_key(cpu, name), 0, kMaxU64, "a 64-bit number").value_or(start);
    }

    // Fills the CPU's block of the answer; `step` > 0 advances its counters.
    void fill(Bytes& out, unsigned cpu, const Caps& caps, std::uint64_t step) {
        const std::size_t base = cpu * kBlockSize;
        for (std::size_t i = 0; i < kPlatformCount; ++i) {
            store_le32(out, base + kPlatformRegisters[i].offset, caps[i]);
        }
        for (const Register& r : kOsRegisters) {
            store_le32(out, base + r.offset, recorded(cpu, r));
        }
        const std::uint64_t start = counter_step();
        std::uint64_t reference = counter(cpu, "reference_counter", start);
        std::uint64_t delivered = counter(cpu, "delivered_counter", start);
        if (step != 0) {
            // step and perf are 32-bit: their product fits, rounding up too.
            const std::uint64_t scaled = step * delivered_perf(cpu, caps);
            const std::uint64_t ref_perf = caps[kReference];
            reference += step;  // 64-bit counters wrap like the hardware's
            delivered += scaled / ref_perf + (scaled % ref_perf != 0 ? 1 : 0);
            state().settings[cpu_key(cpu, "reference_counter")] = std::to_string(reference);
            state().settings[cpu_key(cpu, "delivered_counter")] = std::to_string(delivered);
        }
        store_le64(out, base + kReferenceCounter, reference);
        store_le64(out, base + kDeliveredCounter, delivered);
    }

    SettingReader reader_;
    unsigned published_cpus_ = 0;
};

const PersonalityRegistrar<Cppc> kRegister(
    PersonalityInfo("cppc", "CPPC registers of every CPU: capabilities, desired/min/max, counters")
        .serves("pcc-cppc")
        .subspace(0, 2, SubspaceRole::mailbox));

}  // namespace

}  // namespace pccd
