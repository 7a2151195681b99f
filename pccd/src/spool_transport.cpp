// SPDX-License-Identifier: GPL-2.0-or-later
#include "spool_transport.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "device_description.hpp"
#include "log.hpp"
#include "text.hpp"

namespace pccd {

using pcc::errno_text;
using pcc::UniqueFd;

SpoolTransport::SpoolTransport(std::string dir, Responder& responder, EventLoop& loop)
    : dir_(std::move(dir)), name_("spool:" + dir_), responder_(responder), loop_(loop) {}

SpoolTransport::~SpoolTransport() {
    responder_.cancel(this);
    if (inotify_) {
        loop_.remove_fd(inotify_.get());
    }
}

Result<std::unique_ptr<SpoolTransport>> SpoolTransport::open(const std::string& dir,
                                                             Responder& responder,
                                                             EventLoop& loop) {
    auto spool = std::make_unique<SpoolTransport>(dir, responder, loop);
    if (auto opened = spool->open_dirs(); !opened) {
        return fail(opened.error());
    }
    if (auto watched = spool->watch(); !watched) {
        return fail(watched.error());
    }
    spool->recover();
    spool->read_device();
    SpoolTransport* self = spool.get();
    loop.add_fd(spool->inotify_.get(), EPOLLIN, [self](std::uint32_t) { self->on_inotify(); });
    return spool;
}

Result<bool> SpoolTransport::open_dirs() {
    auto root = open_spool_root(dir_, true);
    if (!root) {
        return fail(root.error());
    }
    root_ = std::move(*root);
    auto outbox = open_subdir(root_.get(), dir_, "outbox");
    if (!outbox) {
        return fail(outbox.error());
    }
    outbox_ = std::move(*outbox);
    if (auto tmp = open_subdir(outbox_.get(), dir_ + "/outbox", "tmp"); !tmp) {
        return fail(tmp.error());
    }
    auto inbox = open_subdir(root_.get(), dir_, "inbox");
    if (!inbox) {
        return fail(inbox.error());
    }
    inbox_ = std::move(*inbox);
    auto inbox_tmp = open_subdir(inbox_.get(), dir_ + "/inbox", "tmp");
    if (!inbox_tmp) {
        return fail(inbox_tmp.error());
    }
    inbox_tmp_ = std::move(*inbox_tmp);
    auto journal = open_subdir(root_.get(), dir_, "pccd");
    if (!journal) {
        return fail(journal.error());
    }
    journal_ = std::move(*journal);
    auto claimed = open_subdir(journal_.get(), dir_ + "/pccd", "claimed");
    if (!claimed) {
        return fail(claimed.error());
    }
    claimed_ = std::move(*claimed);
    auto rejected = open_subdir(journal_.get(), dir_ + "/pccd", "rejected");
    if (!rejected) {
        return fail(rejected.error());
    }
    rejected_ = std::move(*rejected);
    return true;
}

Result<bool> SpoolTransport::watch() {
    inotify_.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!inotify_) {
        return fail("inotify_init1: " + errno_text());
    }
    // Watch the directories already opened (and checked) through their fds:
    // the outbox for requests, the spool itself for the device description.
    const std::string outbox = "/proc/self/fd/" + std::to_string(outbox_.get());
    if (::inotify_add_watch(inotify_.get(), outbox.c_str(),
                            IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR) < 0) {
        return fail(dir_ + "/outbox: inotify_add_watch: " + errno_text());
    }
    const std::string root = "/proc/self/fd/" + std::to_string(root_.get());
    root_watch_ = ::inotify_add_watch(inotify_.get(), root.c_str(),
                                      IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
    if (root_watch_ < 0) {
        return fail(dir_ + ": inotify_add_watch: " + errno_text());
    }
    return true;
}

void SpoolTransport::on_inotify() {
    bool device = false;
    bool outbox = false;
    alignas(inotify_event) char buf[4096];
    for (;;) {
        const ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        for (ssize_t off = 0; off + static_cast<ssize_t>(sizeof(inotify_event)) <= n;) {
            const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
            if ((ev->mask & IN_Q_OVERFLOW) != 0) {
                device = outbox = true;
            } else if (ev->wd == root_watch_) {
                device = device || (ev->len > 0 && std::string_view(ev->name) == kDeviceFile);
            } else {
                outbox = true;
            }
            off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        }
    }
    if (device) {
        read_device();  // before the requests it describes
    }
    if (outbox) {
        scan();
    }
}

void SpoolTransport::read_device() {
    auto text = read_small_file(root_.get(), kDeviceFile, kMaxDescriptionSize);
    const std::string origin = name_ + "/" + kDeviceFile;
    if (!text) {
        reject("device_description", origin, text.error());
        return;
    }
    if (!*text) {
        logf(LogLevel::debug, "%s: no device description (yet)", name_.c_str());
        return;
    }
    if (auto channel = responder_.engine().bindings().load_description(**text, origin)) {
        channels_seen_.insert(*channel);
    }
}

void SpoolTransport::recover() {
    for (const DirEntry& e : list_directory(claimed_.get())) {
        const auto at = e.name.rfind('@');
        if (at == std::string::npos) {
            ::unlinkat(claimed_.get(), e.name.c_str(), 0);
            continue;
        }
        const std::string answer = e.name.substr(at + 1);
        if (auto parsed = parse_spool_name(answer)) {
            sequencer_.observe(parsed->sequence);
        }
        if (::faccessat(inbox_tmp_.get(), answer.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
            if (publish(answer)) {
                counters().bump("spool.recovered_answers");
                logf(LogLevel::info, "%s: published answer %s left by an interrupted run",
                     name_.c_str(), answer.c_str());
            }
        }
        ::unlinkat(claimed_.get(), e.name.c_str(), 0);
    }
    // Anything else in inbox/tmp was written before its commit point: its
    // request is still in the outbox and will be answered again.
    for (const DirEntry& e : list_directory(inbox_tmp_.get())) {
        if (e.regular && parse_spool_name(e.name)) {
            ::unlinkat(inbox_tmp_.get(), e.name.c_str(), 0);
            counters().bump("spool.uncommitted_answers_removed");
        }
    }
    for (const DirEntry& e : list_directory(inbox_.get())) {
        if (auto parsed = parse_spool_name(e.name)) {
            sequencer_.observe(parsed->sequence);
        }
    }
}

void SpoolTransport::scan() {
    if (scanning_) {
        return;
    }
    scanning_ = true;
    for (const DirEntry& e : list_directory(outbox_.get())) {
        if (e.name.empty() || e.name[0] == '.' || (e.directory && e.name == "tmp")) {
            continue;
        }
        if (delayed_.count(e.name)) {
            continue;
        }
        if (e.symlink) {
            quarantine(e.name, "is a symlink");
        } else if (!e.regular) {
            quarantine(e.name, "is not a regular file");
        } else {
            handle_file(e.name);
        }
    }
    scanning_ = false;
}

void SpoolTransport::handle_file(const std::string& file) {
    auto parsed = parse_spool_name(file);
    if (!parsed) {
        quarantine(file, "name is not <20 digits>-c<3 digits>-<kind>.<layout>");
        return;
    }
    if (parsed->kind != MessageKind::request) {
        quarantine(file, std::string("kind '") + kind_name(parsed->kind) +
                             "' in the outbox (only req belongs there)");
        return;
    }
    if (parsed->channel > kMaxChannel) {
        quarantine(file, "unknown channel " + std::to_string(parsed->channel));
        return;
    }
    pcc::UniqueFd fd(
        ::openat(outbox_.get(), file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) {
            return;  // already gone
        }
        quarantine(file, "open: " + errno_text());
        return;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        quarantine(file, "is not a regular file");
        return;
    }
    if (static_cast<std::size_t>(st.st_size) > kMaxMessageSize) {
        quarantine(file, std::to_string(st.st_size) + " bytes, over the " +
                             std::to_string(kMaxMessageSize) + "-byte limit");
        return;
    }
    Bytes bytes(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    bytes.resize(done);
    fd.reset();

    channels_seen_.insert(parsed->channel);
    const SpoolName request = *parsed;
    auto submitted = responder_.submit(this, request.channel, request.layout, bytes, name_,
                                       [this, file, request](std::optional<Bytes> answer) {
                                           delayed_.erase(file);
                                           commit(file, request, answer);
                                       });
    if (submitted.status == Responder::Status::rejected) {
        quarantine(file, submitted.reason);
    } else if (submitted.status == Responder::Status::delayed) {
        delayed_.insert(file);  // stays in the outbox; rescans skip it
    }
}

void SpoolTransport::commit(const std::string& file, const SpoolName& request,
                            const std::optional<Bytes>& answer) {
    if (!answer) {
        ::unlinkat(outbox_.get(), file.c_str(), 0);
        counters().bump("spool.unanswered");
        return;
    }
    SpoolName answer_name;
    answer_name.sequence = sequencer_.next();
    answer_name.channel = request.channel;
    answer_name.kind = MessageKind::response;
    answer_name.layout = request.layout;
    answer_name.request = request.sequence;  // -r<request>: the answer names its request
    const std::string answer_file = format_spool_name(answer_name);
    const std::string claim = file + "@" + answer_file;
    // 1. prepare
    if (!write_tmp(answer_file, *answer)) {
        return;  // the request stays; retried on the next outbox event
    }
    if (crash_after_step_ == 1) {
        return;
    }
    // 2. commit
    if (::renameat(outbox_.get(), file.c_str(), claimed_.get(), claim.c_str()) != 0) {
        logf(LogLevel::error, "%s: cannot claim %s: %s; answer withdrawn", name_.c_str(),
             file.c_str(), errno_text().c_str());
        ::unlinkat(inbox_tmp_.get(), answer_file.c_str(), 0);
        return;
    }
    if (crash_after_step_ == 2) {
        return;
    }
    // 3. publish
    if (!publish(answer_file)) {
        return;  // stays claimed; the next start-up retries
    }
    responder_.engine().record_sent(request.channel, request.layout, MessageKind::response, *answer,
                                    name_ + " " + answer_file);
    if (crash_after_step_ == 3) {
        return;
    }
    // 4. forget
    ::unlinkat(claimed_.get(), claim.c_str(), 0);
}

bool SpoolTransport::write_tmp(const std::string& file, ByteView bytes) {
    pcc::UniqueFd fd(::openat(inbox_tmp_.get(), file.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) {
        logf(LogLevel::error, "%s: cannot create inbox/tmp/%s: %s", name_.c_str(), file.c_str(),
             errno_text().c_str());
        counters().bump("spool.write_errors");
        return false;
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            logf(LogLevel::error, "%s: cannot write inbox/tmp/%s: %s", name_.c_str(), file.c_str(),
                 errno_text().c_str());
            counters().bump("spool.write_errors");
            ::unlinkat(inbox_tmp_.get(), file.c_str(), 0);
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool SpoolTransport::publish(const std::string& file) {
    if (!rename_noreplace(inbox_tmp_.get(), file, inbox_.get(), file)) {
        logf(LogLevel::error, "%s: cannot move inbox/tmp/%s into inbox/: %s", name_.c_str(),
             file.c_str(), errno_text().c_str());
        counters().bump("spool.write_errors");
        return false;
    }
    return true;
}

void SpoolTransport::send_notification(unsigned channel, Layout layout, Bytes message) {
    SpoolName n;
    n.sequence = sequencer_.next();
    n.channel = channel;
    n.kind = MessageKind::notification;
    n.layout = layout;
    const std::string file = format_spool_name(n);
    if (!write_tmp(file, message)) {
        return;
    }
    if (!publish(file)) {
        ::unlinkat(inbox_tmp_.get(), file.c_str(), 0);
        return;
    }
    responder_.engine().record_sent(channel, layout, MessageKind::notification, message,
                                    name_ + " " + file);
}

void SpoolTransport::quarantine(const std::string& file, const std::string& reason) {
    reject("spool_file", dir_ + "/outbox/" + file, reason + "; moved to pccd/rejected/");
    if (::renameat(outbox_.get(), file.c_str(), rejected_.get(), file.c_str()) != 0) {
        // Cannot move it: remove it so it is not reported again and again.
        ::unlinkat(outbox_.get(), file.c_str(), 0);
    }
}

}  // namespace pccd
