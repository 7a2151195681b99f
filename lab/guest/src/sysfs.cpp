// SPDX-License-Identifier: GPL-2.0-or-later
#include "sysfs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <utility>

#include "netlink.hpp"
#include "text.hpp"
#include "unique_fd.hpp"

namespace lab {

std::optional<std::vector<std::uint8_t>> read_file(const std::string& path, std::string* err) {
    pcc::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (err) {
            *err = pcc::errno_text();
        }
        return std::nullopt;
    }
    std::vector<std::uint8_t> out;
    std::uint8_t buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            if (err) {
                *err = pcc::errno_text();
            }
            return std::nullopt;
        }
        if (n == 0) {
            return out;
        }
        out.insert(out.end(), buf, buf + n);
    }
}

std::optional<std::string> read_text(const std::string& path) {
    const auto v = read_file(path);
    if (!v) {
        return std::nullopt;
    }
    return std::string(
        pcc::trim(std::string_view(reinterpret_cast<const char*>(v->data()), v->size())));
}

std::string glob_one(const std::string& pattern, std::string* why) {
    glob_t g{};
    std::vector<std::string> found;
    if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
        found.assign(g.gl_pathv, g.gl_pathv + g.gl_pathc);
    }
    ::globfree(&g);
    if (found.size() == 1) {
        return found[0];
    }
    *why = found.empty() ? pattern + ": no such file (is the driver bound?)"
                         : pattern + ": " + std::to_string(found.size()) + " files match";
    return {};
}

std::vector<std::string> list_dir(const std::string& path) {
    std::vector<std::string> out;
    DIR* d = ::opendir(path.c_str());
    if (!d) {
        return out;
    }
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") {
            out.push_back(std::move(n));
        }
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::string link_target_name(const std::string& path) {
    char buf[512];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf) - 1);
    if (n <= 0) {
        return {};
    }
    const std::string t(buf, static_cast<std::size_t>(n));
    const auto slash = t.find_last_of('/');
    return slash == std::string::npos ? t : t.substr(slash + 1);
}

std::vector<AcpiTable> read_acpi_tables(const std::string& prefix) {
    std::vector<AcpiTable> out;
    for (const auto& name : list_dir(kAcpiTables)) {
        if (name.rfind(prefix, 0) != 0) {
            continue;
        }
        if (auto t = read_file(std::string(kAcpiTables) + "/" + name)) {
            out.push_back({name, std::move(*t)});
        }
    }
    return out;
}

std::vector<std::string> mctp_pcc_links() {
    std::vector<std::string> links;
    for (auto& n : list_dir("/sys/class/net")) {
        if (n.rfind("mctppcc", 0) == 0) {
            links.push_back(std::move(n));
        }
    }
    return links;
}

std::string mctp_socket_problem() {
    const pcc::UniqueFd sock(::socket(netlink::kAfMctp, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (sock) {
        return {};
    }
    const int err = errno;
    return std::string("socket(AF_MCTP) failed with ") +
           (err == EAFNOSUPPORT ? "EAFNOSUPPORT" : pcc::errno_text(err));
}

std::string errno_described(int err) {
    static const std::pair<int, const char*> names[] = {
        {ETIMEDOUT, "ETIMEDOUT"},   {ENODATA, "ENODATA"}, {EINVAL, "EINVAL"},
        {ENODEV, "ENODEV"},         {EIO, "EIO"},         {ENOENT, "ENOENT"},
        {EBUSY, "EBUSY"},           {ENXIO, "ENXIO"},     {EAGAIN, "EAGAIN"},
        {ENOMEM, "ENOMEM"},         {EPERM, "EPERM"},     {EACCES, "EACCES"},
        {EOPNOTSUPP, "EOPNOTSUPP"}, {EFAULT, "EFAULT"},
    };
    for (const auto& [n, name] : names) {
        if (n == err) {
            return std::string(name) + " (" + pcc::errno_text(err) + ")";
        }
    }
    return "errno " + std::to_string(err) + " (" + pcc::errno_text(err) + ")";
}

NumberRead read_number(const std::string& path) {
    NumberRead out;
    const pcc::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        out.err = errno;
        out.error = "cannot open: " + errno_described(out.err);
        return out;
    }
    char buf[64];
    ssize_t n;
    do {
        n = ::read(fd.get(), buf, sizeof(buf) - 1);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        // the driver's answer: sysfs passes its negative return value on
        out.err = errno;
        out.error = "read failed with " + errno_described(out.err);
        return out;
    }
    const std::string text(pcc::trim(std::string_view(buf, static_cast<std::size_t>(n))));
    char* end = nullptr;
    errno = 0;
    const long long got = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end || errno) {
        out.error = "not a number: '" + text + "'";
        return out;
    }
    out.value = got;
    return out;
}

std::string write_text(const std::string& path, const std::string& text) {
    const pcc::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) {
        return "cannot open for writing: " + errno_described(errno);
    }
    ssize_t n;
    do {
        n = ::write(fd.get(), text.data(), text.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return "write of '" + text + "' failed with " + errno_described(errno);
    }
    if (static_cast<std::size_t>(n) != text.size()) {
        return "short write of '" + text + "'";
    }
    return {};
}

}  // namespace lab
