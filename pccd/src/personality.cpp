// SPDX-License-Identifier: GPL-2.0-or-later
#include "personality.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "log.hpp"
#include "pcapng_format.hpp"

namespace pccd {

namespace {

// A function-local static: registrars in other translation units run during
// static initialisation in unspecified order, so the registry is built on
// first use.
std::map<std::string, PersonalityEntry, std::less<>>& registry() {
    static std::map<std::string, PersonalityEntry, std::less<>> r;
    return r;
}

}  // namespace

std::optional<std::string> PlatformState::setting(std::string_view key) const {
    auto it = settings.find(key);
    if (it == settings.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<long long> PlatformState::number(std::string_view key, long long fallback) const {
    const auto text = setting(key);
    if (!text) {
        return fallback;
    }
    if (auto hex = parse_uint(*text, 0x7fffffffffffffffULL); hex && text->rfind("0x", 0) == 0) {
        return static_cast<long long>(*hex);
    }
    long long v = 0;
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, v);
    if (ec != std::errc() || ptr != end || text->empty()) {
        logf(LogLevel::warn, "setting %.*s = '%s' is not an integer", static_cast<int>(key.size()),
             key.data(), text->c_str());
        return std::nullopt;
    }
    return v;
}

ChannelContext::ChannelContext(unsigned channel, DeviceDescription device, PlatformState& state)
    : channel_(channel), device_(std::move(device)), state_(state) {}

std::optional<std::string> ChannelContext::property(std::string_view name) const {
    return device_.property(name);
}

std::optional<std::string> ChannelContext::setting(std::string_view key) const {
    return state_.setting(key);
}

std::string ChannelContext::where() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "c%03u", channel_);
    return buf;
}

unsigned ChannelContext::answer_subspace() const {
    if (const SubspaceInfo* responder = device_.find(SubspaceRole::responder)) {
        return responder->index;
    }
    if (const SubspaceInfo* mailbox = device_.find(SubspaceRole::mailbox)) {
        return mailbox->index;
    }
    return channel_;
}

std::uint32_t ChannelContext::answer_flags() const {
    if (auto text = state_.setting("pcc.flags")) {
        if (auto v = parse_uint(*text, 0xffffffffULL)) {
            return static_cast<std::uint32_t>(*v);
        }
    }
    return kExtFlagNotifyOnCompletion;
}

Bytes ChannelContext::ext_message(std::uint32_t command, ByteView payload) const {
    return encode_ext(pcc_signature(answer_subspace()), answer_flags(), command, payload);
}

Bytes ChannelContext::ext_answer(const DecodedMessage& request, ByteView payload) const {
    return ext_message(request.ext->command, payload);
}

Bytes ChannelContext::generic_answer(const DecodedMessage& request, std::uint16_t status,
                                     ByteView space) const {
    // Written back into the same subspace; never shorter than the request's
    // communication space (the device class fixes its size).
    Bytes padded(space.begin(), space.end());
    if (padded.size() < request.generic->space.size()) {
        padded.resize(request.generic->space.size(), 0);
    }
    return encode_generic(request.generic->signature, request.generic->command, status, padded);
}

Bytes ChannelContext::generic_notification(ByteView space) const {
    return encode_generic(pcc_signature(answer_subspace()), 0, kStatusPlatformNotification, space);
}

Result<bool> Personality::check_signature(const DecodedMessage& m) {
    if (!has_pcc_prefix(m.signature())) {
        return fail(bad_signature_text(m.signature()));
    }
    return true;
}

Result<bool> Personality::decode(DecodedMessage&) {
    return true;
}

std::string Personality::describe(const DecodedMessage&) const {
    return {};
}

Bytes Personality::reply(const DecodedMessage& request, ByteView body) {
    if (request.generic) {
        return context_.generic_answer(request, kStatusCommandComplete, body);
    }
    return context_.ext_answer(request, body);
}

std::optional<Bytes> Personality::error_answer(const DecodedMessage& request, std::uint8_t) {
    if (request.generic) {
        return context_.generic_answer(request, kStatusCommandComplete | kStatusError,
                                       request.generic->space);
    }
    return std::nullopt;
}

Result<Bytes> Personality::notification(Layout layout, ByteView bytes,
                                        std::optional<std::uint8_t>) {
    if (layout == Layout::generic) {
        return context_.generic_notification(bytes);
    }
    return fail("the personality of channel " + std::to_string(context_.channel()) +
                " cannot wrap an extended notification; send the whole message (raw)");
}

std::optional<CapturedPacket> Personality::capture(const DecodedMessage& m) const {
    constexpr std::uint16_t kArphrdNone = 0xfffe;
    constexpr std::size_t kExtOverhead = 12;  // the bytes before those the length counts
    ByteView bytes = m.raw;
    if (m.ext) {
        bytes = bytes.first(std::min<std::size_t>(bytes.size(), kExtOverhead + m.ext->length));
    }
    return CapturedPacket{pcc::pcapng::kEthertypeLocalExperimental, kArphrdNone, bytes};
}

void Personality::setting_changed(std::string_view, std::string_view) {}

Layout PersonalityInfo::layout() const {
    for (const SubspaceTemplate& s : subspaces) {
        if (s.role == SubspaceRole::mailbox) {
            return subspace_layout(s.type);
        }
    }
    return subspaces.empty() ? Layout::generic : Layout::extended;
}

DeviceDescription PersonalityInfo::default_device(unsigned channel) const {
    DeviceDescription d;
    d.device_class = device_classes.empty() ? std::string() : device_classes.front();
    d.channel = channel;
    for (const SubspaceTemplate& s : subspaces) {
        d.subspaces.push_back({channel + s.offset, s.type, s.role, 0});
    }
    if (d.subspaces.empty()) {
        d.subspaces.push_back({channel, 0, SubspaceRole::mailbox, 0});
    }
    return d;
}

bool PersonalityInfo::speaks(std::uint32_t pcc_command) const {
    return pcc_commands.empty() ||
           std::find(pcc_commands.begin(), pcc_commands.end(), pcc_command) != pcc_commands.end();
}

const std::map<std::string, PersonalityEntry, std::less<>>& personalities() {
    return registry();
}

void register_personality(PersonalityInfo info, PersonalityFactory make) {
    std::string name = info.name;
    registry().insert_or_assign(std::move(name),
                                PersonalityEntry{std::move(info), std::move(make)});
}

const PersonalityEntry* find_personality(std::string_view name) {
    auto it = registry().find(name);
    return it == registry().end() ? nullptr : &it->second;
}

const PersonalityEntry* personality_for_class(std::string_view device_class) {
    for (const auto& [name, entry] : registry()) {
        const auto& classes = entry.info.device_classes;
        if (std::find(classes.begin(), classes.end(), device_class) != classes.end()) {
            return &entry;
        }
    }
    return nullptr;
}

const PersonalityEntry* personality_for_command(std::uint32_t pcc_command) {
    for (const auto& [name, entry] : registry()) {
        const auto& commands = entry.info.pcc_commands;
        if (std::find(commands.begin(), commands.end(), pcc_command) != commands.end()) {
            return &entry;
        }
    }
    return nullptr;
}

const PersonalityEntry* extended_fallback_personality() {
    for (const auto& [name, entry] : registry()) {
        if (entry.info.extended_fallback) {
            return &entry;
        }
    }
    return nullptr;
}

std::string personality_names() {
    std::string out;
    for (const auto& [name, entry] : registry()) {
        out += (out.empty() ? "" : ", ") + name;
    }
    return out.empty() ? "none" : out;
}

}  // namespace pccd
