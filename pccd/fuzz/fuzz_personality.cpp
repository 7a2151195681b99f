// SPDX-License-Identifier: GPL-2.0-or-later
// The request parsers of the personalities that answer the PCC layouts
// directly (every one but mctp, which fuzz_mctp and fuzz_pldm cover):
// cppc, echo, hisi-uncore, kunpeng-hccs, opregion, xgene-slimpro,
// xgene-slimpro-i2c. The first input byte chooses the personality (bits
// 0-3, modulo their number) and, for those that take their layout from the
// device description (kunpeng-hccs, echo), the PCCT type of the described
// mailbox (bits 4-5). Up to the first NUL byte follow lines added to the
// personality's default device description (`property cpus 2`; none without
// a NUL), then the request as the guest left it in shared memory. The channel
// is described as QEMU would, then the engine routes the request to the
// personality, which judges the signature, decodes, logs, captures and
// answers.
#include <algorithm>
#include <string>
#include <vector>

#include "device_description.hpp"
#include "fuzz_support.hpp"
#include "personality.hpp"

using namespace pccd;

namespace {

constexpr unsigned kChannel = 2;

const std::vector<const PersonalityEntry*>& fuzzed_personalities() {
    static const std::vector<const PersonalityEntry*> entries = [] {
        std::vector<const PersonalityEntry*> v;
        for (const auto& [name, entry] : personalities()) {
            if (name != "mctp") {
                v.push_back(&entry);
            }
        }
        return v;
    }();
    return entries;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (fuzzed_personalities().empty()) {
        fuzz::violated("no personalities registered", __FILE__, __LINE__);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input input(data, size);
    const std::uint8_t selector = input.byte();
    const auto& entries = fuzzed_personalities();
    const PersonalityEntry& entry = *entries[(selector & 0x0f) % entries.size()];

    DeviceDescription device = entry.info.default_device(kChannel);
    if (entry.info.described_layout && !device.subspaces.empty()) {
        device.subspaces.front().type = (selector >> 4) & 0x3;  // a mailbox of type 0-3
    }
    std::string description = format_device_description(device);
    ByteView request = input.rest();
    const auto nul = std::find(request.begin(), request.end(), 0);
    if (nul != request.end()) {
        const auto extra = static_cast<std::size_t>(nul - request.begin());
        description += fuzz::as_text(request.first(extra));
        request = request.subspan(extra + 1);
    }
    auto engine = fuzz::make_engine();
    auto described = engine->bindings().load_description(description, "fuzz", kChannel);
    if (!described) {
        return 0;  // the extra lines broke it: bad.device_description
    }
    const DeviceDescription* used = engine->bindings().description(kChannel);
    PCCD_FUZZ_CHECK(used != nullptr);
    fuzz::request(*engine, kChannel, used->layout(), request);
    return 0;
}
