// SPDX-License-Identifier: GPL-2.0-or-later
#include "bench.hpp"

#include <cstdio>
#include <cstdlib>

#include "text.hpp"

namespace lab {

namespace {

std::optional<unsigned> channel_of(std::string_view device) {
    for (const auto field : pcc::split_at(device, ',')) {
        if (field.starts_with("channel=")) {
            return static_cast<unsigned>(
                std::strtoul(std::string(field.substr(8)).c_str(), nullptr, 0));
        }
    }
    return std::nullopt;
}

std::string transport_of(std::string_view device) {
    for (const auto field : pcc::split_at(device, ',')) {
        if (field.starts_with("spool=")) {
            return "spool";
        }
        if (field.starts_with("chardev=")) {
            return "socket";
        }
        if (field.starts_with("platform=")) {
            return "platform object";
        }
    }
    return "?";
}

std::string kind_of_raw(unsigned type) {
    return "raw type " + std::to_string(type) + (type >= 3 ? " (extended)" : " (generic)");
}

constexpr const char* kMctpKind = "AF_MCTP Get Endpoint ID";

}  // namespace

std::map<unsigned, std::string> device_transports(const Scenario& sc) {
    std::map<unsigned, std::string> out;
    for (const auto& d : sc.devices) {
        if (auto c = channel_of(d)) {
            out[*c] = transport_of(d);
        }
    }
    return out;
}

std::optional<BenchRow> parse_bench_numbers(std::string_view text) {
    const auto w = pcc::split_words(text);
    BenchRow r;
    int found = 0;
    for (std::size_t i = 0; i + 1 < w.size(); ++i) {
        const std::string v(w[i + 1]);
        char* end = nullptr;
        const double x = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end != '\0') {
            continue;
        }
        if (w[i] == "n") {
            r.n = static_cast<unsigned>(x);
        } else if (w[i] == "p50_us") {
            r.p50_us = x;
        } else if (w[i] == "p99_us") {
            r.p99_us = x;
        } else if (w[i] == "msgs_per_s") {
            r.msgs_per_s = x;
        } else {
            continue;
        }
        ++found;
    }
    if (found != 4) {
        return std::nullopt;
    }
    return r;
}

std::vector<BenchRow> bench_rows(const Scenario& sc, const ScenarioOutcome& oc) {
    const auto transports = device_transports(sc);
    const bool mctp = sc.name.starts_with("bench-mctp");
    std::vector<BenchRow> rows;
    for (const auto& r : oc.results) {
        if (r.name == "scenario" && r.status == Status::skip) {
            for (const auto& [channel, transport] : transports) {
                rows.push_back({mctp ? kMctpKind : "raw", transport, 0, 0, 0, 0, r.message, {}});
            }
            return rows;
        }
    }
    for (const auto& r : oc.results) {
        const bool raw_bench = r.name.starts_with("raw-c") && r.name.ends_with("-bench");
        const bool mctp_bench = r.name.starts_with("mctp-") && r.name.ends_with("-bench");
        if (!raw_bench && !mctp_bench) {
            continue;
        }
        BenchRow row;
        if (raw_bench) {
            const auto c = static_cast<unsigned>(std::strtoul(r.name.c_str() + 5, nullptr, 10));
            const auto w = pcc::split_words(r.message);
            unsigned type = 0;
            for (std::size_t i = 0; i + 1 < w.size(); ++i) {
                if (w[i] == "type") {
                    type = static_cast<unsigned>(
                        std::strtoul(std::string(w[i + 1]).c_str(), nullptr, 10));
                }
            }
            row.kind = kind_of_raw(type);
            const auto t = transports.find(c);
            row.transport = t == transports.end() ? "?" : t->second;
        } else {
            row.kind = kMctpKind;
            row.transport = transports.size() == 1 ? transports.begin()->second : "?";
        }
        if (r.status != Status::ok) {
            row.fail = r.message;
        } else if (auto numbers = parse_bench_numbers(r.message)) {
            numbers->kind = row.kind;
            numbers->transport = row.transport;
            row = *numbers;
        } else {
            row.fail = "no figures in: " + r.message;
        }
        rows.push_back(std::move(row));
    }
    if (rows.empty()) {
        rows.push_back({mctp ? kMctpKind : "raw",
                        "?",
                        0,
                        0,
                        0,
                        0,
                        {},
                        "the guest reported no bench result (see the scenario's checks)"});
    }
    return rows;
}

std::string format_bench(const std::vector<BenchRow>& rows, bool markdown) {
    std::string out;
    char line[512];
    if (markdown) {
        out += "| round trip | transport | n | p50 (µs) | p99 (µs) | msgs/s |\n";
        out += "|---|---|---|---|---|---|\n";
    } else {
        std::snprintf(line, sizeof line, "%-26s %-9s %7s %9s %9s %9s\n", "round trip", "transport",
                      "n", "p50_us", "p99_us", "msgs/s");
        out += line;
    }
    for (const auto& r : rows) {
        const std::string why = !r.skip.empty() ? "skip: " + r.skip : "FAIL: " + r.fail;
        if (!r.skip.empty() || !r.fail.empty()) {
            if (markdown) {
                out += "| " + r.kind + " | " + r.transport + " | " + why + " ||||\n";
            } else {
                std::snprintf(line, sizeof line, "%-26s %-9s %s\n", r.kind.c_str(),
                              r.transport.c_str(), why.c_str());
                out += line;
            }
            continue;
        }
        if (markdown) {
            std::snprintf(line, sizeof line, "| %s | %s | %u | %.0f | %.0f | %.0f |\n",
                          r.kind.c_str(), r.transport.c_str(), r.n, r.p50_us, r.p99_us,
                          r.msgs_per_s);
        } else {
            std::snprintf(line, sizeof line, "%-26s %-9s %7u %9.1f %9.1f %9.0f\n", r.kind.c_str(),
                          r.transport.c_str(), r.n, r.p50_us, r.p99_us, r.msgs_per_s);
        }
        out += line;
    }
    return out;
}

void set_bench_count(Scenario& sc, unsigned n) {
    for (auto& cmd : sc.guest) {
        auto words = pcc::split_words(cmd);
        std::string rebuilt;
        for (std::size_t i = 0; i < words.size(); ++i) {
            std::string w(words[i]);
            if (i > 0 && words[i - 1] == "--raw-bench") {
                w = w.substr(0, w.find(',')) + "," + std::to_string(n);
            } else if (i > 0 && words[i - 1] == "--bench") {
                w = std::to_string(n);
            }
            rebuilt += (rebuilt.empty() ? "" : " ") + w;
        }
        cmd = rebuilt;
    }
}

}  // namespace lab
