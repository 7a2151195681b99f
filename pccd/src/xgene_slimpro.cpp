// SPDX-License-Identifier: GPL-2.0-or-later
#include "xgene_slimpro.hpp"

#include <cstdio>

#include "log.hpp"

namespace pccd {

Result<bool> SlimproPersonality::check_signature(const DecodedMessage& m) {
    const std::uint32_t signature = m.signature();
    if (!is_legacy_slimpro_signature(signature)) {
        return Personality::check_signature(m);
    }
    if (m.kind != MessageKind::request) {
        return true;  // the answer echoes the request's signature
    }
    if (context().state().number("xgene.strict_signature", 0).value_or(1) != 0) {
        counters().bump("xgene.legacy_signature_rejected");
        char buf[128];
        std::snprintf(buf, sizeof buf,
                      "legacy SLIMpro signature 0x%08x refused (xgene.strict_signature)",
                      signature);
        return fail(buf);
    }
    counters().bump("xgene.legacy_signature");
    if (!legacy_reported_) {
        legacy_reported_ = true;
        logf(LogLevel::info,
             "%s: legacy SLIMpro signature 0x%08x (older Linux driver) accepted; "
             "xgene.strict_signature=1 refuses it",
             context().where().c_str(), signature);
    }
    return true;
}

const char* SlimproPersonality::signature_note(const DecodedMessage& m) {
    return is_legacy_slimpro_signature(m.signature()) ? " legacy-signature" : "";
}

}  // namespace pccd
