// SPDX-License-Identifier: GPL-2.0-or-later
// The raw scenarios' byte-for-byte check (scenario key `pcap = FILE`,
// docs/lab.md "The raw scenarios"): every message the guest wrote to and
// read from /dev/pcc-raw-N (its PCC-INFO raw-pcap lines, raw_model.hpp)
// against what pccd's echo personality recorded in its --pcap file, per
// channel and in order, compared by FNV-1a 64 digests of the same bytes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outcome.hpp"

namespace lab {

// One packet of a pcapng file with LINKTYPE_LINUX_SLL2: the SLL2 header's
// protocol, interface index and packet type, and the bytes after it.
struct CapturedMessage {
    std::uint16_t protocol = 0;
    std::uint32_t ifindex = 0;
    bool outgoing = false;  // packet type 4 (pccd sent it), else received
    std::vector<std::uint8_t> bytes;
    std::string comment;  // the packet's opt_comment (pccd: its decoded log line), "" if none
};

// Reads a pcapng file (little-endian sections; every interface SLL2).
// Throws std::runtime_error naming what is wrong.
std::vector<CapturedMessage> parse_pcapng(std::string_view file);

// What the guest reported of one message: "cC in|out LEN FROM FNV" or
// "cC out-unseen".
struct GuestMessage {
    unsigned channel = 0;
    bool to_platform = false;
    bool unseen = false;  // an answer the guest could not read
    std::size_t length = 0, from = 0;
    std::string fnv;
};
// nullopt for a line that is not one.
std::optional<GuestMessage> parse_guest_message(std::string_view text);

// Collects the raw-pcap lines of a console.
class PcapExpectations {
  public:
    // A console line; keeps it if it carries "PCC-INFO raw-pcap ".
    void feed(std::string_view line);
    const std::map<unsigned, std::vector<GuestMessage>>& channels() const { return channels_; }
    std::size_t malformed() const { return malformed_; }

  private:
    std::map<unsigned, std::vector<GuestMessage>> channels_;
    std::size_t malformed_ = 0;
};

// The results pcap-cC (one per channel the guest reported) and, when the
// file cannot be read, one result `pcap`. Only the echo's packets (protocol
// 0x88b5) count.
std::vector<Result> check_pcap(const PcapExpectations& guest, const std::string& pcap_path);
std::vector<Result> check_pcap(const PcapExpectations& guest,
                               const std::vector<CapturedMessage>& captured);

}  // namespace lab
