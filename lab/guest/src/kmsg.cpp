// SPDX-License-Identifier: GPL-2.0-or-later
#include "kmsg.hpp"

#include <fcntl.h>
#include <sys/klog.h>
#include <unistd.h>

#include <cerrno>

#include "text.hpp"
#include "unique_fd.hpp"

namespace lab {

bool parse_kmsg_record(std::string_view rec, KmsgRecord* out) {
    auto semi = rec.find(';');
    if (semi == std::string_view::npos) {
        return false;
    }
    auto prefix = rec.substr(0, semi);
    int prio = 0;
    std::size_t i = 0;
    for (; i < prefix.size() && prefix[i] >= '0' && prefix[i] <= '9'; ++i) {
        prio = prio * 10 + (prefix[i] - '0');
    }
    if (i == 0) {
        return false;
    }
    auto text = rec.substr(semi + 1);
    // the first line is the message; continuation lines (key=value) start with ' '
    if (auto nl = text.find('\n'); nl != std::string_view::npos) {
        text = text.substr(0, nl);
    }
    out->level = prio & 7;
    out->text = std::string(text);
    return true;
}

std::vector<KmsgRecord> parse_syslog_text(std::string_view text) {
    std::vector<KmsgRecord> out;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        KmsgRecord r;
        if (line.size() >= 3 && line[0] == '<') {
            auto close = line.find('>');
            if (close != std::string_view::npos && close > 1) {
                int prio = 0;
                for (auto c : line.substr(1, close - 1)) {
                    prio = c >= '0' && c <= '9' ? prio * 10 + (c - '0') : prio;
                }
                r.level = prio & 7;
                line = line.substr(close + 1);
            }
        }
        r.text = std::string(line);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<KmsgRecord> read_kernel_log(std::string* source, std::string* error) {
    std::vector<KmsgRecord> out;
    pcc::UniqueFd fd(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd) {
        std::string buf(8192, '\0');
        for (;;) {
            ssize_t n = ::read(fd.get(), buf.data(), buf.size());
            if (n < 0 && (errno == EINTR || errno == EPIPE)) {
                continue;  // EPIPE: a record was overwritten; go on
            }
            if (n <= 0) {
                break;  // EAGAIN: all read
            }
            KmsgRecord r;
            if (parse_kmsg_record(std::string_view(buf.data(), static_cast<std::size_t>(n)), &r)) {
                out.push_back(std::move(r));
            }
        }
        *source = "/dev/kmsg";
        return out;
    }
    const std::string kmsg_error = pcc::errno_text();
    int size = ::klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, nullptr, 0);
    if (size <= 0) {
        *error = "/dev/kmsg: " + kmsg_error + "; klogctl: " + pcc::errno_text();
        return out;
    }
    std::string text(static_cast<std::size_t>(size), '\0');
    int n = ::klogctl(3 /* SYSLOG_ACTION_READ_ALL */, text.data(), size);
    if (n < 0) {
        *error = "/dev/kmsg: " + kmsg_error + "; klogctl: " + pcc::errno_text();
        return out;
    }
    text.resize(static_cast<std::size_t>(n));
    *source = "klogctl";
    return parse_syslog_text(text);
}

std::string quote_kernel_log(const std::vector<KmsgRecord>& log,
                             std::initializer_list<std::string_view> words, std::size_t max) {
    std::vector<std::string> hits;
    // warnings and errors when there are any, else everything that matches
    int max_level = 4;
    for (int pass = 0; pass < 2 && hits.empty(); ++pass, max_level = 7) {
        for (const auto& rec : log) {
            if (rec.level > max_level) {
                continue;
            }
            for (const auto w : words) {
                if (rec.text.find(w) == std::string::npos) {
                    continue;
                }
                const std::string l = "<" + std::to_string(rec.level) + ">" + rec.text;
                if (hits.empty() || hits.back() != l) {
                    hits.push_back(l);
                }
                break;
            }
        }
    }
    if (hits.empty()) {
        return {};
    }
    std::string out;
    for (std::size_t i = hits.size() > max ? hits.size() - max : 0; i < hits.size(); ++i) {
        out += (out.empty() ? "" : " | ") + hits[i];
    }
    return "; kernel log: " + out;
}

std::string quote_kernel_log(std::initializer_list<std::string_view> words, std::size_t max) {
    std::string source, error;
    return quote_kernel_log(read_kernel_log(&source, &error), words, max);
}

}  // namespace lab
