// SPDX-License-Identifier: GPL-2.0-or-later
#include "placeholders.hpp"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <stdexcept>

#include "text.hpp"

namespace lab {

std::string expand(const std::string& s, const Places& pl) {
    std::string out;
    std::size_t i = 0;
    auto word_end = [&](std::size_t from) {
        std::size_t e = from;
        while (e < s.size() &&
               (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '-' || s[e] == '_')) {
            ++e;
        }
        return e;
    };
    while (i < s.size()) {
        if (s.compare(i, 7, "@spool:") == 0) {
            const std::size_t e = word_end(i + 7);
            const std::string dir = pl.run + "/spool-" + s.substr(i + 7, e - i - 7);
            if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
                throw std::runtime_error(dir + ": " + pcc::errno_text());
            }
            out += dir;
            i = e;
        } else if (s.compare(i, 8, "@socket:") == 0) {
            const std::size_t e = word_end(i + 8);
            out += pl.run + "/" + s.substr(i + 8, e - i - 8) + ".sock";
            i = e;
        } else if (s.compare(i, 4, "@run") == 0) {
            out += pl.run;
            i += 4;
        } else if (s.compare(i, 9, "@platform") == 0) {
            out += pl.platform ? "" : "--no-platform";
            i += 9;
        } else if (s.compare(i, 5, "@pccd") == 0) {
            if (pl.pccd.empty()) {
                throw std::runtime_error("@pccd: pccd is not built");
            }
            out += pl.pccd;
            i += 5;
        } else if (s.compare(i, 5, "@here") == 0) {
            out += pl.here;
            i += 5;
        } else {
            out += s[i++];
        }
    }
    return out;
}

std::vector<std::string> argv_words(std::string_view command) {
    std::vector<std::string> argv;
    for (const auto w : pcc::split_words(command)) {
        argv.emplace_back(w);
    }
    return argv;
}

}  // namespace lab
