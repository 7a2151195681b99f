// SPDX-License-Identifier: GPL-2.0-or-later
#include "interrupts.hpp"

#include <charconv>

#include "text.hpp"

namespace lab {

namespace {

template <typename T>
std::optional<T> whole_number(std::string_view w) {
    T v{};
    const auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
    if (ec != std::errc() || p != w.data() + w.size()) {
        return std::nullopt;
    }
    return v;
}

// The lines of `text`, without their line ends.
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
    return out;
}

}  // namespace

std::vector<InterruptLine> parse_interrupts(std::string_view text) {
    std::vector<InterruptLine> out;
    std::size_t cpus = 0;
    bool header = true;
    for (const auto line : lines_of(text)) {
        const auto words = pcc::split_words(line);
        if (words.empty()) {
            continue;
        }
        if (header) {  // "CPU0 CPU1 ..."
            header = false;
            cpus = words.size();
            continue;
        }
        std::string_view first = words[0];
        if (first.size() < 2 || first.back() != ':') {
            continue;
        }
        const auto irq = whole_number<unsigned>(first.substr(0, first.size() - 1));
        if (!irq) {
            continue;  // IPI0:, Err:
        }
        InterruptLine l;
        l.irq = *irq;
        std::size_t k = 1;
        for (; k < words.size() && k <= cpus; ++k) {
            const auto n = whole_number<std::uint64_t>(words[k]);
            if (!n) {
                break;
            }
            l.count += *n;
        }
        if (k < words.size()) {
            l.chip = std::string(words[k++]);
        }
        if (k < words.size()) {
            if (const auto hw = whole_number<unsigned>(words[k])) {
                l.hwirq = *hw;
                ++k;
            }
        }
        for (; k < words.size(); ++k) {
            l.names += (l.names.empty() ? "" : " ") + std::string(words[k]);
        }
        out.push_back(std::move(l));
    }
    return out;
}

std::optional<InterruptLine> interrupt_of_gsi(const std::vector<InterruptLine>& lines,
                                              unsigned gsi) {
    for (const auto& l : lines) {
        if (l.hwirq == gsi) {
            return l;
        }
    }
    return std::nullopt;
}

std::optional<SpuriousCounts> parse_spurious(std::string_view text) {
    SpuriousCounts c;
    bool have_count = false, have_unhandled = false;
    for (const auto line : lines_of(text)) {
        const auto words = pcc::split_words(line);
        if (words.size() < 2) {
            continue;
        }
        const auto n = whole_number<std::uint64_t>(words[1]);
        if (words[0] == "count" && n) {
            c.count = *n;
            have_count = true;
        } else if (words[0] == "unhandled" && n) {
            c.unhandled = *n;
            have_unhandled = true;
        } else if (words[0] == "last_unhandled" && n) {
            c.last_unhandled = *n;
        }
    }
    if (!have_count || !have_unhandled) {
        return std::nullopt;
    }
    return c;
}

std::uint64_t unhandled_between(const SpuriousCounts& before, const SpuriousCounts& after) {
    if (after.last_unhandled == before.last_unhandled && after.unhandled == before.unhandled) {
        return 0;
    }
    return after.unhandled > before.unhandled ? after.unhandled - before.unhandled
                                              : after.unhandled;
}

}  // namespace lab
