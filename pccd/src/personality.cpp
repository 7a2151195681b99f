// SPDX-License-Identifier: GPL-2.0-or-later
#include "personality.hpp"

namespace pccd {

std::optional<std::string> PlatformState::setting(std::string_view key) const {
    auto it = settings.find(key);
    if (it == settings.end()) {
        return std::nullopt;
    }
    return it->second;
}

// Function-local statics: registrars in other translation units run during
// static initialisation in unspecified order, so each registry is built on
// first use.
std::map<std::uint32_t, PersonalityEntry<std::uint32_t, ExtCommandPersonality>>&
ext_command_registry() {
    static std::map<std::uint32_t, PersonalityEntry<std::uint32_t, ExtCommandPersonality>> r;
    return r;
}

std::map<std::uint8_t, PersonalityEntry<std::uint8_t, MctpTypePersonality>>& mctp_type_registry() {
    static std::map<std::uint8_t, PersonalityEntry<std::uint8_t, MctpTypePersonality>> r;
    return r;
}

std::map<std::string, PersonalityEntry<std::string, GenericPersonality>, std::less<>>&
generic_registry() {
    static std::map<std::string, PersonalityEntry<std::string, GenericPersonality>, std::less<>> r;
    return r;
}

}  // namespace pccd
