// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-lab: boots a Debian arm64 guest under qemu-pcc's QEMU with a
// scenario's PCC devices and collects what the guest checked.
// See docs/lab.md.
#include "cpio.hpp"
#include "modules.hpp"
#include "process.hpp"
#include "scenario.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef PCC_SOURCE_ROOT
#error "PCC_SOURCE_ROOT must name the checkout (set by lab/meson.build)"
#endif

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

using namespace lab;

constexpr const char* kUsage = R"(Usage:
  pcc-lab run [SCENARIO|FILE.conf]... [OPTIONS]   boot and check (default: pcc-core xgene-hwmon)
  pcc-lab list                                    the scenarios in lab/scenarios
  pcc-lab prepare                                 fetch artefacts, build guest programs

Options:
  --kernel IMAGE     boot this arm64 Image instead of the pinned Debian kernel
  --modules DIR      its modules tree (lib/modules/VERSION); without it a
                     --kernel run loads no modules
  --qemu PATH        qemu-system-aarch64 (default: build/qemu-system-aarch64)
  --bios PATH        UEFI firmware (default: pinned QEMU_EFI.fd from the cache)
  --pccd PATH        pccd binary (default: build/pccd, else next to pcc-lab)
  --guest-bin DIR    cross-built guest programs (default: lab/build-guest.sh)
  --scenarios DIR    where SCENARIO names are looked up (default: lab/scenarios)
  --timeout SECONDS  override the scenarios' timeout
  --log-dir DIR      logs (default: $QEMU_PCC_CACHE/lab/logs/SCENARIO)
  --keep             keep the run's private temp directory
  --fail-on-skip     a skipped check fails the run
  -q, --quiet        do not stream the guest console to stderr
  -h, --help

Output: the guest console on stderr, TAP and a summary on stdout.
Exit status: 0 no check failed and a scenario passed, 1 a check failed,
2 usage or setup error, 77 every scenario was skipped (e.g. `mctp` on a
kernel without CONFIG_MCTP). A scenario whose required check was skipped
is SKIPPED as a whole.
)";

constexpr std::array<const char*, 2> kDefaultScenarios{"pcc-core", "xgene-hwmon"};

struct Options {
    std::vector<std::string> scenarios;
    std::string kernel, modules, qemu, bios, pccd, guest_bin, scenario_dir, log_dir;
    std::optional<int> timeout;
    bool keep = false, fail_on_skip = false, quiet = false;
};

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Result {
    std::string status;  // ok | fail | skip
    std::string name;
    std::string message;
};

struct ScenarioOutcome {
    std::string name;
    std::vector<Result> results;
    std::string log_dir;
    double initramfs_s = 0, boot_s = 0, total_s = 0;
};

std::string source_root() {
    return PCC_SOURCE_ROOT;
}

std::string cache_root() {
    if (const char* c = std::getenv("QEMU_PCC_CACHE"); c && *c) {
        return c;
    }
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "/tmp") + "/.cache/qemu-pcc";
}

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string fmt_s(double s) {
    char b[32];
    std::snprintf(b, sizeof(b), "%.1f s", s);
    return b;
}

bool executable(const std::string& p) {
    return !p.empty() && ::access(p.c_str(), X_OK) == 0;
}

std::string self_dir() {
    std::error_code ec;
    auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string(".") : p.parent_path().string();
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        throw std::runtime_error(path + ": cannot read");
    }
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(f), {});
}

void write_bytes_atomic(const std::string& path, const std::vector<std::uint8_t>& a,
                        const std::vector<std::uint8_t>& b = {}) {
    const std::string tmp = path + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f.write(reinterpret_cast<const char*>(a.data()), static_cast<std::streamsize>(a.size()));
        f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
        if (!f) {
            throw std::runtime_error(tmp + ": write failed");
        }
    }
    fs::rename(tmp, path);
}

std::uint64_t fnv1a(std::uint64_t h, const void* data, std::size_t n) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    for (std::size_t i = 0; i < n; ++i) {
        h = (h ^ p[i]) * 0x100000001b3ull;
    }
    return h;
}

// KEY=VALUE lines of the helper scripts
std::map<std::string, std::string> run_helper(const std::string& script,
                                              const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv{source_root() + "/lab/" + script};
    argv.insert(argv.end(), args.begin(), args.end());
    int status = 0;
    std::string out = run_capture(argv, &status);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("lab/" + script + " " + describe_status(status));
    }
    std::map<std::string, std::string> kv;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        if (auto eq = line.find('='); eq != std::string::npos) {
            kv[line.substr(0, eq)] = line.substr(eq + 1);
        }
    }
    return kv;
}

// ---------------------------------------------------------------------------
// Artefacts: what every run needs, found once.

struct Artefacts {
    std::string qemu, bios, kernel, modules, busybox, guest_bin, pccd;
    double prepare_s = 0;
};

Artefacts prepare(const Options& o, bool need_guest) {
    const auto t0 = Clock::now();
    Artefacts a;
    a.kernel = o.kernel;
    a.modules = o.modules;
    a.bios = o.bios;
    {
        // busybox always comes from the cache, so fetch.sh always runs
        // (it is idempotent and offline when everything is there)
        auto kv = run_helper("fetch.sh");
        if (a.kernel.empty()) {
            a.kernel = kv["LAB_KERNEL"];
            if (a.modules.empty()) {
                a.modules = kv["LAB_MODULES"];
            }
        }
        if (a.bios.empty()) {
            a.bios = kv["LAB_EFI"];
        }
        a.busybox = kv["LAB_BUSYBOX"];
    }
    a.guest_bin = o.guest_bin;
    if (a.guest_bin.empty() && need_guest) {
        a.guest_bin = run_helper("build-guest.sh")["LAB_GUEST_BIN"];
    }
    a.qemu = o.qemu;
    if (a.qemu.empty()) {
        if (const char* e = std::getenv("PCC_LAB_QEMU"); e && *e) {
            a.qemu = e;
        }
    }
    if (a.qemu.empty()) {
        for (const auto& c : {source_root() + "/build/qemu-system-aarch64",
                              cache_root() + "/build-dev/qemu-system-aarch64"}) {
            if (executable(c)) {
                a.qemu = c;
                break;
            }
        }
    }
    a.pccd = o.pccd;
    if (a.pccd.empty()) {
        for (const auto& c : {source_root() + "/build/pccd", self_dir() + "/../pccd/pccd",
                              cache_root() + "/cpp-build/pccd/pccd"}) {
            if (executable(c)) {
                a.pccd = fs::weakly_canonical(c).string();
                break;
            }
        }
    }
    for (const auto& [what, path] :
         {std::pair{"kernel", a.kernel}, {"UEFI firmware", a.bios}, {"busybox", a.busybox}}) {
        if (path.empty() || !fs::exists(path)) {
            throw std::runtime_error(std::string("no ") + what + " ('" + path + "')");
        }
    }
    if (!executable(a.qemu)) {
        throw std::runtime_error(
            "no qemu-system-aarch64 with the PCC devices: build it "
            "(scripts/build-qemu.sh) or pass --qemu PATH");
    }
    a.prepare_s = seconds_since(t0);
    return a;
}

// ---------------------------------------------------------------------------
// The initramfs: a cached base archive (busybox, /init, guest programs)
// plus a small per-run archive (the scenario's commands and modules); the
// kernel unpacks concatenated archives in order.

std::vector<std::uint8_t> base_initramfs(const Artefacts& a) {
    const std::string init_path = source_root() + "/lab/guest/init.sh";
    struct Input {
        std::string dest, src;
        unsigned mode;
    };
    std::vector<Input> inputs{{"/init", init_path, 0755}, {"/bin/busybox", a.busybox, 0755}};
    std::vector<std::string> progs;
    for (const auto& e : fs::directory_iterator(a.guest_bin)) {
        const std::string n = e.path().filename().string();
        if (n.starts_with("pcc-guest-") && e.is_regular_file() && executable(e.path().string())) {
            progs.push_back(n);
        }
    }
    std::sort(progs.begin(), progs.end());
    if (progs.empty()) {
        throw std::runtime_error(a.guest_bin + ": no pcc-guest-* programs (lab/build-guest.sh)");
    }
    for (const auto& p : progs) {
        inputs.push_back({"/bin/" + p, a.guest_bin + "/" + p, 0755});
    }
    std::uint64_t h = 0xcbf29ce484222325ull;
    std::vector<std::vector<std::uint8_t>> data;
    for (const auto& in : inputs) {
        data.push_back(read_bytes(in.src));
        h = fnv1a(h, in.dest.data(), in.dest.size() + 1);
        h = fnv1a(h, data.back().data(), data.back().size());
    }
    char key[32];
    std::snprintf(key, sizeof(key), "%016llx", static_cast<unsigned long long>(h));
    const std::string dir = cache_root() + "/lab/initramfs";
    const std::string path = dir + "/base-" + key + ".cpio";
    if (fs::exists(path)) {
        return read_bytes(path);
    }
    fs::create_directories(dir);
    CpioWriter w;
    for (const char* d :
         {"/bin", "/dev", "/proc", "/sys", "/tmp", "/lab", "/lib", "/lib/modules"}) {
        w.directory(d);
    }
    w.char_device("/dev/console", 5, 1);
    w.char_device("/dev/null", 1, 3, 0666);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        w.file(inputs[i].dest, data[i], inputs[i].mode);
    }
    w.finish();
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().filename().string().starts_with("base-")) {
            fs::remove(e.path());
        }
    }
    write_bytes_atomic(path, w.bytes());
    return w.bytes();
}

// ---------------------------------------------------------------------------

std::string tap_escape(std::string s) {
    std::string out;
    for (char c : s) {
        if (c == '#') {
            out += "\\#";
        } else if (c != '\n' && c != '\r') {
            out += c;
        }
    }
    return out;
}

constexpr double kHostStepTimeoutS = 20;

std::string trim_copy(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.pop_back();
    }
    return s.substr(std::min(s.size(), s.find_first_not_of(" \t")));
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

class RunDir {
  public:
    explicit RunDir(bool keep) : keep_(keep) {
        const char* t = std::getenv("TMPDIR");
        std::string tmpl = std::string(t && *t ? t : "/tmp") + "/pcc-lab.XXXXXX";
        if (!::mkdtemp(tmpl.data())) {  // 0700
            throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
        }
        path_ = tmpl;
    }
    ~RunDir() {
        std::error_code ec;
        if (keep_) {
            std::cerr << "pcc-lab: kept " << path_ << "\n";
        } else {
            fs::remove_all(path_, ec);
        }
    }
    RunDir(const RunDir&) = delete;
    RunDir& operator=(const RunDir&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
    bool keep_;
};

// What the placeholders of a scenario's lines stand for.
struct Places {
    std::string run;   // @run: the run's private temp directory
    bool platform;     // @platform: "" when pccd runs, else "--no-platform"
    std::string pccd;  // @pccd: the pccd binary
    std::string here;  // @here: the directory of the scenario file
};

// @spool:NAME -> private 0700 directory, @socket:NAME -> socket path,
// @run, @platform, @pccd, @here (see Places).
std::string expand(const std::string& s, const Places& pl) {
    std::string out;
    std::size_t i = 0;
    auto word_end = [&](std::size_t from) {
        std::size_t e = from;
        while (e < s.size() &&
               (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '-' || s[e] == '_')) {
            ++e;
        }
        return e;
    };
    while (i < s.size()) {
        if (s.compare(i, 7, "@spool:") == 0) {
            std::size_t e = word_end(i + 7);
            const std::string dir = pl.run + "/spool-" + s.substr(i + 7, e - i - 7);
            if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
                throw std::runtime_error(dir + ": " + std::strerror(errno));
            }
            out += dir;
            i = e;
        } else if (s.compare(i, 8, "@socket:") == 0) {
            std::size_t e = word_end(i + 8);
            out += pl.run + "/" + s.substr(i + 8, e - i - 8) + ".sock";
            i = e;
        } else if (s.compare(i, 4, "@run") == 0) {
            out += pl.run;
            i += 4;
        } else if (s.compare(i, 9, "@platform") == 0) {
            out += pl.platform ? "" : "--no-platform";
            i += 9;
        } else if (s.compare(i, 5, "@pccd") == 0) {
            if (pl.pccd.empty()) {
                throw std::runtime_error("@pccd: pccd is not built");
            }
            out += pl.pccd;
            i += 5;
        } else if (s.compare(i, 5, "@here") == 0) {
            out += pl.here;
            i += 5;
        } else {
            out += s[i++];
        }
    }
    return out;
}

std::vector<std::string> split_words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) {
        out.push_back(w);
    }
    return out;
}

std::string tail_of_file(const std::string& path, std::size_t lines) {
    std::ifstream f(path);
    std::vector<std::string> all;
    for (std::string l; std::getline(f, l);) {
        all.push_back(l);
    }
    std::string out;
    for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
        out += (out.empty() ? "" : " | ") + all[i];
    }
    return out;
}

ScenarioOutcome run_scenario(const Scenario& sc, const Artefacts& a, const Options& o) {
    const auto t0 = Clock::now();
    ScenarioOutcome oc;
    oc.name = sc.name;
    auto add = [&](std::string st, std::string name, std::string msg) {
        oc.results.push_back({std::move(st), std::move(name), std::move(msg)});
    };
    if (sc.skip) {
        add("skip", "scenario", *sc.skip);
        return oc;
    }
    const bool want_pccd = sc.pccd.has_value();
    const bool have_pccd = want_pccd && executable(a.pccd);
    if (want_pccd && !have_pccd && sc.pccd_required) {
        add("skip", "scenario",
            "needs pccd, which is not built (looked for build/pccd, " + self_dir() +
                "/../pccd/pccd, $QEMU_PCC_CACHE/cpp-build/pccd/pccd; or pass --pccd PATH)");
        return oc;
    }

    oc.log_dir = o.log_dir.empty() ? cache_root() + "/lab/logs/" + sc.name : o.log_dir;
    fs::create_directories(oc.log_dir);
    const std::string console_log = oc.log_dir + "/console.log";
    const std::string qemu_log = oc.log_dir + "/qemu.log";
    const std::string pccd_log = oc.log_dir + "/pccd.log";
    fs::remove(pccd_log);

    RunDir run(o.keep);
    const bool platform = have_pccd;
    const Places places{run.path(), platform, have_pccd ? a.pccd : std::string(),
                        fs::absolute(sc.path).parent_path().string()};

    // --- initramfs
    const auto ti = Clock::now();
    std::vector<std::uint8_t> base = base_initramfs(a);
    CpioWriter extra;
    std::string script = "# generated by pcc-lab for scenario " + sc.name + "\n";
    for (std::size_t i = 0; i < sc.guest.size(); ++i) {
        const std::string cmd = expand(sc.guest[i], places);
        const std::string n = std::to_string(i + 1);
        script += "echo " + shell_quote("PCC-LAB-RUN " + n + " " + cmd) + "\n" + cmd +
                  "\necho \"PCC-LAB-EXIT " + n + " $?\"\n";
    }
    extra.file("/lab/scenario.sh", script, 0644);
    std::string order;
    if (!sc.modules.empty()) {
        if (a.modules.empty()) {
            for (const auto& m : sc.modules) {
                add("skip", "module-" + m,
                    "no modules tree for this kernel (--kernel without --modules)");
            }
        } else {
            ModuleSet ms = resolve_modules(a.modules, sc.modules);
            for (const auto& m : ms.missing) {
                add("skip", "module-" + m,
                    "not found in " + a.modules + " (built into the kernel, or not configured)");
            }
            for (const auto& m : ms.load_order) {
                extra.file("/lib/modules/" + m.name + ".ko", m.data, 0644);
                order += m.name + ".ko\n";
            }
        }
    }
    extra.file("/lab/modules", order, 0644);
    extra.finish();
    const std::string initrd = run.path() + "/initrd.cpio";
    write_bytes_atomic(initrd, base, extra.bytes());
    oc.initramfs_s = seconds_since(ti);

    // --- pccd
    Child pccd;
    if (have_pccd) {
        std::vector<std::string> argv{a.pccd};
        for (auto& w : split_words(expand(*sc.pccd, places))) {
            argv.push_back(w);
        }
        UniqueFd log(::open(pccd_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        pccd = Child::spawn(argv, -1, log.get(), log.get());
    } else if (want_pccd) {
        add("skip", "pccd", "pccd is not built: the guest runs without a platform");
    }

    // --- QEMU
    std::string append = "console=ttyAMA0 acpi=force panic=-1";
    if (!sc.append.empty()) {
        append += " " + sc.append;
    }
    std::vector<std::string> argv{
        a.qemu,   "-M",      "virt",     "-cpu",       "cortex-a57", "-smp", "1",
        "-m",     "1G",      "-display", "none",       "-monitor",   "none", "-serial",
        "stdio",  "-nic",    "none",     "-no-reboot", "-bios",      a.bios, "-kernel",
        a.kernel, "-initrd", initrd,     "-append",    append};
    for (const auto& d : sc.devices) {
        argv.push_back("-device");
        argv.push_back(expand(d, places));
    }
    for (const auto& q : sc.qemu_args) {
        argv.push_back(expand(q, places));
    }
    {
        std::ofstream cmd(oc.log_dir + "/command");
        for (const auto& w : argv) {
            cmd << shell_quote(w) << ' ';
        }
        cmd << '\n';
    }
    std::ofstream console(console_log, std::ios::trunc);
    Pipe out = make_pipe();
    UniqueFd qlog(::open(qemu_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    const auto tb = Clock::now();
    Child qemu = Child::spawn(argv, -1, out.write.get(), qlog.get());
    out.write.reset();

    const int timeout = o.timeout.value_or(sc.timeout_s);
    const auto deadline = tb + std::chrono::seconds(timeout);
    bool done = false, timed_out = false, panic = false, eof = false, summary_seen = false;
    int sum_ok = 0, sum_fail = 0, sum_skip = 0;
    std::map<int, int> fails_before;  // command -> guest fails when it started
    int guest_fails = 0, guest_ok = 0, guest_skip = 0;
    std::map<int, std::string> commands;
    std::string partial;
    std::optional<std::string> pccd_died;

    // Host steps: the guest prints "PCC-LAB-HOST NAME", the runner runs the
    // scenario's `on NAME = COMMAND` (e.g. `@pccd set --control ...`) while
    // the guest waits for its effect. Output: host-NAME.log.
    struct HostStep {
        std::string name, command, log;
        Child child;
        Clock::time_point started;
        bool done = false;
    };
    std::vector<HostStep> steps;
    auto finish_step = [&](HostStep& st, bool killed) {
        st.done = true;
        const int status = st.child.status();
        const std::string out = tail_of_file(st.log, 3);
        const std::string took = fmt_s(seconds_since(st.started));
        if (!killed && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            add("ok", "host-" + st.name,
                "`" + st.command + "` done in " + took + (out.empty() ? "" : ": " + out));
        } else {
            add("fail", "host-" + st.name,
                "`" + st.command + "` " +
                    (killed ? "still running after " + took + ", killed"
                            : describe_status(status)) +
                    (out.empty() ? "" : ": " + out));
        }
    };
    auto start_step = [&](const std::string& name) {
        auto it = std::find_if(sc.on.begin(), sc.on.end(),
                               [&](const auto& p) { return p.first == name; });
        if (it == sc.on.end()) {
            add("fail", "host-" + name,
                "the guest asked for host step '" + name + "' but the scenario has no `on " + name +
                    " = COMMAND`");
            return;
        }
        HostStep st;
        st.name = name;
        st.command = expand(it->second, places);
        st.log = oc.log_dir + "/host-" + name + ".log";
        std::vector<std::string> argv = split_words(st.command);
        UniqueFd log(::open(st.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        st.started = Clock::now();
        try {
            st.child = Child::spawn(argv, -1, log.get(), log.get());
        } catch (const std::exception& e) {
            add("fail", "host-" + name, "`" + st.command + "`: " + e.what());
            return;
        }
        if (!o.quiet) {
            std::cerr << "pcc-lab: host step " << name << ": " << st.command << "\n";
        }
        steps.push_back(std::move(st));
    };
    auto poll_steps = [&](bool final) {
        for (auto& st : steps) {
            if (st.done) {
                continue;
            }
            if (st.child.poll_exit()) {
                finish_step(st, false);
            } else if (final || seconds_since(st.started) > kHostStepTimeoutS) {
                st.child.kill_group();
                finish_step(st, true);
            }
        }
    };

    auto handle_line = [&](std::string line) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        console << line << '\n';
        if (!o.quiet) {
            std::cerr << "guest| " << line << '\n';
        }
        if (line.find("Kernel panic") != std::string::npos) {
            panic = true;
        }
        auto at = [&](const char* tag) -> std::optional<std::string> {
            auto p = line.find(tag);
            if (p == std::string::npos) {
                return std::nullopt;
            }
            return line.substr(p + std::strlen(tag));
        };
        if (auto r = at("PCC-RESULT ")) {
            std::istringstream in(*r);
            Result res;
            in >> res.status >> res.name;
            std::getline(in >> std::ws, res.message);
            if (res.status != "ok" && res.status != "fail" && res.status != "skip") {
                add("fail", "console", "malformed result line: " + line);
                return;
            }
            (res.status == "ok" ? guest_ok : res.status == "fail" ? guest_fails : guest_skip)++;
            oc.results.push_back(std::move(res));
        } else if (auto s = at("PCC-SUMMARY ")) {
            summary_seen = true;
            int a1 = 0, a2 = 0, a3 = 0;
            if (std::sscanf(s->c_str(), "ok=%d fail=%d skip=%d", &a1, &a2, &a3) == 3) {
                sum_ok += a1, sum_fail += a2, sum_skip += a3;
            }
        } else if (auto m = at("PCC-LAB-MODULE ")) {
            std::istringstream in(*m);
            std::string st, name;
            in >> st >> name;
            if (st != "ok") {
                add("fail", "module-" + name,
                    "insmod " + name + " failed in the guest (see console.log)");
            }
        } else if (auto h = at("PCC-LAB-HOST "); h && !at("PCC-LAB-RUN ")) {
            start_step(trim_copy(*h));
        } else if (auto r2 = at("PCC-LAB-RUN ")) {
            std::istringstream in(*r2);
            int n = 0;
            in >> n;
            std::string cmd;
            std::getline(in >> std::ws, cmd);
            commands[n] = cmd;
            fails_before[n] = guest_fails;
        } else if (auto e = at("PCC-LAB-EXIT ")) {
            int n = 0, rc = 0;
            if (std::sscanf(e->c_str(), "%d %d", &n, &rc) == 2 && rc != 0 &&
                guest_fails == fails_before[n]) {
                add("fail", "guest-command-" + std::to_string(n),
                    "`" + commands[n] + "` exited with status " + std::to_string(rc) +
                        " without reporting a failed check" +
                        (rc == 127 ? " (command not found)" : ""));
            }
        } else if (line.find("PCC-LAB-DONE") != std::string::npos &&
                   line.find("echo") == std::string::npos) {
            done = true;
            oc.boot_s = seconds_since(tb);
        }
    };

    while (!eof) {
        const auto now = Clock::now();
        if (now >= deadline) {
            timed_out = true;
            break;
        }
        const int wait_ms = static_cast<int>(std::min<long long>(
            200,
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1));
        pollfd pfd{out.read.get(), POLLIN, 0};
        int pr = ::poll(&pfd, 1, wait_ms);
        check_interrupted();
        if (pr < 0 && errno != EINTR) {
            throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        }
        if (pr > 0) {
            char buf[8192];
            ssize_t n = ::read(out.read.get(), buf, sizeof(buf));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                eof = true;
            } else {
                partial.append(buf, static_cast<std::size_t>(n));
                std::size_t nl;
                while ((nl = partial.find('\n')) != std::string::npos) {
                    handle_line(partial.substr(0, nl));
                    partial.erase(0, nl + 1);
                }
            }
        }
        if (have_pccd && !pccd_died && pccd.poll_exit()) {
            pccd_died = describe_status(pccd.status());
        }
        poll_steps(false);
    }
    if (!partial.empty()) {
        handle_line(partial);
    }
    poll_steps(true);
    if (timed_out) {
        qemu.kill_group();
    }
    const int qstatus = qemu.wait();
    qemu.kill_group();
    if (have_pccd && !pccd_died && pccd.poll_exit()) {
        pccd_died = describe_status(pccd.status());
    }
    pccd.kill_group();
    console.flush();

    // --- verdicts of the runner itself
    const std::string qtail = tail_of_file(qemu_log, 5);
    if (done) {
        add("ok", "boot",
            "guest booted and ran " + std::to_string(sc.guest.size()) + " command(s) in " +
                fmt_s(oc.boot_s));
    } else {
        std::string why = timed_out
                              ? "timed out after " + std::to_string(timeout) + " s (QEMU killed)"
                              : "QEMU " + describe_status(qstatus) + " before the guest finished";
        if (panic) {
            why += "; the kernel panicked (see console.log)";
        }
        if (!qtail.empty()) {
            why += "; QEMU said: " + qtail;
        }
        add("fail", "boot", why);
    }
    if (done && !timed_out && (!WIFEXITED(qstatus) || WEXITSTATUS(qstatus) != 0)) {
        add("fail", "qemu-exit",
            "QEMU " + describe_status(qstatus) + (qtail.empty() ? "" : ": " + qtail));
    }
    if (done && !summary_seen) {
        add("fail", "guest-summary", "no PCC-SUMMARY line: a guest program did not finish");
    } else if (summary_seen &&
               (sum_ok != guest_ok || sum_fail != guest_fails || sum_skip != guest_skip)) {
        add("fail", "guest-summary",
            "the guest announced ok=" + std::to_string(sum_ok) +
                " fail=" + std::to_string(sum_fail) + " skip=" + std::to_string(sum_skip) +
                " but the console carried ok=" + std::to_string(guest_ok) +
                " fail=" + std::to_string(guest_fails) + " skip=" + std::to_string(guest_skip) +
                " (result lines lost or garbled)");
    }
    for (const auto& r : done ? sc.require : std::vector<std::string>{}) {
        bool seen = std::any_of(oc.results.begin(), oc.results.end(),
                                [&](const Result& x) { return x.name == r; });
        if (!seen) {
            add("fail", "require-" + r, "required check '" + r + "' was not reported by the guest");
        }
    }
    if (pccd_died) {
        add("fail", "pccd", "pccd " + *pccd_died + " during the run: " + tail_of_file(pccd_log, 5));
    }
    oc.total_s = seconds_since(t0);
    return oc;
}

std::string find_scenario(const std::string& arg, const Options& o) {
    if (arg.find('/') != std::string::npos || arg.ends_with(".conf")) {
        return arg;
    }
    const std::string dir =
        o.scenario_dir.empty() ? source_root() + "/lab/scenarios" : o.scenario_dir;
    return dir + "/" + arg + ".conf";
}

Options parse_options(int argc, char** argv, int first) {
    Options o;
    for (int i = first; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                throw UsageError(a + " needs a value");
            }
            return argv[++i];
        };
        if (a == "--kernel") {
            o.kernel = value();
        } else if (a == "--modules") {
            o.modules = value();
        } else if (a == "--qemu") {
            o.qemu = value();
        } else if (a == "--bios") {
            o.bios = value();
        } else if (a == "--pccd") {
            o.pccd = value();
        } else if (a == "--guest-bin") {
            o.guest_bin = value();
        } else if (a == "--scenarios") {
            o.scenario_dir = value();
        } else if (a == "--log-dir") {
            o.log_dir = value();
        } else if (a == "--timeout") {
            try {
                o.timeout = std::stoi(value());
            } catch (const std::logic_error&) {
                throw UsageError("--timeout: a number of seconds");
            }
        } else if (a == "--keep") {
            o.keep = true;
        } else if (a == "--fail-on-skip") {
            o.fail_on_skip = true;
        } else if (a == "-q" || a == "--quiet") {
            o.quiet = true;
        } else if (a == "-h" || a == "--help") {
            std::cout << kUsage;
            std::exit(0);
        } else if (a.starts_with("-")) {
            throw UsageError("unknown option " + a);
        } else {
            o.scenarios.push_back(a);
        }
    }
    if (!o.modules.empty() && o.kernel.empty()) {
        throw UsageError("--modules needs --kernel (the pinned kernel brings its own modules)");
    }
    return o;
}

int cmd_list(const Options& o) {
    const std::string dir =
        o.scenario_dir.empty() ? source_root() + "/lab/scenarios" : o.scenario_dir;
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() == ".conf") {
            files.push_back(e.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        auto s = load_scenario(f);
        std::printf("%-16s %s\n", s.name.c_str(), s.description.c_str());
    }
    return 0;
}

int cmd_run(Options o) {
    if (o.scenarios.empty()) {
        o.scenarios = {kDefaultScenarios.begin(), kDefaultScenarios.end()};
    }
    std::vector<Scenario> scs;
    for (const auto& s : o.scenarios) {
        scs.push_back(load_scenario(find_scenario(s, o)));
    }
    const Artefacts a = prepare(o, true);
    std::cerr << "pcc-lab: qemu " << a.qemu << "\npcc-lab: kernel " << a.kernel
              << "\npcc-lab: modules " << (a.modules.empty() ? "(none)" : a.modules)
              << "\npcc-lab: prepared in " << fmt_s(a.prepare_s) << "\n";

    std::cout << "TAP version 13\n";
    int n = 0, n_ok = 0, n_fail = 0, n_skip = 0;
    std::vector<ScenarioOutcome> all;
    for (const auto& sc : scs) {
        std::cerr << "pcc-lab: === " << sc.name << ": " << sc.description << "\n";
        ScenarioOutcome oc;
        try {
            oc = run_scenario(sc, a, o);
        } catch (const std::exception& e) {
            oc.name = sc.name;
            oc.results.push_back({"fail", "runner", e.what()});
        }
        for (const auto& r : oc.results) {
            ++n;
            const std::string desc = tap_escape(sc.name + ": " + r.name + ": " + r.message);
            if (r.status == "ok") {
                ++n_ok;
                std::cout << "ok " << n << " - " << desc << "\n";
            } else if (r.status == "skip") {
                ++n_skip;
                std::cout << "ok " << n << " - " << tap_escape(sc.name + ": " + r.name)
                          << " # SKIP " << tap_escape(r.message) << "\n";
            } else {
                ++n_fail;
                std::cout << "not ok " << n << " - " << desc << "\n";
            }
        }
        std::cout.flush();
        all.push_back(std::move(oc));
    }
    std::cout << "1.." << n << "\n";

    std::cout << "# ---- pcc-lab summary ----\n";
    int scen_pass = 0, scen_fail = 0, scen_skip = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const auto& oc = all[i];
        int ok = 0, fail = 0, skip = 0;
        for (const auto& r : oc.results) {
            (r.status == "ok" ? ok : r.status == "fail" ? fail : skip)++;
        }
        // A scenario is about its required checks: if one of them was
        // skipped, the scenario is SKIPPED, whatever else passed.
        const Result* skipped_req = nullptr;
        for (const auto& r : oc.results) {
            if (r.status == "skip" &&
                (r.name == "scenario" || std::find(scs[i].require.begin(), scs[i].require.end(),
                                                   r.name) != scs[i].require.end())) {
                skipped_req = &r;
                break;
            }
        }
        std::string verdict;
        if (fail) {
            verdict = "FAIL", ++scen_fail;
        } else if (skipped_req || !ok) {
            verdict = "SKIPPED", ++scen_skip;
        } else {
            verdict = skip ? "PASS (with skips)" : "PASS", ++scen_pass;
        }
        std::cout << "# " << oc.name << ": " << verdict << " - " << ok << " passed, " << fail
                  << " failed, " << skip << " skipped";
        if (oc.total_s > 0) {
            std::cout << " (initramfs " << fmt_s(oc.initramfs_s) << ", boot to done "
                      << (oc.boot_s > 0 ? fmt_s(oc.boot_s) : std::string("-")) << ", scenario "
                      << fmt_s(oc.total_s) << ")";
        }
        std::cout << "\n";
        if (skipped_req && !fail) {
            std::cout << "#   reason: " << skipped_req->name << ": " << skipped_req->message
                      << "\n";
        }
        for (const auto& r : oc.results) {
            if (r.status == "fail") {
                std::cout << "#   FAILED  " << r.name << ": " << r.message << "\n";
            }
        }
        for (const auto& r : oc.results) {
            if (r.status == "skip") {
                std::cout << "#   SKIPPED " << r.name << ": " << r.message << "\n";
            }
        }
        if (!oc.log_dir.empty()) {
            std::cout << "#   logs: " << oc.log_dir << "/{console,qemu,pccd}.log\n";
        }
    }
    std::cout << "# total: scenarios " << scen_pass << " passed, " << scen_fail << " failed, "
              << scen_skip << " skipped; checks " << n_ok << " passed, " << n_fail << " failed, "
              << n_skip << " skipped\n";
    if (scen_fail || (o.fail_on_skip && n_skip)) {
        return 1;
    }
    return scen_pass ? 0 : 77;
}

}  // namespace

int main(int argc, char** argv) {
    install_cleanup_handlers();
    try {
        if (argc < 2) {
            throw UsageError("missing command");
        }
        const std::string cmd = argv[1];
        if (cmd == "-h" || cmd == "--help" || cmd == "help") {
            std::cout << kUsage;
            return 0;
        }
        Options o = parse_options(argc, argv, 2);
        if (cmd == "run") {
            return cmd_run(o);
        }
        if (cmd == "list") {
            return cmd_list(o);
        }
        if (cmd == "prepare") {
            auto a = prepare(o, true);
            std::cout << "qemu " << a.qemu << "\nbios " << a.bios << "\nkernel " << a.kernel
                      << "\nmodules " << a.modules << "\nbusybox " << a.busybox << "\nguest-bin "
                      << a.guest_bin << "\npccd " << (a.pccd.empty() ? "(not built)" : a.pccd)
                      << "\nprepared in " << fmt_s(a.prepare_s) << "\n";
            return 0;
        }
        throw UsageError("unknown command '" + cmd + "'");
    } catch (const Interrupted& i) {
        return 128 + i.signal;
    } catch (const UsageError& e) {
        std::cerr << "pcc-lab: " << e.what() << "\n" << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "pcc-lab: error: " << e.what() << "\n";
        return 2;
    }
}
