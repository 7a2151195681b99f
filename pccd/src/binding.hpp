// SPDX-License-Identifier: GPL-2.0-or-later
// Bindings: which personality answers a channel, and the device (subspaces,
// properties) it answers for. Decided here and nowhere else, from, in order:
//
//  1. `--bind CHANNEL=NAME` (bind()): an override;
//  2. the device description QEMU sends (describe(), load_description()):
//     the personality that lists the description's `class`;
//  3. the fallback: an extended message goes to the personality registered
//     for its PCC command, else to the extended fallback personality (MCTP).
//
// A personality speaks one layout (PersonalityInfo::layout(); one that takes
// its layout from the description, the described layout on a channel whose
// class it serves); a message of the other layout on its channel is routed
// as if the channel were unbound.
// The device of an instance is the description when its layout is the
// message's, else the personality's default device (e.g. pcc-mctp: initiator
// at the channel, responder at channel + 1). Answers go to the device's
// responder subspace, or back into the mailbox.
//
// The instance serving a bound or described channel is made when the channel
// is bound or described; other instances at their channel's first message.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "device_description.hpp"
#include "personality.hpp"
#include "result.hpp"

namespace pccd {

enum class BindingSource { none, override, description, fallback };
const char* binding_source_name(BindingSource source);

struct Route {
    Personality& personality;       // never missing: a basic one when none serves
    const PersonalityEntry* entry;  // nullptr: no personality serves the message
    BindingSource source;
    bool speaks;  // the personality decodes and answers it (right layout and command)
};

class Bindings {
  public:
    explicit Bindings(PlatformState& state);
    Bindings(const Bindings&) = delete;
    Bindings& operator=(const Bindings&) = delete;
    ~Bindings();

    // --bind: fails for an unknown name (the message lists the known ones).
    Result<bool> bind(unsigned channel, std::string_view name);
    // A device description from `origin` ("spool:/run/pcc4/device"). The same
    // description again changes nothing; a different one replaces it.
    void describe(const DeviceDescription& device, std::string_view origin);
    // Parses and applies a description text: bad lines are logged with their
    // reason and counted (device.bad_lines); an unusable text is rejected
    // (bad.device_description). `expected_channel`: the channel it must
    // describe (a hello frame's). Returns the described channel.
    Result<unsigned> load_description(std::string_view text, std::string_view origin,
                                      std::optional<unsigned> expected_channel = std::nullopt);

    Route route(unsigned channel, Layout layout, std::optional<std::uint32_t> pcc_command);
    const DeviceDescription* description(unsigned channel) const;

    // Tells every personality instance that a setting changed.
    void setting_changed(std::string_view key, std::string_view value);

  private:
    struct Instance {
        std::unique_ptr<ChannelContext> context;  // outlives the personality
        std::unique_ptr<Personality> personality;
    };
    struct Channel {
        const PersonalityEntry* override = nullptr;
        std::optional<DeviceDescription> description;
        const PersonalityEntry* described = nullptr;  // serves the description's class
        std::string origin;
        std::map<std::string, Instance, std::less<>> instances;  // by name; "" = basic
    };

    Personality& instance(unsigned channel, Channel& ch, const PersonalityEntry* entry,
                          Layout layout);
    // Makes the instance that serves the channel in its personality's layout
    // now (a bound or described channel), so that it is there before the
    // first message: it may publish its settings or load its files.
    void prepare(unsigned channel, Channel& ch);
    DeviceDescription device_for(unsigned channel, const Channel& ch, const PersonalityEntry* entry,
                                 Layout layout) const;
    // The layout `entry` speaks on the channel.
    static Layout layout_for(const Channel& ch, const PersonalityEntry& entry);

    PlatformState& state_;
    std::map<unsigned, Channel> channels_;
};

}  // namespace pccd
