// SPDX-License-Identifier: GPL-2.0-or-later
// What the personalities of APM X-Gene's SLIMpro mailbox share: the hwmon one
// (xgene_slimpro_personality.cpp) and the I2C one
// (xgene_slimpro_i2c_personality.cpp). Both speak a type 2 subspace, generic
// layout, whose communication space starts with three little-endian words
// msg[0..2]; msg[0] holds the message type (bits 31:28) and subtype (27:24).
//
// The signature rule: older Linux drivers (before 6.x, e.g. Debian bookworm's
// 6.1 xgene-hwmon) write 0x50424300 | index ("PCB") instead of the PCC
// signature 0x50434300 | index, and the real SLIMpro firmware accepted it. So
// do these personalities: such a request is answered (with its own signature)
// and counted in xgene.legacy_signature, the first of a channel logged,
// unless the setting xgene.strict_signature is non-zero: then it is refused
// (xgene.legacy_signature_rejected, and bad.message by the engine).
#pragma once

#include <cstdint>

#include "personality.hpp"

namespace pccd {

constexpr std::uint32_t kSlimproLegacySignatureBase = 0x50424300;
constexpr std::size_t kSlimproWords = 3;  // msg[0..2]
constexpr std::size_t kSlimproMessageSize = kSlimproWords * 4;

constexpr bool is_legacy_slimpro_signature(std::uint32_t signature) {
    return (signature & kPccSignatureMask) == kSlimproLegacySignatureBase;
}
constexpr std::uint32_t slimpro_msg_type(std::uint32_t msg0) {
    return (msg0 >> 28) & 0xf;
}
constexpr std::uint32_t slimpro_msg_subtype(std::uint32_t msg0) {
    return (msg0 >> 24) & 0xf;
}

class SlimproPersonality : public Personality {
  public:
    using Personality::Personality;

    // The PCC signature, or the legacy one as described above.
    Result<bool> check_signature(const DecodedMessage& m) override;

  protected:
    // " legacy-signature" for the log line of a message with the legacy
    // signature, else "".
    static const char* signature_note(const DecodedMessage& m);

  private:
    bool legacy_reported_ = false;
};

}  // namespace pccd
