// SPDX-License-Identifier: GPL-2.0-or-later
// What pccd's libFuzzer targets share: taking the fuzzer's input apart,
// checks that abort (so that libFuzzer records the input as a finding), and
// an engine as the daemon has one, its pcap going to /dev/null.
#pragma once

#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "bytes.hpp"
#include "engine.hpp"
#include "log.hpp"
#include "pcapng.hpp"
#include "unique_fd.hpp"

namespace pccd::fuzz {

// The fuzzer's input, consumed from the front: selector bytes first, then
// the bytes under test.
class Input {
  public:
    Input(const std::uint8_t* data, std::size_t size) : rest_(data, size) {}
    // The next byte, 0 when none is left.
    std::uint8_t byte() {
        if (rest_.empty()) {
            return 0;
        }
        const std::uint8_t b = rest_.front();
        rest_ = rest_.subspan(1);
        return b;
    }
    ByteView rest() const { return rest_; }
    std::string_view text() const {
        return {reinterpret_cast<const char*>(rest_.data()), rest_.size()};
    }

  private:
    ByteView rest_;
};

inline std::string_view as_text(ByteView bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Also through the sanitizers' report: with -close_fd_mask=2 only their copy
// of stderr reaches the log.
[[noreturn]] inline void violated(const char* what, const char* file, int line) {
    char text[512];
    std::snprintf(text, sizeof text, "%s:%d: fuzz check failed: %s", file, line, what);
    std::fprintf(stderr, "%s\n", text);
    __sanitizer_report_error_summary(text);
    std::abort();
}

// A property of the decoder that must hold for every input.
#define PCCD_FUZZ_CHECK(cond) \
    ((cond) ? static_cast<void>(0) : ::pccd::fuzz::violated(#cond, __FILE__, __LINE__))

// A fresh engine per input (personalities keep state): the daemon's, with a
// pcap writer so that the personalities' capture() runs too.
inline std::unique_ptr<Engine> make_engine() {
    auto engine = std::make_unique<Engine>();
    pcc::UniqueFd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (null.get() >= 0) {
        engine->set_pcap(std::make_unique<PcapngWriter>(std::move(null)));
    }
    return engine;
}

// What an answer must be: one that a personality made is a message of the
// request's layout that pccd itself decodes; a rule's `reply-raw` may make
// any bytes (a rules file breaks answers on purpose).
enum class AnswerCheck { decodes, any };

// handle_request as a transport calls it, plus what must hold of the
// outcome: a rejected request is counted (bad.*) and not answered; an answer
// is no larger than a message may be, and passes `check`.
inline void request(Engine& engine, unsigned channel, Layout layout, ByteView raw,
                    AnswerCheck check = AnswerCheck::decodes) {
    counters().clear();
    const Outcome outcome = engine.handle_request(channel, layout, raw, "fuzz");
    if (!outcome.rejected.empty()) {
        PCCD_FUZZ_CHECK(!outcome.answer);
        PCCD_FUZZ_CHECK(counters().summary().find("bad.") != std::string::npos);
    }
    if (outcome.answer) {
        PCCD_FUZZ_CHECK(outcome.answer->size() <= kMaxMessageSize);
        PCCD_FUZZ_CHECK(check == AnswerCheck::any ||
                        decode_layout(channel, layout, MessageKind::response, *outcome.answer,
                                      LengthCheck::clip)
                            .ok());
        engine.record_sent(channel, layout, MessageKind::response, *outcome.answer, "fuzz");
    }
}

}  // namespace pccd::fuzz
