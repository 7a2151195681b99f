// SPDX-License-Identifier: GPL-2.0-or-later
// The rules file parser (rules.hpp): a rules file is read at start-up, on
// SIGHUP and by `pccd reload FILE`. A file that parses is then put into an
// engine whose channels 3 to 9 are bound to the other personalities, so that
// its `set` lines reach their settings readers, and its rules are checked
// against requests of both layouts and of MCTP: matches with byte offsets,
// reply templates with `$N`, errors, delays.
#include <utility>
#include <vector>

#include "fuzz_support.hpp"
#include "mctp.hpp"
#include "personality.hpp"
#include "rules.hpp"

using namespace pccd;

namespace {

// Requests as the guest sends them: an MCTP Get Endpoint ID on channel 0
// (extended), a generic message on channel 2, a short extended one.
const Bytes& mctp_get_eid() {
    static const Bytes raw = [] {
        mctp::TransportHeader h;
        h.dest = 8;
        h.src = 9;
        h.tag = 1;
        const Bytes control{mctp::kTypeControl, 0x80, mctp::control::kGetEndpointId};
        return encode_ext(pcc_signature(0), kExtFlagNotifyOnCompletion, mctp::kPccCommandMctp,
                          mctp::encode_packet(h, control));
    }();
    return raw;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView bytes(data, size);
    auto rules = parse_rules(fuzz::as_text(bytes));
    if (!rules) {
        PCCD_FUZZ_CHECK(!rules.error().empty());
        return 0;
    }
    for (const Rule& rule : rules->rules) {
        (void)instantiate(rule.bytes, bytes);
        (void)rule_action_name(rule.action);
    }
    auto engine = fuzz::make_engine();
    std::vector<std::pair<unsigned, Layout>> bound;
    for (const auto& [name, entry] : personalities()) {
        if (name != "mctp") {
            const unsigned channel = 3 + static_cast<unsigned>(bound.size());
            PCCD_FUZZ_CHECK(engine->bind(channel, name).ok());
            bound.emplace_back(channel, entry.info.layout());
        }
    }
    engine->set_rules(std::move(*rules));
    for (const TimedRule& timed : engine->rules().timed) {
        (void)engine->make_notification(timed.channel, timed.layout, timed.bytes, timed.raw,
                                        timed.dest_eid);
    }
    fuzz::request(*engine, 0, Layout::extended, mctp_get_eid(), fuzz::AnswerCheck::any);
    const Bytes generic = encode_generic(pcc_signature(2), 0x8000, 0, Bytes(24, 0x5a));
    fuzz::request(*engine, 2, Layout::generic, generic, fuzz::AnswerCheck::any);
    const Bytes short_ext = encode_ext(pcc_signature(1), 0, 0x41424344, {});
    fuzz::request(*engine, 1, Layout::extended, short_ext, fuzz::AnswerCheck::any);
    // A zeroed request of each bound personality's layout: its answer reads
    // the settings.
    for (const auto& [c, layout] : bound) {
        const Bytes zeroed = layout == Layout::generic
                                 ? encode_generic(pcc_signature(c), 0, 0, Bytes(120, 0))
                                 : encode_ext(pcc_signature(c), 1, 1, Bytes(60, 0));
        fuzz::request(*engine, c, layout, zeroed, fuzz::AnswerCheck::any);
    }
    return 0;
}
