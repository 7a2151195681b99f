// SPDX-License-Identifier: GPL-2.0-or-later
#include "console_protocol.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace pcc::console {

namespace {

constexpr std::string_view kBlanks = " \t\r\n";

std::string_view skip_blanks(std::string_view s) {
    const std::size_t at = s.find_first_not_of(kBlanks);
    return at == std::string_view::npos ? std::string_view{} : s.substr(at);
}

// The next blank-separated word of `rest`; `rest` moves past it.
std::string_view take_word(std::string_view& rest) {
    rest = skip_blanks(rest);
    const std::size_t end = std::min(rest.find_first_of(kBlanks), rest.size());
    const std::string_view word = rest.substr(0, end);
    rest.remove_prefix(end);
    return word;
}

// What follows `word` and one blank in `line`, if the line carries it.
std::optional<std::string_view> after(std::string_view line, std::string_view word) {
    std::string tag(word);
    tag += ' ';
    const std::size_t at = line.find(tag);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    return line.substr(at + tag.size());
}

std::string_view trim_step(std::string_view s) {
    const std::size_t last = s.find_last_not_of(" \t\r\n\v\f");
    s = last == std::string_view::npos ? std::string_view{} : s.substr(0, last + 1);
    const std::size_t first = s.find_first_not_of(" \t");
    return first == std::string_view::npos ? std::string_view{} : s.substr(first);
}

Line parse_result(std::string_view rest) {
    const std::string_view status = take_word(rest);
    const auto st = parse_status(status);
    if (!st) {
        return MalformedResult{};
    }
    ResultLine r;
    r.status = *st;
    r.name = take_word(rest);
    r.message = skip_blanks(rest);
    return r;
}

Line parse_summary(std::string_view rest) {
    const std::string text(rest);
    Counts c;
    if (std::sscanf(text.c_str(), "ok=%d fail=%d skip=%d", &c.ok, &c.fail, &c.skip) == 3) {
        return SummaryLine{c};
    }
    return SummaryLine{std::nullopt};
}

Line parse_module(std::string_view rest) {
    const std::string_view status = take_word(rest);
    return ModuleLine{status == "ok", std::string(take_word(rest))};
}

Line parse_run(std::string_view rest) {
    rest = skip_blanks(rest);
    RunLine r;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), r.command);
    if (ec != std::errc()) {
        return RunLine{};
    }
    rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
    r.text = skip_blanks(rest);
    return r;
}

Line parse_exit(std::string_view rest) {
    const std::string text(rest);
    ExitLine e;
    if (std::sscanf(text.c_str(), "%d %d", &e.command, &e.status) == 2) {
        return e;
    }
    return OtherLine{};
}

}  // namespace

std::string shell_definitions() {
    std::string out;
    for (const auto& w : kShellWords) {
        out += std::string(w.variable) + "='" + std::string(w.word) + "'\n";
    }
    return out;
}

std::string_view status_word(Status status) {
    switch (status) {
        case Status::ok:
            return "ok";
        case Status::fail:
            return "fail";
        case Status::skip:
            return "skip";
    }
    return "fail";
}

std::optional<Status> parse_status(std::string_view word) {
    for (Status s : {Status::ok, Status::fail, Status::skip}) {
        if (word == status_word(s)) {
            return s;
        }
    }
    return std::nullopt;
}

void Counts::count(Status status) {
    ++(status == Status::ok ? ok : status == Status::fail ? fail : skip);
}

std::string result_line(Status status, std::string_view name, std::string_view message) {
    std::string line(kResult);
    line += ' ';
    line += status_word(status);
    line += ' ';
    line += name;
    line += ' ';
    line += message;
    return line;
}

std::string info_line(std::string_view name, std::string_view text) {
    return std::string(kInfo) + " " + std::string(name) + " " + std::string(text);
}

std::string summary_line(const Counts& counts) {
    return std::string(kSummary) + " ok=" + std::to_string(counts.ok) +
           " fail=" + std::to_string(counts.fail) + " skip=" + std::to_string(counts.skip);
}

std::string host_step_line(std::string_view step) {
    return std::string(kLabHost) + " " + std::string(step);
}

std::string host_step_done_line(std::string_view step, Status status) {
    return std::string(kLabStepDone) + " " + std::string(step) + " " +
           std::string(status_word(status));
}

std::optional<HostStepDone> parse_host_step_done(std::string_view line) {
    std::string_view rest = line;
    const std::string_view word = take_word(rest);
    const std::string_view step = take_word(rest);
    const std::string_view verdict = take_word(rest);
    if (word != kLabStepDone || step.empty() || !skip_blanks(rest).empty()) {
        return std::nullopt;
    }
    const auto status = parse_status(verdict);
    if (!status || *status == Status::skip) {
        return std::nullopt;
    }
    return HostStepDone{std::string(step), *status};
}

std::string run_line(int n, std::string_view command) {
    return std::string(kLabRun) + " " + std::to_string(n) + " " + std::string(command);
}

Line parse_line(std::string_view line) {
    if (auto r = after(line, kResult)) {
        return parse_result(*r);
    }
    if (auto s = after(line, kSummary)) {
        return parse_summary(*s);
    }
    if (auto m = after(line, kLabModule)) {
        return parse_module(*m);
    }
    const auto run = after(line, kLabRun);
    if (auto h = after(line, kLabHost); h && !run) {
        return HostStepLine{std::string(trim_step(*h))};
    }
    if (run) {
        return parse_run(*run);
    }
    if (auto e = after(line, kLabExit)) {
        return parse_exit(*e);
    }
    if (line.find(kLabDone) != std::string_view::npos &&
        line.find("echo") == std::string_view::npos) {
        return DoneLine{};
    }
    return OtherLine{};
}

}  // namespace pcc::console
