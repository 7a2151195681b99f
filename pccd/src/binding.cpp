// SPDX-License-Identifier: GPL-2.0-or-later
#include "binding.hpp"

#include "log.hpp"

namespace pccd {

namespace {

// What serves a message that no personality serves: the PCC layout's
// defaults (rules can still reply, error and notify), and no answer.
class BasicPersonality final : public Personality {
  public:
    using Personality::Personality;
    std::optional<Bytes> answer(const DecodedMessage&) override { return std::nullopt; }
};

DeviceDescription basic_device(unsigned channel, Layout layout) {
    DeviceDescription d;
    d.channel = channel;
    if (layout == Layout::generic) {
        d.subspaces.push_back({channel, 0, SubspaceRole::mailbox, 0});
    } else {
        d.subspaces.push_back({channel, 3, SubspaceRole::initiator, 0});
    }
    return d;
}

}  // namespace

const char* binding_source_name(BindingSource source) {
    switch (source) {
        case BindingSource::none:
            return "none";
        case BindingSource::override:
            return "--bind";
        case BindingSource::description:
            return "device description";
        case BindingSource::fallback:
            return "PCC command";
    }
    return "?";
}

Bindings::Bindings(PlatformState& state) : state_(state) {}

Bindings::~Bindings() = default;

Result<bool> Bindings::bind(unsigned channel, std::string_view name) {
    const PersonalityEntry* entry = find_personality(name);
    if (entry == nullptr) {
        return fail("no personality named '" + std::string(name) +
                    "' (known: " + personality_names() + ")");
    }
    Channel& ch = channels_[channel];
    ch.override = entry;
    logf(LogLevel::info, "c%03u: bound to personality %s (--bind)", channel,
         entry->info.name.c_str());
    prepare(channel, ch);
    return true;
}

void Bindings::describe(const DeviceDescription& device, std::string_view origin) {
    Channel& ch = channels_[device.channel];
    if (ch.description && *ch.description == device) {
        logf(LogLevel::debug, "c%03u: device description from %.*s unchanged", device.channel,
             static_cast<int>(origin.size()), origin.data());
        return;
    }
    if (ch.description && ch.origin != origin) {
        logf(LogLevel::info, "c%03u: device description from %.*s replaces the one from %s",
             device.channel, static_cast<int>(origin.size()), origin.data(), ch.origin.c_str());
    }
    // An origin (a spool's device file) describes one device: if it moved to
    // another channel, the old channel is no longer described by it.
    for (auto& [other, och] : channels_) {
        if (other != device.channel && och.description && och.origin == origin) {
            logf(LogLevel::info, "c%03u: %.*s now describes channel %u; description dropped", other,
                 static_cast<int>(origin.size()), origin.data(), device.channel);
            och.description.reset();
            och.described = nullptr;
            och.origin.clear();
        }
    }
    ch.description = device;
    ch.origin = std::string(origin);
    ch.described = personality_for_class(device.device_class);
    counters().bump("device.descriptions");
    if (ch.described == nullptr) {
        counters().bump("device.unknown_class");
        logf(LogLevel::warn,
             "c%03u: no personality serves device class '%s' (from %.*s); personalities: %s",
             device.channel, device.device_class.c_str(), static_cast<int>(origin.size()),
             origin.data(), personality_names().c_str());
    } else {
        logf(LogLevel::info, "c%03u: device %s (from %.*s): personality %s", device.channel,
             device.device_class.c_str(), static_cast<int>(origin.size()), origin.data(),
             ch.described->info.name.c_str());
    }
    if (ch.override != nullptr && ch.override != ch.described) {
        logf(LogLevel::info, "c%03u: --bind %u=%s overrides the device class %s", device.channel,
             device.channel, ch.override->info.name.c_str(), device.device_class.c_str());
    }
    prepare(device.channel, ch);
}

Result<unsigned> Bindings::load_description(std::string_view text, std::string_view origin,
                                            std::optional<unsigned> expected_channel) {
    const std::string where(origin);
    ParsedDescription parsed = parse_device_description(text);
    for (const DescriptionProblem& p : parsed.problems) {
        counters().bump("device.bad_lines");
        logf(LogLevel::warn, "%s: device description line %d ignored: %s", where.c_str(), p.line,
             p.reason.c_str());
    }
    if (!parsed.device) {
        reject("device_description", where, parsed.error);
        return fail(parsed.error);
    }
    if (expected_channel && *expected_channel != parsed.device->channel) {
        const std::string reason = "describes channel " + std::to_string(parsed.device->channel) +
                                   " but came for channel " + std::to_string(*expected_channel);
        reject("device_description", where, reason);
        return fail(reason);
    }
    describe(*parsed.device, origin);
    return parsed.device->channel;
}

const DeviceDescription* Bindings::description(unsigned channel) const {
    auto it = channels_.find(channel);
    if (it == channels_.end() || !it->second.description) {
        return nullptr;
    }
    return &*it->second.description;
}

void Bindings::setting_changed(std::string_view key, std::string_view value) {
    for (auto& [channel, ch] : channels_) {
        for (auto& [name, made] : ch.instances) {
            made.personality->setting_changed(key, value);
        }
    }
}

void Bindings::prepare(unsigned channel, Channel& ch) {
    const PersonalityEntry* entry = ch.override != nullptr ? ch.override : ch.described;
    if (entry != nullptr) {
        instance(channel, ch, entry, layout_for(ch, *entry));
    }
}

Layout Bindings::layout_for(const Channel& ch, const PersonalityEntry& entry) {
    if (entry.info.described_layout && ch.description && ch.described == &entry &&
        !ch.description->subspaces.empty()) {
        return ch.description->layout();
    }
    return entry.info.layout();
}

Route Bindings::route(unsigned channel, Layout layout, std::optional<std::uint32_t> pcc_command) {
    Channel& ch = channels_[channel];
    const PersonalityEntry* entry = nullptr;
    BindingSource source = BindingSource::none;
    if (ch.override != nullptr) {
        entry = ch.override;
        source = BindingSource::override;
    } else if (ch.described != nullptr) {
        entry = ch.described;
        source = BindingSource::description;
    }
    if (entry != nullptr && layout_for(ch, *entry) != layout) {
        entry = nullptr;  // e.g. an extended message on a generic device's channel
        source = BindingSource::none;
    }
    if (entry == nullptr && layout == Layout::extended) {
        entry = pcc_command ? personality_for_command(*pcc_command) : nullptr;
        if (entry == nullptr) {
            entry = extended_fallback_personality();
        }
        if (entry != nullptr) {
            source = BindingSource::fallback;
        }
    }
    const bool speaks = entry != nullptr && (layout == Layout::generic || !pcc_command ||
                                             entry->info.speaks(*pcc_command));
    return Route{instance(channel, ch, entry, layout), entry, source, speaks};
}

DeviceDescription Bindings::device_for(unsigned channel, const Channel& ch,
                                       const PersonalityEntry* entry, Layout layout) const {
    DeviceDescription base = entry != nullptr && layout_for(ch, *entry) == layout
                                 ? entry->info.default_device(channel)
                                 : basic_device(channel, layout);
    if (!ch.description) {
        return base;
    }
    if (!ch.description->subspaces.empty() && ch.description->layout() == layout) {
        return *ch.description;
    }
    // The description does not say where this layout's answers go: its class
    // and properties with the default subspaces.
    DeviceDescription merged = *ch.description;
    merged.subspaces = std::move(base.subspaces);
    return merged;
}

Personality& Bindings::instance(unsigned channel, Channel& ch, const PersonalityEntry* entry,
                                Layout layout) {
    const std::string key = entry != nullptr ? entry->info.name : std::string();
    DeviceDescription device = device_for(channel, ch, entry, layout);
    auto it = ch.instances.find(key);
    if (it != ch.instances.end()) {
        if (it->second.context->device() != device) {
            it->second.context->set_device(std::move(device));
        }
        return *it->second.personality;
    }
    Instance made;
    made.context = std::make_unique<ChannelContext>(channel, std::move(device), state_);
    if (entry != nullptr) {
        made.personality = entry->make(*made.context);
        logf(LogLevel::debug, "c%03u: personality %s for %s messages", channel, key.c_str(),
             layout_name(layout));
    } else {
        made.personality = std::make_unique<BasicPersonality>(*made.context);
    }
    Personality& p = *made.personality;
    ch.instances.emplace(key, std::move(made));
    return p;
}

}  // namespace pccd
