// SPDX-License-Identifier: GPL-2.0-or-later
#include "i2c_eeprom.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "log.hpp"
#include "text.hpp"
#include "unique_fd.hpp"

namespace pccd {

namespace {

constexpr const char* kWantByte = "a byte, 0 to 0xff";
constexpr std::uint8_t kDefaultFill = 0xff;

std::string byte_text(std::uint8_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", v);
    return buf;
}

}  // namespace

I2cEeprom::I2cEeprom(PlatformState& state, SettingReader& reader, std::string prefix)
    : state_(state), reader_(reader), prefix_(std::move(prefix)) {}

void I2cEeprom::start() {
    state_.settings.try_emplace(prefix_ + ".fill", byte_text(kDefaultFill));
    if (auto path = state_.setting(prefix_ + ".file")) {
        load(*path);
    } else {
        fill_all(true);
    }
    publish_pointer();
}

void I2cEeprom::setting_changed(std::string_view key, std::string_view value) {
    if (key == prefix_ + ".file") {
        load(std::string(value));
    } else if (key == prefix_ + ".fill" && !state_.setting(prefix_ + ".file")) {
        fill_all(false);
    }
}

std::string I2cEeprom::key(std::size_t address) const {
    return prefix_ + "." + byte_text(static_cast<std::uint8_t>(address));
}

std::uint8_t I2cEeprom::fill_value() {
    return static_cast<std::uint8_t>(
        reader_.get(prefix_ + ".fill", 0, 0xff, kWantByte).value_or(kDefaultFill));
}

std::uint8_t I2cEeprom::byte(std::size_t address) {
    if (auto v = reader_.get(key(address), 0, 0xff, kWantByte)) {
        return static_cast<std::uint8_t>(*v);
    }
    return fill_value();
}

void I2cEeprom::store(std::size_t address, std::uint8_t value) {
    state_.settings[key(address)] = byte_text(value);
}

void I2cEeprom::fill_all(bool only_unset) {
    const std::uint8_t fill = fill_value();
    for (std::size_t a = 0; a < kSize; ++a) {
        if (!only_unset || !state_.setting(key(a))) {
            store(a, fill);
        }
    }
}

void I2cEeprom::set_pointer(std::uint8_t address) {
    pointer_ = address;
    publish_pointer();
}

std::uint8_t I2cEeprom::read() {
    const std::uint8_t value = byte(pointer_);
    ++pointer_;  // wraps at 256
    publish_pointer();
    return value;
}

void I2cEeprom::write(ByteView data) {
    for (std::uint8_t value : data) {
        store(pointer_, value);
        ++pointer_;
    }
    publish_pointer();
    save();
}

void I2cEeprom::publish_pointer() {
    state_.settings[prefix_ + ".pointer"] = byte_text(pointer_);
}

void I2cEeprom::load(const std::string& path) {
    const std::uint8_t fill = fill_value();
    auto fill_because = [&](const std::string& why, bool error) {
        if (error) {
            counters().bump(prefix_ + ".file_errors");
        }
        logf(error ? LogLevel::warn : LogLevel::info, "%s file %s: %s; every byte is %s",
             prefix_.c_str(), path.c_str(), why.c_str(), byte_text(fill).c_str());
        for (std::size_t a = 0; a < kSize; ++a) {
            store(a, fill);
        }
    };
    pcc::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
        const int err = errno;
        if (err == ENOENT) {
            fill_because("not there yet (the guest's first write creates it)", false);
        } else {
            fill_because(pcc::errno_text(err), true);
        }
        return;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        fill_because("not a regular file", true);
        return;
    }
    Bytes image(kSize + 1);
    std::size_t got = 0;
    while (got < image.size()) {
        const ssize_t n = ::read(fd.get(), image.data() + got, image.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fill_because(pcc::errno_text(), true);
            return;
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    if (got != kSize) {
        counters().bump(prefix_ + ".file_errors");
        logf(LogLevel::warn,
             "%s file %s: %s 256 bytes; %s (the next write makes it 256 bytes long)",
             prefix_.c_str(), path.c_str(), got > kSize ? "longer than" : "shorter than",
             got > kSize ? "the first 256 are used" : "the rest is the fill value");
    }
    for (std::size_t a = 0; a < kSize; ++a) {
        store(a, a < got ? image[a] : fill);
    }
    logf(LogLevel::info, "%s: loaded %s", prefix_.c_str(), path.c_str());
}

void I2cEeprom::save() {
    const auto path = state_.setting(prefix_ + ".file");
    if (!path) {
        return;
    }
    auto failed = [&](const std::string& why) {
        counters().bump(prefix_ + ".file_errors");
        logf(LogLevel::warn, "%s file %s not written: %s", prefix_.c_str(), path->c_str(),
             why.c_str());
    };
    pcc::UniqueFd fd(
        ::open(path->c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
    if (!fd) {
        failed(pcc::errno_text());
        return;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        failed("not a regular file");
        return;
    }
    Bytes image(kSize);
    for (std::size_t a = 0; a < kSize; ++a) {
        image[a] = byte(a);
    }
    std::size_t done = 0;
    while (done < image.size()) {
        const ssize_t n =
            ::pwrite(fd.get(), image.data() + done, image.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            failed(pcc::errno_text());
            return;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::ftruncate(fd.get(), static_cast<off_t>(kSize)) != 0) {
        failed(pcc::errno_text());
    }
}

}  // namespace pccd
