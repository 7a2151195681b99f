// SPDX-License-Identifier: GPL-2.0-or-later
#include "control.hpp"

#include <vector>

#include "text.hpp"

namespace pccd {

namespace {

constexpr const char* kUnknown = "unknown command (send, set, get, stats, reload)";

bool has_blank(std::string_view text) {
    return text.find_first_of(" \t\r\n") != std::string_view::npos;
}

Result<ControlCommand> parse_send(const std::vector<std::string_view>& words) {
    // send CHANNEL ext|gen wrap|raw [dest=EID] HEX...
    if (words.size() < 5) {
        return fail("send takes CHANNEL ext|gen wrap|raw [dest=EID] HEX...");
    }
    SendCommand send;
    auto channel = parse_uint(words[1], 255);
    if (!channel) {
        return fail("bad channel");
    }
    send.channel = static_cast<unsigned>(*channel);
    if (words[2] != "ext" && words[2] != "gen") {
        return fail("layout must be ext or gen");
    }
    send.layout = words[2] == "ext" ? Layout::extended : Layout::generic;
    if (words[3] != "wrap" && words[3] != "raw") {
        return fail("mode must be wrap or raw");
    }
    send.raw = words[3] == "raw";
    std::size_t i = 4;
    if (words[i].substr(0, 5) == "dest=") {
        auto v = parse_uint(words[i].substr(5), 0xff);
        if (!v) {
            return fail("bad dest");
        }
        send.destination = static_cast<std::uint8_t>(*v);
        ++i;
    }
    for (; i < words.size(); ++i) {
        auto part = parse_hex(words[i]);
        if (!part) {
            return fail("bad hex " + std::string(words[i]));
        }
        append(send.bytes, *part);
    }
    if (send.bytes.empty()) {
        return fail("no bytes");
    }
    return ControlCommand(std::move(send));
}

}  // namespace

Result<ControlCommand> parse_control_line(std::string_view line) {
    if (line.size() > kMaxControlLine) {
        return fail("line too long");
    }
    const auto words = pcc::split_words(line);
    if (words.empty()) {
        return fail("empty command");
    }
    const std::string_view verb = words[0];
    if (verb == "send") {
        return parse_send(words);
    }
    if (verb == "set") {
        if (words.size() != 3) {
            return fail("set takes KEY VALUE");
        }
        return ControlCommand(SetCommand{std::string(words[1]), std::string(words[2])});
    }
    if (verb == "get") {
        if (words.size() != 2) {
            return fail("get takes KEY");
        }
        return ControlCommand(GetCommand{std::string(words[1])});
    }
    if (verb == "stats") {
        if (words.size() != 1) {
            return fail("stats takes no arguments");
        }
        return ControlCommand(StatsCommand{});
    }
    if (verb == "reload") {
        if (words.size() > 2) {
            return fail("reload takes [FILE]");
        }
        return ControlCommand(ReloadCommand{words.size() == 2 ? std::string(words[1]) : ""});
    }
    return fail(kUnknown);
}

Result<std::string> format_control_line(const ControlCommand& command) {
    if (const auto* send = std::get_if<SendCommand>(&command)) {
        if (send->bytes.empty()) {
            return fail("no bytes to send");
        }
        if (send->channel > 255) {
            return fail("bad channel");
        }
        std::string line = "send " + std::to_string(send->channel) + " " +
                           layout_name(send->layout) + (send->raw ? " raw" : " wrap");
        if (send->destination) {
            line += " dest=" + std::to_string(*send->destination);
        }
        return line + " " + to_hex(send->bytes, send->bytes.size());
    }
    if (const auto* set = std::get_if<SetCommand>(&command)) {
        if (set->key.empty() || has_blank(set->key) || set->value.empty() ||
            has_blank(set->value)) {
            return fail("a key and a value are one word each");
        }
        return "set " + set->key + " " + set->value;
    }
    if (const auto* get = std::get_if<GetCommand>(&command)) {
        if (get->key.empty() || has_blank(get->key)) {
            return fail("a key is one word");
        }
        return "get " + get->key;
    }
    if (std::holds_alternative<StatsCommand>(command)) {
        return std::string("stats");
    }
    const auto& reload = std::get<ReloadCommand>(command);
    if (has_blank(reload.path)) {
        return fail("a rules file is one word");
    }
    return reload.path.empty() ? std::string("reload") : "reload " + reload.path;
}

std::string format_control_reply(const ControlReply& reply) {
    std::string out = reply.ok ? "ok" : "error";
    if (!reply.text.empty()) {
        out += " " + reply.text;
    }
    return out;
}

std::optional<ControlReply> parse_control_reply(std::string_view line) {
    line = pcc::trim(line);
    for (const auto& [word, ok] :
         {std::pair{std::string_view("ok"), true}, std::pair{std::string_view("error"), false}}) {
        if (line.substr(0, word.size()) == word &&
            (line.size() == word.size() || line[word.size()] == ' ')) {
            return ControlReply{ok, std::string(pcc::trim(line.substr(word.size())))};
        }
    }
    return std::nullopt;
}

}  // namespace pccd
