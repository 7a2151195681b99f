// SPDX-License-Identifier: GPL-2.0-or-later
#include "pcapng.hpp"

#include <fcntl.h>
#include <time.h>

#include <algorithm>
#include <cerrno>

#include "log.hpp"
#include "text.hpp"

namespace pccd {

namespace {

using pcc::pcapng::kBlockEnhancedPacket;
using pcc::pcapng::kBlockInterfaceDescription;
using pcc::pcapng::kBlockSectionHeader;
using pcc::pcapng::kByteOrderMagic;
using pcc::pcapng::kOptionComment;
using pcc::pcapng::kOptionEndOfOptions;

// Type, total length, body, total length again.
Bytes block(std::uint32_t type, ByteView body) {
    const std::uint32_t total = static_cast<std::uint32_t>(12 + body.size());
    Bytes out;
    out.reserve(total);
    append_le32(out, type);
    append_le32(out, total);
    append(out, body);
    append_le32(out, total);
    return out;
}

}  // namespace

Bytes pcapng_section_header() {
    Bytes body;
    append_le32(body, kByteOrderMagic);
    append_le16(body, 1);      // major
    append_le16(body, 0);      // minor
    append_le64(body, ~0ULL);  // section length: not specified
    return block(kBlockSectionHeader, body);
}

Bytes pcapng_interface_description(std::uint16_t linktype, std::uint32_t snaplen) {
    Bytes body;
    append_le16(body, linktype);
    append_le16(body, 0);
    append_le32(body, snaplen);
    return block(kBlockInterfaceDescription, body);
}

Bytes pcapng_enhanced_packet(std::uint32_t interface, std::uint64_t timestamp_us, ByteView data,
                             std::string_view comment) {
    Bytes body;
    append_le32(body, interface);
    append_le32(body, static_cast<std::uint32_t>(timestamp_us >> 32));
    append_le32(body, static_cast<std::uint32_t>(timestamp_us));
    append_le32(body, static_cast<std::uint32_t>(data.size()));  // captured
    append_le32(body, static_cast<std::uint32_t>(data.size()));  // original
    append(body, data);
    body.resize(body.size() + ((4 - data.size() % 4) % 4), 0);
    if (!comment.empty()) {
        const std::size_t n = std::min<std::size_t>(comment.size(), 0xffff);
        append_le16(body, kOptionComment);
        append_le16(body, static_cast<std::uint16_t>(n));
        append(body, ByteView(reinterpret_cast<const std::uint8_t*>(comment.data()), n));
        body.resize(body.size() + ((4 - n % 4) % 4), 0);
        append_le16(body, kOptionEndOfOptions);
        append_le16(body, 0);
    }
    return block(kBlockEnhancedPacket, body);
}

Bytes sll2_header(std::uint16_t protocol, std::uint32_t ifindex, std::uint16_t arphrd,
                  std::uint8_t packet_type) {
    Bytes out;
    append_be16(out, protocol);
    append_be16(out, 0);  // reserved
    append_be32(out, ifindex);
    append_be16(out, arphrd);
    out.push_back(packet_type);
    out.push_back(0);  // link-layer address length: PCC has none
    out.resize(out.size() + 8, 0);
    return out;
}

Result<std::unique_ptr<PcapngWriter>> PcapngWriter::create(const std::string& path) {
    pcc::UniqueFd fd(
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) {
        return fail(path + ": " + pcc::errno_text());
    }
    auto writer = std::make_unique<PcapngWriter>(std::move(fd));
    Bytes head = pcapng_section_header();
    append(head, pcapng_interface_description(kLinktypeLinuxSll2, kPcapSnapLen));
    if (!writer->write_all(head)) {
        return fail(path + ": " + pcc::errno_text());
    }
    return writer;
}

void PcapngWriter::write_packet(unsigned channel, bool outgoing, const CapturedPacket& packet,
                                std::string_view comment) {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    write_packet_at(channel, outgoing, packet,
                    static_cast<std::uint64_t>(ts.tv_sec) * 1000000ULL +
                        static_cast<std::uint64_t>(ts.tv_nsec) / 1000,
                    comment);
}

void PcapngWriter::write_packet_at(unsigned channel, bool outgoing, const CapturedPacket& packet,
                                   std::uint64_t timestamp_us, std::string_view comment) {
    Bytes frame = sll2_header(packet.protocol, channel, packet.arphrd,
                              outgoing ? kPacketOutgoing : kPacketHost);
    append(frame, packet.bytes);
    write_all(pcapng_enhanced_packet(0, timestamp_us, frame, comment));
}

bool PcapngWriter::write_all(ByteView bytes) {
    if (failed_) {
        return false;
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            failed_ = true;
            logf(LogLevel::error, "pcap: write failed (%s); capture stopped",
                 pcc::errno_text().c_str());
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace pccd
