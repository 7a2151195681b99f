// SPDX-License-Identifier: GPL-2.0-or-later
#include "mctp.hpp"

#include <cstdio>

namespace lab::mctp {
namespace {

template <typename T>
std::optional<T> fail(std::string* error, std::string why) {
    if (error) {
        *error = std::move(why);
    }
    return std::nullopt;
}

std::string hex8(unsigned v) {
    char b[8];
    std::snprintf(b, sizeof(b), "0x%02x", v & 0xffu);
    return b;
}

}  // namespace

std::string hex_bytes(std::span<const std::uint8_t> b) {
    std::string s;
    for (auto x : b) {
        char t[4];
        std::snprintf(t, sizeof(t), "%02x", x);
        s += (s.empty() ? "" : " ") + std::string(t);
    }
    return s;
}

namespace {

// A request: Rq=1 + instance, the other header bytes, the data.
Bytes request(std::uint8_t instance, std::initializer_list<std::uint8_t> header,
              std::span<const std::uint8_t> data) {
    // (push_back rather than insert: GCC 12 -Warray-bounds misfires on it)
    Bytes m;
    m.reserve(1 + header.size() + data.size());
    m.push_back(static_cast<std::uint8_t>(0x80 | (instance & 0x1f)));
    for (auto b : header) {
        m.push_back(b);
    }
    for (auto b : data) {
        m.push_back(b);
    }
    return m;
}

}  // namespace

Bytes control_request(std::uint8_t instance, std::uint8_t command,
                      std::span<const std::uint8_t> data) {
    return request(instance, {command}, data);
}

std::optional<ControlResponse> parse_control_response(std::span<const std::uint8_t> msg,
                                                      std::uint8_t instance, std::uint8_t command,
                                                      std::string* error) {
    if (msg.size() < 3) {
        return fail<ControlResponse>(error, "control response of " + std::to_string(msg.size()) +
                                                " byte(s), needs at least 3: " + hex_bytes(msg));
    }
    ControlResponse r;
    r.instance = msg[0] & 0x1f;
    r.command = msg[1];
    r.completion = msg[2];
    r.data.assign(msg.begin() + 3, msg.end());
    if (msg[0] & 0x80) {
        return fail<ControlResponse>(error,
                                     "Rq bit set: a request, not a response: " + hex_bytes(msg));
    }
    if (r.command != command) {
        return fail<ControlResponse>(
            error, "answers command " + hex8(r.command) + ", asked " + hex8(command));
    }
    if (r.instance != (instance & 0x1f)) {
        return fail<ControlResponse>(error, "instance ID " + std::to_string(r.instance) +
                                                ", asked " + std::to_string(instance & 0x1f));
    }
    return r;
}

std::optional<EndpointId> parse_get_endpoint_id(const ControlResponse& r, std::string* error) {
    if (r.completion != 0) {
        return fail<EndpointId>(error, "completion code " + hex8(r.completion));
    }
    if (r.data.size() < 3) {
        return fail<EndpointId>(error, "Get Endpoint ID data of " + std::to_string(r.data.size()) +
                                           " byte(s), expected 3");
    }
    EndpointId e;
    e.eid = r.data[0];
    e.endpoint_type = (r.data[1] >> 4) & 0x3;
    e.eid_type = r.data[1] & 0x3;
    return e;
}

std::optional<std::vector<std::uint32_t>> parse_version_support(const ControlResponse& r,
                                                                std::string* error) {
    using V = std::vector<std::uint32_t>;
    if (r.completion != 0) {
        return fail<V>(error, "completion code " + hex8(r.completion));
    }
    if (r.data.empty()) {
        return fail<V>(error, "no version entry count");
    }
    const std::size_t n = r.data[0];
    if (n == 0 || r.data.size() != 1 + 4 * n) {
        return fail<V>(error, std::to_string(n) + " version entries announced in " +
                                  std::to_string(r.data.size()) + " byte(s) of data");
    }
    V out;
    for (std::size_t i = 0; i < n; ++i) {
        const auto* p = &r.data[1 + 4 * i];
        out.push_back(std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 |
                      std::uint32_t{p[2]} << 8 | p[3]);
    }
    return out;
}

std::string version_text(std::uint32_t entry) {
    auto bcd = [](unsigned byte) { return std::to_string(byte & 0x0f); };
    std::string s = bcd(entry >> 24) + "." + bcd(entry >> 16);
    if (((entry >> 8) & 0xff) != 0xff) {
        s += "." + bcd(entry >> 8);
    }
    if ((entry & 0xff) != 0) {
        s += static_cast<char>(entry & 0xff);
    }
    return s;
}

std::optional<Bytes> parse_message_types(const ControlResponse& r, std::string* error) {
    if (r.completion != 0) {
        return fail<Bytes>(error, "completion code " + hex8(r.completion));
    }
    if (r.data.empty() || r.data.size() != 1u + r.data[0]) {
        return fail<Bytes>(error,
                           "message type count does not match the data: " + hex_bytes(r.data));
    }
    return Bytes(r.data.begin() + 1, r.data.end());
}

Bytes pldm_request(std::uint8_t instance, std::uint8_t pldm_type, std::uint8_t command,
                   std::span<const std::uint8_t> data) {
    return request(instance, {static_cast<std::uint8_t>(pldm_type & 0x3f), command}, data);
}

std::optional<PldmResponse> parse_pldm_response(std::span<const std::uint8_t> msg,
                                                std::uint8_t instance, std::uint8_t pldm_type,
                                                std::uint8_t command, std::string* error) {
    if (msg.size() < 4) {
        return fail<PldmResponse>(error, "PLDM response of " + std::to_string(msg.size()) +
                                             " byte(s), needs at least 4: " + hex_bytes(msg));
    }
    PldmResponse r;
    r.instance = msg[0] & 0x1f;
    r.pldm_type = msg[1] & 0x3f;
    r.command = msg[2];
    r.completion = msg[3];
    r.data.assign(msg.begin() + 4, msg.end());
    if (msg[0] & 0x80) {
        return fail<PldmResponse>(error,
                                  "Rq bit set: a request, not a response: " + hex_bytes(msg));
    }
    if ((msg[1] >> 6) != 0) {
        return fail<PldmResponse>(
            error, "PLDM header version " + std::to_string(msg[1] >> 6) + ", expected 0");
    }
    if (r.pldm_type != pldm_type || r.command != command) {
        return fail<PldmResponse>(error, "answers PLDM type " + std::to_string(r.pldm_type) +
                                             " command " + hex8(r.command) + ", asked type " +
                                             std::to_string(pldm_type) + " command " +
                                             hex8(command));
    }
    if (r.instance != (instance & 0x1f)) {
        return fail<PldmResponse>(error, "instance ID " + std::to_string(r.instance) + ", asked " +
                                             std::to_string(instance & 0x1f));
    }
    return r;
}

std::optional<std::vector<unsigned>> parse_pldm_types(const PldmResponse& r, std::string* error) {
    using V = std::vector<unsigned>;
    if (r.completion != 0) {
        return fail<V>(error, "completion code " + hex8(r.completion));
    }
    if (r.data.size() != 8) {
        return fail<V>(error, "GetPLDMTypes data of " + std::to_string(r.data.size()) +
                                  " byte(s), expected 8");
    }
    V out;
    for (unsigned i = 0; i < 64; ++i) {
        if (r.data[i / 8] & (1u << (i % 8))) {
            out.push_back(i);
        }
    }
    return out;
}

}  // namespace lab::mctp
