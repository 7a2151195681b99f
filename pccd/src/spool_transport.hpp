// SPDX-License-Identifier: GPL-2.0-or-later
// Spool transport (qemu/docs/system/devices/pcc.rst): requests are files in
// <spool>/outbox/, answers and notifications files in <spool>/inbox/, and
// <spool>/device is QEMU's device description (read at start-up and whenever
// QEMU writes it, watched with inotify on the spool directory). Requests go
// through the Responder; an answer's name carries -r<request sequence>.
//
// Restart safety (docs/pccd.md, "Spool restart safety"): pccd keeps a
// journal in <spool>/pccd/. Answering request R with answer A is
//   1. write A into inbox/tmp/A                 (invisible to QEMU)
//   2. rename outbox/R -> pccd/claimed/R@A       (the commit point)
//   3. rename inbox/tmp/A -> inbox/A             (publish, no replace)
//   4. unlink pccd/claimed/R@A
// On start-up every claimed entry is finished (step 3 if inbox/tmp/A is still
// there, then step 4) and other files in inbox/tmp are removed: their request
// is still in the outbox and gets answered again. A crash at any point thus
// neither loses a request nor answers one twice, whether or not QEMU has
// consumed A already.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "event_loop.hpp"
#include "responder.hpp"
#include "spool_files.hpp"
#include "spool_name.hpp"
#include "transport.hpp"
#include "unique_fd.hpp"

namespace pccd {

class SpoolTransport final : public Transport {
  public:
    // Creates the spool directories (0700) if needed, refuses symlinks,
    // finishes what a previous run left in the journal, reads the device
    // description and starts watching. Call scan() to handle the backlog.
    static Result<std::unique_ptr<SpoolTransport>> open(const std::string& dir,
                                                        Responder& responder, EventLoop& loop);
    SpoolTransport(std::string dir, Responder& responder, EventLoop& loop);
    ~SpoolTransport() override;
    SpoolTransport(const SpoolTransport&) = delete;
    SpoolTransport& operator=(const SpoolTransport&) = delete;

    // Handles every request now in the outbox, in name order.
    void scan();
    // (Re-)reads <spool>/device; a missing file is no error.
    void read_device();

    const std::string& name() const override { return name_; }
    void send_notification(unsigned channel, Layout layout, Bytes message) override;
    bool has_seen(unsigned channel) const override { return channels_seen_.count(channel) != 0; }

    // Tests: simulate a crash right after commit step `step` (1-3): the
    // remaining steps are skipped.
    void crash_after_step_for_test(int step) { crash_after_step_ = step; }

  private:
    Result<bool> open_dirs();
    Result<bool> watch();
    void recover();
    void handle_file(const std::string& file);
    void commit(const std::string& file, const SpoolName& request,
                const std::optional<Bytes>& answer);
    void quarantine(const std::string& file, const std::string& reason);
    bool write_tmp(const std::string& file, ByteView bytes);
    bool publish(const std::string& file);
    void on_inotify();

    std::string dir_;
    std::string name_;
    Responder& responder_;
    EventLoop& loop_;
    pcc::UniqueFd root_, outbox_, inbox_, inbox_tmp_, journal_, claimed_, rejected_, inotify_;
    int root_watch_ = -1;
    SpoolSequencer sequencer_;
    std::set<std::string> delayed_;  // requests whose answer is still to come
    std::set<unsigned> channels_seen_;
    int crash_after_step_ = 0;
    bool scanning_ = false;
};

}  // namespace pccd
