// SPDX-License-Identifier: GPL-2.0-or-later
#include "files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "text.hpp"

namespace lab {

std::vector<std::uint8_t> read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        throw std::runtime_error(path + ": cannot read");
    }
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(f), {});
}

void write_bytes_atomic(const std::string& path, std::span<const std::uint8_t> a,
                        std::span<const std::uint8_t> b) {
    const std::string tmp = path + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        for (const auto part : {a, b}) {
            f.write(reinterpret_cast<const char*>(part.data()),
                    static_cast<std::streamsize>(part.size()));
        }
        if (!f) {
            throw std::runtime_error(tmp + ": write failed");
        }
    }
    std::filesystem::rename(tmp, path);
}

std::string tail_of_file(const std::string& path, std::size_t lines) {
    std::ifstream f(path);
    std::vector<std::string> all;
    for (std::string l; std::getline(f, l);) {
        all.push_back(l);
    }
    std::string out;
    for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
        out += (out.empty() ? "" : " | ") + all[i];
    }
    return out;
}

pcc::UniqueFd open_log(const std::string& path) {
    pcc::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) {
        throw std::runtime_error(path + ": " + pcc::errno_text());
    }
    return fd;
}

}  // namespace lab
