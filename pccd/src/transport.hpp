// SPDX-License-Identifier: GPL-2.0-or-later
// What the daemon needs from a transport besides feeding the responder.
#pragma once

#include <string>

#include "bytes.hpp"
#include "pcc_message.hpp"

namespace pccd {

class Transport {
  public:
    virtual ~Transport() = default;
    virtual const std::string& name() const = 0;
    // An unsolicited message (notification) for the guest.
    virtual void send_notification(unsigned channel, Layout layout, Bytes message) = 0;
    // Whether a request or a device description for `channel` has come
    // through this transport.
    virtual bool has_seen(unsigned channel) const = 0;
};

}  // namespace pccd
