// SPDX-License-Identifier: GPL-2.0-or-later
#include "device_description.hpp"

#include "bytes.hpp"
#include "text.hpp"

namespace pccd {

namespace {

constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kMaxValueLength = 1024;
constexpr std::size_t kMaxProperties = 256;
constexpr unsigned kMaxSubspaceType = 5;
constexpr std::uint64_t kMaxShmem = 1U << 20;

std::string quote(std::string_view word) {
    constexpr std::size_t kShown = 40;
    std::string out = "'";
    out += word.substr(0, kShown);
    if (word.size() > kShown) {
        out += "...";
    }
    return out + "'";
}

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength) {
        return false;
    }
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

// A control character (other than a tab) makes the line unreadable.
std::optional<std::size_t> control_character(std::string_view line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
            return i;
        }
    }
    return std::nullopt;
}

std::optional<SubspaceRole> parse_role(std::string_view text) {
    if (text == "initiator") {
        return SubspaceRole::initiator;
    }
    if (text == "responder") {
        return SubspaceRole::responder;
    }
    if (text == "mailbox") {
        return SubspaceRole::mailbox;
    }
    return std::nullopt;
}

bool type_fits_role(unsigned type, SubspaceRole role) {
    switch (role) {
        case SubspaceRole::initiator:
            return type == 3;
        case SubspaceRole::responder:
            return type == 4;
        case SubspaceRole::mailbox:
            // Types 0-2 (generic layout) and 3 (extended layout, e.g. a PCC
            // OperationRegion): the answer comes back into the same memory.
            return type <= 3;
    }
    return false;
}

class Parser {
  public:
    ParsedDescription run(std::string_view text);

  private:
    // Each returns the reason the line is ignored, or "" when it was taken.
    std::string statement(const std::vector<std::string_view>& words, std::string_view line);
    std::string subspace(const std::vector<std::string_view>& words);
    std::string property(const std::vector<std::string_view>& words, std::string_view line);

    DeviceDescription device_;
    bool have_class_ = false;
    bool have_channel_ = false;
};

std::string Parser::statement(const std::vector<std::string_view>& words, std::string_view line) {
    const std::string_view verb = words[0];
    if (verb == "pcc-device") {
        return "a second 'pcc-device' line";
    }
    if (verb == "class") {
        if (have_class_) {
            return "a second 'class' line";
        }
        if (words.size() != 2 || !valid_name(words[1])) {
            return "want 'class NAME' (letters, digits, '-', '_', '.')";
        }
        device_.device_class = std::string(words[1]);
        have_class_ = true;
        return {};
    }
    if (verb == "channel") {
        if (have_channel_) {
            return "a second 'channel' line";
        }
        const auto channel = words.size() == 2 ? parse_uint(words[1], 255) : std::nullopt;
        if (!channel) {
            return "want 'channel N' with N from 0 to 255";
        }
        device_.channel = static_cast<unsigned>(*channel);
        have_channel_ = true;
        return {};
    }
    if (verb == "subspace") {
        return subspace(words);
    }
    if (verb == "property") {
        return property(words, line);
    }
    return {};  // unknown statements are for newer platforms
}

std::string Parser::subspace(const std::vector<std::string_view>& words) {
    if (words.size() < 2 || words.size() % 2 != 0) {
        return "want 'subspace INDEX type T role ROLE [shmem BYTES]'";
    }
    const auto index = parse_uint(words[1], 255);
    if (!index) {
        return "subspace index " + quote(words[1]) + " is not 0 to 255";
    }
    SubspaceInfo info;
    info.index = static_cast<unsigned>(*index);
    std::optional<unsigned> type;
    std::optional<SubspaceRole> role;
    for (std::size_t i = 2; i + 1 < words.size(); i += 2) {
        const std::string_view key = words[i];
        const std::string_view value = words[i + 1];
        if (key == "type") {
            const auto v = parse_uint(value, kMaxSubspaceType);
            if (!v) {
                return "subspace type " + quote(value) + " is not 0 to 5";
            }
            type = static_cast<unsigned>(*v);
        } else if (key == "role") {
            role = parse_role(value);
            if (!role) {
                return "unknown role " + quote(value) + " (initiator, responder, mailbox)";
            }
        } else if (key == "shmem") {
            const auto v = parse_uint(value, kMaxShmem);
            if (!v) {
                return "shmem " + quote(value) + " is not a size up to 1 MiB";
            }
            info.shmem = static_cast<std::uint32_t>(*v);
        }  // other keys: newer devices
    }
    if (!type || !role) {
        return "subspace " + std::to_string(info.index) + " needs both 'type' and 'role'";
    }
    if (!type_fits_role(*type, *role)) {
        return "subspace " + std::to_string(info.index) + ": type " + std::to_string(*type) +
               " cannot have the role " + role_name(*role);
    }
    for (const SubspaceInfo& other : device_.subspaces) {
        if (other.index == info.index) {
            return "subspace " + std::to_string(info.index) + " is described twice";
        }
    }
    info.type = *type;
    info.role = *role;
    device_.subspaces.push_back(info);
    return {};
}

std::string Parser::property(const std::vector<std::string_view>& words, std::string_view line) {
    if (words.size() < 3 || !valid_name(words[1])) {
        return "want 'property NAME VALUE' (NAME: letters, digits, '-', '_', '.')";
    }
    // The value is the rest of the line: it may hold blanks.
    const auto start = static_cast<std::size_t>(words[2].data() - line.data());
    const std::string_view value = pcc::trim(line.substr(start));
    if (value.size() > kMaxValueLength) {
        return "property " + quote(words[1]) + ": value over 1024 bytes";
    }
    if (device_.properties.count(words[1]) != 0) {
        return "property " + quote(words[1]) + " is given twice";
    }
    if (device_.properties.size() >= kMaxProperties) {
        return "more than 256 properties";
    }
    device_.properties.emplace(std::string(words[1]), std::string(value));
    return {};
}

ParsedDescription Parser::run(std::string_view text) {
    ParsedDescription out;
    if (text.size() > kMaxDescriptionSize) {
        out.error =
            "description of " + std::to_string(text.size()) + " bytes is over the 65536-byte limit";
        return out;
    }
    bool have_format = false;
    int line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (const auto bad = control_character(line)) {
            out.problems.push_back(
                {line_number, "control character at column " + std::to_string(*bad + 1)});
            continue;
        }
        const auto words = pcc::split_words(line);
        if (words.empty()) {
            continue;
        }
        if (!have_format) {
            if (words[0] != "pcc-device") {
                out.error = "line " + std::to_string(line_number) + ": the first statement is " +
                            quote(words[0]) + ", not 'pcc-device 1'";
                return out;
            }
            const auto version = words.size() == 2 ? parse_uint(words[1], 1U << 31) : std::nullopt;
            if (!version) {
                out.error = "line " + std::to_string(line_number) + ": want 'pcc-device VERSION'";
                return out;
            }
            if (*version != kDeviceFormatVersion) {
                out.error = "format version " + std::to_string(*version) + "; pccd reads version " +
                            std::to_string(kDeviceFormatVersion);
                return out;
            }
            have_format = true;
            continue;
        }
        if (std::string reason = statement(words, line); !reason.empty()) {
            out.problems.push_back({line_number, std::move(reason)});
        }
    }
    if (!have_format) {
        out.error = "empty: no 'pcc-device 1' line";
    } else if (!have_class_) {
        out.error = "no valid 'class' line";
    } else if (!have_channel_) {
        out.error = "no valid 'channel' line";
    } else {
        out.device = std::move(device_);
    }
    return out;
}

}  // namespace

const char* role_name(SubspaceRole role) {
    switch (role) {
        case SubspaceRole::initiator:
            return "initiator";
        case SubspaceRole::responder:
            return "responder";
        case SubspaceRole::mailbox:
            return "mailbox";
    }
    return "?";
}

std::optional<std::string> DeviceDescription::property(std::string_view name) const {
    auto it = properties.find(name);
    if (it == properties.end()) {
        return std::nullopt;
    }
    return it->second;
}

const SubspaceInfo* DeviceDescription::find(SubspaceRole role) const {
    for (const SubspaceInfo& s : subspaces) {
        if (s.role == role) {
            return &s;
        }
    }
    return nullptr;
}

Layout DeviceDescription::layout() const {
    const SubspaceInfo* mailbox = find(SubspaceRole::mailbox);
    return mailbox != nullptr ? subspace_layout(mailbox->type) : Layout::extended;
}

ParsedDescription parse_device_description(std::string_view text) {
    return Parser().run(text);
}

std::string format_device_description(const DeviceDescription& device) {
    std::string out = "pcc-device " + std::to_string(kDeviceFormatVersion) + "\n";
    out += "class " + device.device_class + "\n";
    out += "channel " + std::to_string(device.channel) + "\n";
    for (const SubspaceInfo& s : device.subspaces) {
        out += "subspace " + std::to_string(s.index) + " type " + std::to_string(s.type) +
               " role " + role_name(s.role);
        if (s.shmem != 0) {
            out += " shmem " + std::to_string(s.shmem);
        }
        out += "\n";
    }
    for (const auto& [name, value] : device.properties) {
        out += "property " + name + " " + value + "\n";
    }
    return out;
}

}  // namespace pccd
