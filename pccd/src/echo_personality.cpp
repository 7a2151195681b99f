// SPDX-License-Identifier: GPL-2.0-or-later
// Echo: the platform of QEMU's pcc-raw test device (a subspace of any type
// without a protocol, qemu/docs/system/devices/pcc.rst "pcc-raw"), for
// testing Linux's pcc.c through the lab's pcc_raw module. It speaks the
// layout of the described subspace (types 0-2 generic, 3 and 4 extended).
//
// A request is answered with its own bytes, each XORed with the setting
// echo.xor (0 to 255, default 0xff: every bit inverted, so that an answer
// never equals the request left in the shared memory; 0: a plain echo):
//
//   generic  signature and command as requested, status "command complete",
//            then the communication space (everything after the 8-byte
//            header, as long as the request's) XORed
//   extended signature, flags (pcc.flags, default 1), the request's length
//            and command, then the payload XORed (the length - 4 bytes
//            after the 16-byte header)
//
// A notification (`pccd send --channel N HEX...`, a rules file's `notify`)
// on an extended channel (a type 4 pcc-raw) carries the bytes as its
// payload, with the command echo.command (default 0) and the flags
// pcc.flags (default 1: the guest acknowledges with the doorbell); a
// generic one is the communication space. Rules (`drop`, `delay`, `error`
// for the generic layout, `reply`) select on `cmd=`: the generic command or
// the extended PCC command.
//
// --pcap records every message of its channels whole (Personality's
// default capture: for the extended layout the 12 + length bytes of the
// message, not the rest of the shared memory), in an SLL2 packet with the
// IEEE local experimental ethertype 0x88b5 and ARPHRD_NONE; the interface
// index is the channel.
#include <algorithm>
#include <cstdio>
#include <string>

#include "log.hpp"
#include "pcapng_format.hpp"
#include "personality.hpp"
#include "setting_reader.hpp"

namespace pccd {

namespace {

constexpr std::uint64_t kDefaultXor = 0xff;

class Echo final : public Personality {
  public:
    explicit Echo(ChannelContext& c) : Personality(c), reader_(c.state(), "echo.bad_settings") {}

    Result<bool> decode(DecodedMessage& m) override {
        m.fields.command = m.ext ? m.ext->command : m.generic->command;
        return true;
    }

    std::string describe(const DecodedMessage& m) const override {
        char buf[48];
        std::snprintf(buf, sizeof buf, " echo cmd=0x%x",
                      m.ext ? m.ext->command : m.generic->command);
        return buf;
    }

    std::optional<Bytes> answer(const DecodedMessage& m) override {
        counters().bump("echo.requests");
        if (m.generic) {
            return context().generic_answer(m, kStatusCommandComplete, mirrored(m.generic->space));
        }
        return context().ext_answer(m, mirrored(m.ext->payload));
    }

    Result<Bytes> notification(Layout layout, ByteView bytes,
                               std::optional<std::uint8_t> destination) override {
        if (layout == Layout::generic) {
            return Personality::notification(layout, bytes, destination);
        }
        const SubspaceInfo* sub = context().device().find(SubspaceRole::responder);
        if (sub != nullptr && sub->shmem != 0 && kExtHeaderSize + bytes.size() > sub->shmem) {
            return fail("a payload of " + std::to_string(bytes.size()) +
                        " bytes does not fit the " + std::to_string(sub->shmem) +
                        " bytes of subspace " + std::to_string(sub->index) +
                        " with the 16-byte header");
        }
        const auto command = reader_.get("echo.command", 0, 0xffffffffULL, "a 32-bit number");
        counters().bump("echo.notifications");
        return context().ext_message(static_cast<std::uint32_t>(command.value_or(0)), bytes);
    }

  private:
    Bytes mirrored(ByteView bytes) {
        const auto x = static_cast<std::uint8_t>(
            reader_.get("echo.xor", 0, 0xff, "a byte (0 to 255)").value_or(kDefaultXor));
        Bytes out(bytes.begin(), bytes.end());
        for (auto& b : out) {
            b ^= x;
        }
        return out;
    }

    SettingReader reader_;
};

const PersonalityRegistrar<Echo> kRegister(
    PersonalityInfo("echo", "pcc-raw: answers a request with its bytes XORed with echo.xor")
        .serves("pcc-raw")
        .subspace(0, 2, SubspaceRole::mailbox)
        .layout_from_description());

}  // namespace

}  // namespace pccd
