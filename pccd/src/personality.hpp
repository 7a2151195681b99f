// SPDX-License-Identifier: GPL-2.0-or-later
// Personalities: the protocols pccd plays on a channel. A personality is a
// class derived from Personality plus one PersonalityRegistrar object in its
// own source file; the registrar names it (`--bind CHANNEL=NAME`), lists the
// QEMU device classes it serves (the `class` of a device description) and the
// device it assumes when none is described. The bindings (binding.hpp) make
// one instance per channel, with the channel's ChannelContext.
//
// A personality owns its protocol: it judges the signature, decodes its
// headers into MessageFields (for rules and the log line), answers requests,
// turns a rule's `reply` and `error CODE` into answers, wraps notifications
// and names the packets `--pcap` records. The defaults do what the PCC layout
// alone allows.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bytes.hpp"
#include "device_description.hpp"
#include "message.hpp"
#include "pcapng.hpp"
#include "result.hpp"

namespace pccd {

// One entry of MCTP's Get Vendor Defined Message Support (DSP0236 table 21).
struct VendorMessageSet {
    bool iana = false;  // false: PCI vendor id (16 bit), true: IANA (32 bit)
    std::uint32_t vendor = 0;
    std::uint16_t command_set = 0;  // vendor-defined command set type/version
};

// What all personalities share: the platform's identity as the command line
// gives it (--eid, --uuid, --tid, --vendor) and the key/value settings that
// --set, rules files and `pccd set` change at run time.
struct PlatformState {
    std::uint8_t static_eid = 8;  // --eid; what Set Endpoint ID "reset" returns to
    std::uint8_t eid = 8;         // the EID in use
    std::array<std::uint8_t, 16> uuid{};
    std::uint8_t tid = 1;  // PLDM terminus id
    std::vector<VendorMessageSet> vendor_sets;
    std::map<std::string, std::string, std::less<>> settings;

    std::optional<std::string> setting(std::string_view key) const;
    // An integer setting (decimal, or 0x hex when unsigned); `fallback` when
    // it is not set, nullopt (with a warning) when it does not parse.
    std::optional<long long> number(std::string_view key, long long fallback) const;
};

// A personality's view of its channel: the device (as described by QEMU, or
// the personality's default) and the PCC layout part of building messages.
class ChannelContext {
  public:
    ChannelContext(unsigned channel, DeviceDescription device, PlatformState& state);

    unsigned channel() const { return channel_; }
    // May change while the instance lives (a new description): read it when needed.
    const DeviceDescription& device() const { return device_; }
    void set_device(DeviceDescription device) { device_ = std::move(device); }
    std::optional<std::string> property(std::string_view name) const;
    PlatformState& state() const { return state_; }
    std::optional<std::string> setting(std::string_view key) const;
    std::string where() const;  // "c004", for log lines

    // Where answers and notifications go: the responder subspace, else the
    // mailbox (the channel itself).
    unsigned answer_subspace() const;
    // Flags of extended messages pccd sends: the setting pcc.flags, else 1
    // (notify on completion).
    std::uint32_t answer_flags() const;
    // An extended message to the answer subspace; `ext_answer` keeps the
    // request's PCC command.
    Bytes ext_message(std::uint32_t command, ByteView payload) const;
    Bytes ext_answer(const DecodedMessage& request, ByteView payload) const;
    // A generic answer in the request's subspace: its signature and command,
    // the space padded to the request's size.
    Bytes generic_answer(const DecodedMessage& request, std::uint16_t status, ByteView space) const;
    // Command 0, status "platform notification".
    Bytes generic_notification(ByteView space) const;

  private:
    unsigned channel_;
    DeviceDescription device_;
    PlatformState& state_;
};

class Personality {
  public:
    explicit Personality(ChannelContext& context) : context_(context) {}
    virtual ~Personality() = default;
    Personality(const Personality&) = delete;
    Personality& operator=(const Personality&) = delete;

    // Whether the signature of `m` (a request, or a message pccd sends) is
    // acceptable. Default: the "PCC" prefix (0x50434300 | index).
    virtual Result<bool> check_signature(const DecodedMessage& m);
    // Fills m.fields from the protocol headers; a failure rejects the message
    // (logged, counted as bad.message, not answered).
    virtual Result<bool> decode(DecodedMessage& m);
    // The protocol part of the log line, starting with a blank (or empty).
    virtual std::string describe(const DecodedMessage& m) const;
    // The whole answer to a request, or nullopt (the personality logs why).
    virtual std::optional<Bytes> answer(const DecodedMessage& request) = 0;
    // A rule's `reply BYTES` (BYTES in body() terms). Default: the generic
    // space ("command complete") or the extended payload.
    virtual Bytes reply(const DecodedMessage& request, ByteView body);
    // A rule's `error CODE`; nullopt when the protocol has no completion code.
    // Default: generic layout "command complete + error", space unchanged.
    virtual std::optional<Bytes> error_answer(const DecodedMessage& request, std::uint8_t code);
    // A notification from `bytes` (`notify`, `pccd send` without --raw), to
    // `destination` if the protocol has addresses. Default: generic layout
    // only (the bytes are the communication space).
    virtual Result<Bytes> notification(Layout layout, ByteView bytes,
                                       std::optional<std::uint8_t> destination);
    // What --pcap records of a message (either direction), if anything.
    // Default: the whole message (extended: the 12 + length bytes, not the
    // rest of the shared memory) with the IEEE local experimental ethertype
    // 0x88b5 and ARPHRD_NONE.
    virtual std::optional<CapturedPacket> capture(const DecodedMessage& m) const;
    // A setting was set by a rules file's `set` line or `pccd set` (the
    // --set values are there before any instance). Default: nothing; a
    // personality that keeps something derived from a setting (a file it
    // loaded) reacts here. Settings the personality writes itself
    // (context().state().settings) do not come back here.
    virtual void setting_changed(std::string_view key, std::string_view value);

  protected:
    ChannelContext& context() const { return context_; }

  private:
    ChannelContext& context_;
};

// A subspace of the device a personality assumes without a description,
// relative to the channel.
struct SubspaceTemplate {
    unsigned offset = 0;
    unsigned type = 0;
    SubspaceRole role = SubspaceRole::mailbox;
};

// What a registrar declares, built in one expression:
//   PersonalityInfo("xgene-slimpro", "one line for --help")
//       .serves("pcc-xgene-hwmon")
//       .subspace(0, 2, SubspaceRole::mailbox)
struct PersonalityInfo {
    explicit PersonalityInfo(std::string name_, std::string summary_ = {})
        : name(std::move(name_)), summary(std::move(summary_)) {}
    PersonalityInfo& serves(std::string device_class) {
        device_classes.push_back(std::move(device_class));
        return *this;
    }
    PersonalityInfo& subspace(unsigned offset, unsigned type, SubspaceRole role) {
        subspaces.push_back({offset, type, role});
        return *this;
    }
    PersonalityInfo& pcc_command(std::uint32_t command) {
        pcc_commands.push_back(command);
        return *this;
    }
    PersonalityInfo& fallback_for_extended() {
        extended_fallback = true;
        return *this;
    }
    PersonalityInfo& layout_from_description() {
        described_layout = true;
        return *this;
    }
    PersonalityInfo& accepts_overlong_length() {
        overlong_length = true;
        return *this;
    }

    std::string name;                         // for --bind CHANNEL=NAME
    std::vector<std::string> device_classes;  // the device descriptions' `class` it serves
    // The device it assumes without a description (the first class, these
    // subspaces); its layout is the layout the personality speaks.
    std::vector<SubspaceTemplate> subspaces;
    // Extended layout: the PCC commands it speaks (empty: any). Channels that
    // no description and no --bind name are served by command.
    std::vector<std::uint32_t> pcc_commands;
    // Serves undescribed extended channels whatever the command (messages of
    // other commands are then unhandled), and wraps their notifications.
    bool extended_fallback = false;
    // On a channel described with one of its classes it speaks the layout of
    // the description (a type 0-2 mailbox generic, else extended), not the
    // default device's: for classes with variants of both layouts
    // (pcc-kunpeng-hccs b1/b2, pcc-raw). Its answer() then sees both.
    bool described_layout = false;
    // Extended layout: a length that claims more bytes than the message has
    // is accepted, the payload ending with the message (ExtMessage::clipped);
    // for every other personality such a message is malformed.
    bool overlong_length = false;
    std::string summary;  // one line for --help

    Layout layout() const;
    DeviceDescription default_device(unsigned channel) const;
    bool speaks(std::uint32_t pcc_command) const;
};

using PersonalityFactory = std::function<std::unique_ptr<Personality>(ChannelContext&)>;

struct PersonalityEntry {
    PersonalityInfo info;
    PersonalityFactory make;
};

// The registry, by name. Registrars run during static initialisation.
const std::map<std::string, PersonalityEntry, std::less<>>& personalities();
void register_personality(PersonalityInfo info, PersonalityFactory make);
const PersonalityEntry* find_personality(std::string_view name);
const PersonalityEntry* personality_for_class(std::string_view device_class);
const PersonalityEntry* personality_for_command(std::uint32_t pcc_command);
const PersonalityEntry* extended_fallback_personality();
std::string personality_names();  // "mctp, xgene-slimpro"

template <class T>
struct PersonalityRegistrar {
    explicit PersonalityRegistrar(PersonalityInfo info) {
        register_personality(std::move(info),
                             [](ChannelContext& c) { return std::make_unique<T>(c); });
    }
};

}  // namespace pccd
