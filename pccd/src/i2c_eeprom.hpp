// SPDX-License-Identifier: GPL-2.0-or-later
// A 256-byte I2C EEPROM like a 24c02, as a target of pccd's I2C buses
// (xgene_slimpro_i2c_personality.cpp). Its bytes are the settings
// `PREFIX.0xNN` (two lowercase hex digits), so `pccd get i2c.eeprom.0x10`
// reads one and `pccd set` pokes one. The contents come from the file named
// by the setting `PREFIX.file`, read at start and whenever it is set, and go
// back to it, whole, after every write (opened with O_NOFOLLOW; a regular
// file, kept at 256 bytes); without a file every byte is `PREFIX.fill`
// (default 0xff).
//
// Like the real part it keeps an address pointer: an access with a register
// byte sets it, every byte read or written advances it, wrapping at 256 (no
// 8-byte write pages). It is mirrored, for reading only, in `PREFIX.pointer`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bytes.hpp"
#include "personality.hpp"
#include "setting_reader.hpp"

namespace pccd {

class I2cEeprom {
  public:
    static constexpr std::size_t kSize = 256;

    // Bad settings are reported through `reader`; file errors are counted
    // in `PREFIX.file_errors`.
    I2cEeprom(PlatformState& state, SettingReader& reader, std::string prefix);

    // At start: the file's contents if a file is set, else the fill value
    // for every byte that is not set yet.
    void start();
    // `pccd set` / a rules file: PREFIX.file loads the file, PREFIX.fill
    // refills an EEPROM without a file.
    void setting_changed(std::string_view key, std::string_view value);

    std::uint8_t pointer() const { return pointer_; }
    void set_pointer(std::uint8_t address);
    // The byte at the pointer; the pointer advances.
    std::uint8_t read();
    // Writes at the pointer, advancing it, then saves the file (if any).
    void write(ByteView data);

    std::uint8_t byte(std::size_t address);
    std::string key(std::size_t address) const;  // "i2c.eeprom.0x1f"

  private:
    std::uint8_t fill_value();
    void fill_all(bool only_unset);
    void store(std::size_t address, std::uint8_t value);
    void load(const std::string& path);
    void save();
    void publish_pointer();

    PlatformState& state_;
    SettingReader& reader_;
    std::string prefix_;
    std::uint8_t pointer_ = 0;
};

}  // namespace pccd
