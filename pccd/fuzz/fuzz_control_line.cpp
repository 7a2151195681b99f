// SPDX-License-Identifier: GPL-2.0-or-later
// The control protocol (control.hpp): the line a client sends to the control
// socket, and the reply line that `pccd send/set/get/stats/reload` reads.
// A command that parses and formats parses back to itself; so does a reply.
#include "control.hpp"
#include "fuzz_support.hpp"

using namespace pccd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line = fuzz::as_text(ByteView(data, size));
    if (auto command = parse_control_line(line)) {
        if (auto text = format_control_line(*command)) {
            auto again = parse_control_line(*text);
            PCCD_FUZZ_CHECK(again.ok() && *again == *command);
        }
    } else {
        PCCD_FUZZ_CHECK(!command.error().empty());
    }
    if (auto reply = parse_control_reply(line)) {
        auto again = parse_control_reply(format_control_reply(*reply));
        PCCD_FUZZ_CHECK(again && again->ok == reply->ok && again->text == reply->text);
    }
    return 0;
}
