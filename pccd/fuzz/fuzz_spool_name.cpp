// SPDX-License-Identifier: GPL-2.0-or-later
// Spool file names (spool_name.hpp): the spool transport parses the name of
// every entry of its directories, which anyone who can write there chooses.
// A name that parses is the canonical form of what it parsed to.
#include "fuzz_support.hpp"
#include "spool_name.hpp"

using namespace pccd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(ByteView(data, size));
    if (auto name = parse_spool_name(text)) {
        // Only a response names its request (one without answers whatever
        // request is outstanding).
        PCCD_FUZZ_CHECK(!name->request || name->kind == MessageKind::response);
        PCCD_FUZZ_CHECK(format_spool_name(*name) == text);
        PCCD_FUZZ_CHECK(parse_spool_name(format_spool_name(*name)) == name);
    }
    return 0;
}
