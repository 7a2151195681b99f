// SPDX-License-Identifier: GPL-2.0-or-later
// Spool file names (qemu/docs/system/devices/pcc.rst, "Spool directories"):
// <20-digit sequence>-c<3-digit channel>-<kind>[-r<20-digit request>].<layout>.
// Only a response carries -r: the sequence of the request it answers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pcc_message.hpp"

namespace pccd {

struct SpoolName {
    std::uint64_t sequence = 0;
    unsigned channel = 0;  // 0..999 by the name's syntax; channels are 0..255
    MessageKind kind = MessageKind::request;
    Layout layout = Layout::extended;
    std::optional<std::uint64_t> request = std::nullopt;  // responses only: -r<request>

    auto operator<=>(const SpoolName&) const = default;
};

// `request` is written for responses only.
std::string format_spool_name(const SpoolName& name);
// nullopt for anything else, also for a request or notification with -r.
std::optional<SpoolName> parse_spool_name(std::string_view text);

// Hands out strictly increasing sequence numbers: max(now in ns, last + 1).
class SpoolSequencer {
  public:
    std::uint64_t next();
    void observe(std::uint64_t seen);  // a sequence already used (e.g. on disk)
    std::uint64_t last() const { return last_; }

  private:
    std::uint64_t last_ = 0;
};

}  // namespace pccd
