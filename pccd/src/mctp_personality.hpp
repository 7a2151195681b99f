// SPDX-License-Identifier: GPL-2.0-or-later
// The MCTP over PCC personality's own extension point: MCTP message types.
// A handler for a message type is a class plus one MctpTypeRegistrar in its
// own file (mctp_control_personality.cpp, pldm_personality.cpp); the MCTP
// personality makes one of each per channel and hands it the messages of its
// type once the transport header has been checked.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "bytes.hpp"
#include "mctp.hpp"
#include "message.hpp"
#include "personality.hpp"

namespace pccd {

class MctpTypeHandler {
  public:
    explicit MctpTypeHandler(ChannelContext& context) : context_(context) {}
    virtual ~MctpTypeHandler() = default;
    MctpTypeHandler(const MctpTypeHandler&) = delete;
    MctpTypeHandler& operator=(const MctpTypeHandler&) = delete;

    // Fills request/instance/command/completion (and subtype) from the MCTP
    // message (type byte first); `fields.type` is already set.
    virtual void decode(ByteView message, MessageFields& fields) const;
    // The name of fields.command for the log line, or nullptr.
    virtual const char* command_name(const MessageFields& fields) const;
    // The log line's part after "type=N(NAME)": by default " rq iid=N
    // cmd=0xNN(NAME) cc=0xNN", as far as the fields are set.
    virtual std::string describe(const MessageFields& fields) const;
    // The MCTP message of the answer (type byte first), or nullopt. The
    // request's MCTP message is m.body().
    virtual std::optional<Bytes> answer(const DecodedMessage& m) = 0;
    // A rule's `error CODE`: the response with completion code CODE, or
    // nullopt when the type has no completion code.
    virtual std::optional<Bytes> error_response(ByteView message, std::uint8_t code) const;

  protected:
    ChannelContext& context() const { return context_; }

  private:
    ChannelContext& context_;
};

struct MctpTypeEntry {
    std::string name;
    std::function<std::unique_ptr<MctpTypeHandler>(ChannelContext&)> make;
};
std::map<std::uint8_t, MctpTypeEntry>& mctp_type_registry();

template <class T>
struct MctpTypeRegistrar {
    MctpTypeRegistrar(std::uint8_t type, const char* name) {
        mctp_type_registry()[type] = {name,
                                      [](ChannelContext& c) { return std::make_unique<T>(c); }};
    }
};

}  // namespace pccd
