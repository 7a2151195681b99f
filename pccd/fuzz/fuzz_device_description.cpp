// SPDX-License-Identifier: GPL-2.0-or-later
// The device description (device_description.hpp) that QEMU writes to
// <spool>/device or sends in a hello frame: parsed alone (what parses
// formats and parses back to itself), then loaded into the bindings, which
// make the described personality's instance.
#include "device_description.hpp"
#include "fuzz_support.hpp"

using namespace pccd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(ByteView(data, size));
    const ParsedDescription parsed = parse_device_description(text);
    PCCD_FUZZ_CHECK(parsed.device.has_value() == parsed.error.empty());
    if (parsed.device) {
        const ParsedDescription again =
            parse_device_description(format_device_description(*parsed.device));
        PCCD_FUZZ_CHECK(again.device && *again.device == *parsed.device);
        (void)parsed.device->layout();
    }
    auto engine = fuzz::make_engine();
    if (auto channel = engine->bindings().load_description(text, "fuzz")) {
        PCCD_FUZZ_CHECK(*channel <= 255);
    }
    return 0;
}
