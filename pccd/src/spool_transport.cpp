// SPDX-License-Identifier: GPL-2.0-or-later
#include "spool_transport.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "log.hpp"

namespace pccd {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

// mkdirat (0700, existing is fine) + open without following a symlink.
Result<UniqueFd> open_subdir(int parent, const std::string& parent_path, const char* name) {
    const std::string path = parent_path + "/" + name;
    if (::mkdirat(parent, name, 0700) != 0 && errno != EEXIST) {
        return fail(path + ": mkdir: " + errno_text());
    }
    UniqueFd fd(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        if (errno == ELOOP || errno == ENOTDIR) {
            return fail(path + ": is a symlink or not a directory; refusing it");
        }
        return fail(path + ": " + errno_text());
    }
    return fd;
}

bool rename_noreplace(int from_dir, const std::string& from, int to_dir, const std::string& to) {
    return ::renameat2(from_dir, from.c_str(), to_dir, to.c_str(), RENAME_NOREPLACE) == 0;
}

}  // namespace

std::vector<DirEntry> list_directory(int dir_fd) {
    std::vector<DirEntry> entries;
    const int copy = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (copy < 0) {
        return entries;
    }
    DIR* dir = ::fdopendir(copy);
    if (dir == nullptr) {
        ::close(copy);
        return entries;
    }
    while (dirent* d = ::readdir(dir)) {
        const std::string name = d->d_name;
        if (name == "." || name == "..") {
            continue;
        }
        DirEntry e;
        e.name = name;
        unsigned char type = d->d_type;
        if (type == DT_UNKNOWN) {
            struct stat st {};
            if (::fstatat(dir_fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                type = S_ISREG(st.st_mode)   ? DT_REG
                       : S_ISDIR(st.st_mode) ? DT_DIR
                       : S_ISLNK(st.st_mode) ? DT_LNK
                                             : DT_UNKNOWN;
            }
        }
        e.regular = type == DT_REG;
        e.directory = type == DT_DIR;
        e.symlink = type == DT_LNK;
        entries.push_back(std::move(e));
    }
    ::closedir(dir);
    std::sort(entries.begin(), entries.end(),
              [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    return entries;
}

SpoolTransport::SpoolTransport(std::string dir, Engine& engine, EventLoop& loop)
    : dir_(std::move(dir)), name_("spool:" + dir_), engine_(engine), loop_(loop) {}

SpoolTransport::~SpoolTransport() {
    for (auto id : timers_) {
        loop_.cancel_timer(id);
    }
    if (inotify_) {
        loop_.remove_fd(inotify_.get());
    }
}

Result<std::unique_ptr<SpoolTransport>> SpoolTransport::open(const std::string& dir, Engine& engine,
                                                             EventLoop& loop) {
    auto spool = std::make_unique<SpoolTransport>(dir, engine, loop);
    if (auto opened = spool->open_dirs(); !opened) {
        return fail(opened.error());
    }
    spool->recover();
    SpoolTransport* self = spool.get();
    loop.add_fd(spool->inotify_.get(), EPOLLIN, [self](std::uint32_t) {
        self->drain_inotify();
        self->scan();
    });
    return spool;
}

Result<bool> SpoolTransport::open_dirs() {
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
        return fail(dir_ + ": mkdir: " + errno_text());
    }
    root_.reset(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!root_) {
        if (errno == ELOOP || errno == ENOTDIR) {
            return fail(dir_ + ": is a symlink or not a directory; refusing it");
        }
        return fail(dir_ + ": " + errno_text());
    }
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

    inotify_.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!inotify_) {
        return fail("inotify_init1: " + errno_text());
    }
    // Watch the directory already opened (and checked) through its fd.
    const std::string via_fd = "/proc/self/fd/" + std::to_string(outbox_.get());
    if (::inotify_add_watch(inotify_.get(), via_fd.c_str(),
                            IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR) < 0) {
        return fail(dir_ + "/outbox: inotify_add_watch: " + errno_text());
    }
    return true;
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

void SpoolTransport::drain_inotify() {
    alignas(inotify_event) char buf[4096];
    while (::read(inotify_.get(), buf, sizeof buf) > 0) {
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
    UniqueFd fd(
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
    Outcome outcome = engine_.handle_request(parsed->channel, parsed->layout, bytes, name_);
    if (!outcome.rejected.empty()) {
        quarantine(file, outcome.rejected);
        return;
    }
    if (outcome.delay_ms > 0) {
        delayed_.insert(file);
        const SpoolName request = *parsed;
        auto answer = std::make_shared<std::optional<Bytes>>(std::move(outcome.answer));
        auto id = std::make_shared<EventLoop::TimerId>(0);
        *id = loop_.add_timer(
            std::chrono::milliseconds(outcome.delay_ms), [this, file, request, answer, id] {
                timers_.erase(std::remove(timers_.begin(), timers_.end(), *id), timers_.end());
                delayed_.erase(file);
                commit(file, request, *answer);
            });
        timers_.push_back(*id);
        return;
    }
    commit(file, *parsed, outcome.answer);
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
    engine_.record_sent(request.channel, request.layout, MessageKind::response, *answer,
                        name_ + " " + answer_file);
    if (crash_after_step_ == 3) {
        return;
    }
    // 4. forget
    ::unlinkat(claimed_.get(), claim.c_str(), 0);
}

bool SpoolTransport::write_tmp(const std::string& file, ByteView bytes) {
    UniqueFd fd(::openat(inbox_tmp_.get(), file.c_str(),
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
    engine_.record_sent(channel, layout, MessageKind::notification, message, name_ + " " + file);
}

void SpoolTransport::quarantine(const std::string& file, const std::string& reason) {
    reject("spool_file", dir_ + "/outbox/" + file, reason + "; moved to pccd/rejected/");
    if (::renameat(outbox_.get(), file.c_str(), rejected_.get(), file.c_str()) != 0) {
        // Cannot move it: remove it so it is not reported again and again.
        ::unlinkat(outbox_.get(), file.c_str(), 0);
    }
}

Result<std::string> write_spool_notification(const std::string& spool, unsigned channel,
                                             Layout layout, ByteView bytes) {
    UniqueFd root(::open(spool.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!root) {
        return fail(spool + ": " + errno_text());
    }
    auto inbox = open_subdir(root.get(), spool, "inbox");
    if (!inbox) {
        return fail(inbox.error());
    }
    auto tmp = open_subdir(inbox->get(), spool + "/inbox", "tmp");
    if (!tmp) {
        return fail(tmp.error());
    }
    SpoolSequencer sequencer;
    for (const DirEntry& e : list_directory(inbox->get())) {
        if (auto parsed = parse_spool_name(e.name)) {
            sequencer.observe(parsed->sequence);
        }
    }
    const std::string file =
        format_spool_name({sequencer.next(), channel, MessageKind::notification, layout});
    UniqueFd fd(::openat(tmp->get(), file.c_str(),
                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) {
        return fail(spool + "/inbox/tmp/" + file + ": " + errno_text());
    }
    if (::write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
        ::unlinkat(tmp->get(), file.c_str(), 0);
        return fail(spool + "/inbox/tmp/" + file + ": short write");
    }
    fd.reset();
    if (!rename_noreplace(tmp->get(), file, inbox->get(), file)) {
        ::unlinkat(tmp->get(), file.c_str(), 0);
        return fail(spool + "/inbox/" + file + ": " + errno_text());
    }
    return file;
}

}  // namespace pccd
