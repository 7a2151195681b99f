// SPDX-License-Identifier: GPL-2.0-or-later
// pcc-lab: boots a Debian arm64 guest under qemu-pcc's QEMU with a
// scenario's PCC devices and collects what the guest checked. See
// docs/lab.md. This is the command line; a run is run.cpp, its report
// tap_report.cpp.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <iterator>
#include <optional>
#include <vector>

#include "artefacts.hpp"
#include "bench.hpp"
#include "cli.hpp"
#include "kernel.hpp"
#include "matrix.hpp"
#include "matrix_report.hpp"
#include "options.hpp"
#include "paths.hpp"
#include "process.hpp"
#include "run.hpp"
#include "scenario.hpp"
#include "tap_report.hpp"
#include "transcript.hpp"

namespace {

using namespace lab;

constexpr const char* kFooter = R"(
Output: the guest console on stderr, TAP and a summary on stdout.
Exit status: 0 no check failed and a scenario passed, 1 a check failed,
2 usage or setup error, 77 every scenario was skipped (e.g. `mctp` on a
kernel without CONFIG_MCTP). A scenario whose required check was skipped
is SKIPPED as a whole.)";

constexpr const char* kMatrixFooter = R"(
Output: TAP and a summary per cell on stdout, the guest consoles on
stderr; in --out DIR: junit.xml, matrix.md, matrix.html and the cells'
logs (DIR/KERNEL/SCENARIO/). Exit status: 0 no cell failed and one
passed, 1 a cell failed, 2 usage or setup error, 77 every cell was
skipped. A cell that cannot run (a kernel without what the scenario
requires, a kernel that cannot be fetched or built) is a skip with its
reason.)";

// `kernel_choice`: with the options that choose the kernel and the logs'
// place (`matrix` has --kernels and --out instead).
void add_options(CLI::App& cmd, Options& o, bool kernel_choice = true) {
    // given twice, the last one counts
    auto path = [&cmd](const char* name, std::string& to, const char* type, const char* help) {
        cmd.add_option(name, to, help)->type_name(type)->take_last();
    };
    if (kernel_choice) {
        path("--kernel", o.kernel, "IMAGE",
             "boot this arm64 Image instead of the pinned Debian kernel");
        path("--modules", o.modules, "DIR",
             "its modules tree (lib/modules/VERSION); without it a --kernel run loads no modules");
        path("--kernel-config", o.kernel_config, "FILE",
             "the .config of --kernel IMAGE, for requires-config (default: found next to it)");
        path(
            "--kernel-tree", o.kernel_tree, "DIR",
            "build this kernel tree with the lab's config (out of tree, in the cache) and boot it");
        cmd.add_flag(
            "--lab-kernel", o.lab_kernel,
            "boot every scenario on the lab kernel (built from Debian's source when needed)");
        path("--log-dir", o.log_dir, "DIR", "logs (default: $QEMU_PCC_CACHE/lab/logs/SCENARIO)");
    }
    path("--qemu", o.qemu, "PATH", "qemu-system-aarch64 (default: build/qemu-system-aarch64)");
    path("--bios", o.bios, "PATH", "UEFI firmware (default: pinned QEMU_EFI.fd from the cache)");
    path("--pccd", o.pccd, "PATH", "pccd binary (default: build/pccd, else next to pcc-lab)");
    path("--guest-bin", o.guest_bin, "DIR",
         "cross-built guest programs (default: lab/build-guest.sh)");
    path("--scenarios", o.scenario_dir, "DIR",
         "where SCENARIO names are looked up (default: lab/scenarios)");
    cmd.add_option_function<int>(
           "--timeout", [&o](int s) { o.timeout = s; }, "override the scenarios' timeout")
        ->type_name("SECONDS")
        ->take_last();
    cmd.add_flag("--keep", o.keep, "keep the run's private temp directory");
    cmd.add_flag("--fail-on-skip", o.fail_on_skip, "a skipped check fails the run");
    cmd.add_flag("-q,--quiet", o.quiet, "do not stream the guest console to stderr");
}

std::string scenario_dir(const Options& o) {
    return o.scenario_dir.empty() ? source_root() + "/lab/scenarios" : o.scenario_dir;
}

// "pcc-core xgene-hwmon ..."
std::string default_scenarios() {
    std::string names;
    for (const char* s : kDefaultScenarios) {
        names += (names.empty() ? "" : " ") + std::string(s);
    }
    return names;
}

int cmd_list(const Options& o) {
    for (const auto& f : scenario_files(scenario_dir(o))) {
        const Scenario s = load_scenario(f);
        std::printf("%-16s %s\n", s.name.c_str(), s.description.c_str());
    }
    return 0;
}

int cmd_prepare(const Options& o) {
    const Artefacts a = prepare(o);
    std::cout << "qemu " << a.qemu << "\nbios " << a.bios << "\nkernel " << a.kernel << "\nmodules "
              << a.modules << "\nbusybox " << a.busybox << "\nguest-bin " << a.guest_bin
              << "\npccd " << (a.pccd.empty() ? "(not built)" : a.pccd) << "\nprepared in "
              << fmt_s(a.prepare_s) << "\n";
    return 0;
}

void print_lab_kernel(const LabKernel& k) {
    std::cerr << "pcc-lab: lab kernel " << k.image << " (" << k.release << ", "
              << (k.rebuilt ? "built in " + fmt_s(k.seconds) : std::string("up to date")) << ")\n";
}

int cmd_kernel(const Options& o, bool verbose) {
    const LabKernel k = build_lab_kernel(o.kernel_tree, verbose);
    std::cout << "kernel " << k.image << "\nmodules " << k.modules << "\nconfig " << k.config
              << "\nrelease " << k.release << "\nbuild-dir " << k.build_dir << "\n"
              << (k.rebuilt ? "built in " + fmt_s(k.seconds) : std::string("up to date")) << "\n";
    return 0;
}

// Runs `scs` on their kernels (the lab kernel for --kernel-tree,
// --lab-kernel and, without --kernel or a kernel suite, the scenarios that
// say `kernel = lab`), handing each outcome to `done`; `prepared` sees the
// artefacts of the scenarios that do not run on the lab kernel.
void run_scenarios(const Options& o, const std::vector<Scenario>& scs,
                   const std::function<void(const Scenario&, const ScenarioOutcome&)>& done,
                   const std::function<void(const Artefacts&)>& prepared = {}) {
    const bool all_lab = !o.kernel_tree.empty() || o.lab_kernel;
    const bool some_lab = o.kernel.empty() && o.kernel_suite.empty() &&
                          std::any_of(scs.begin(), scs.end(), [](const auto& s) {
                              return s.kernel.kind == KernelKind::lab && !s.skip;
                          });
    std::optional<LabKernel> lab_kernel;
    if (all_lab || some_lab) {
        lab_kernel = build_lab_kernel(o.kernel_tree, false);
        print_lab_kernel(*lab_kernel);
    }
    const Artefacts a = prepare(o);
    Artefacts lab_a = a;
    if (lab_kernel) {
        lab_a.kernel = lab_kernel->image;
        lab_a.modules = lab_kernel->modules;
        lab_a.kconfig = lab_kernel->config;
        lab_a.origin = o.kernel_tree.empty() ? KernelOrigin::lab : KernelOrigin::tree;
        lab_a.kernel_label = o.kernel_tree.empty() ? "lab" : "tree";
    }
    if (!all_lab) {
        std::cerr << "pcc-lab: kernel " << a.kernel << "\npcc-lab: modules "
                  << (a.modules.empty() ? "(none)" : a.modules) << "\n";
    }
    std::cerr << "pcc-lab: qemu " << a.qemu << "\npcc-lab: prepared in " << fmt_s(a.prepare_s)
              << "\n";
    if (prepared) {
        prepared(all_lab ? lab_a : a);
    }
    for (const auto& sc : scs) {
        const Artefacts& sa =
            all_lab || (some_lab && sc.kernel.kind == KernelKind::lab) ? lab_a : a;
        Options so = o;  // --log-dir, else the matrix's LOG_ROOT/SCENARIO
        if (so.log_dir.empty() && !o.log_root.empty()) {
            so.log_dir = o.log_root + "/" + sc.name;
        }
        std::cerr << "pcc-lab: === " << sc.name << ": " << sc.description << " ("
                  << describe(sa.origin) << ")\n";
        ScenarioOutcome oc;
        try {
            oc = run_scenario(sc, sa, so);
        } catch (const std::exception& e) {
            oc = ScenarioOutcome{};
            oc.name = sc.name;
            oc.results.push_back({Status::fail, "runner", e.what()});
        }
        done(sc, oc);
    }
}

std::vector<Scenario> load_scenarios(const Options& o, const std::vector<std::string>& names) {
    std::vector<Scenario> scs;
    for (const auto& s : names) {
        scs.push_back(load_scenario(find_scenario(s, scenario_dir(o))));
    }
    return scs;
}

int cmd_run(Options o) {
    if (o.scenarios.empty()) {
        o.scenarios = {kDefaultScenarios.begin(), kDefaultScenarios.end()};
    }
    const auto scs = load_scenarios(o, o.scenarios);
    TapReport report(std::cout);
    run_scenarios(o, scs, [&report](const Scenario& sc, const ScenarioOutcome& oc) {
        report.add(oc, sc.require);
    });
    return report.finish(o.fail_on_skip);
}

// $QEMU_PCC_CACHE/lab/matrix/YYYYMMDD-HHMMSS (UTC)
std::string default_matrix_dir() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    return cache_root() + "/lab/matrix/" + stamp;
}

// What a column booted: "6.1.176 (6.1.0-50-arm64)", from its config's
// header and its modules tree's name.
std::string booted_release(const Artefacts& a) {
    KernelRequirements want;
    want.min_version = KernelVersion{};
    const KernelFacts f = load_kernel_facts(want, a.origin, a.kconfig, "");
    const std::string uname =
        a.modules.empty() ? std::string() : std::filesystem::path(a.modules).filename().string();
    std::string r = f.version ? describe(*f.version) : std::string();
    if (!uname.empty() && uname != r) {
        r += r.empty() ? uname : " (" + uname + ")";
    }
    return r;
}

// scenarios x kernels, one kernel after another (matrix.hpp); TAP on
// stdout, the reports in `out_dir` (matrix_report.hpp). Exit status as
// `run`'s: 1 when a cell failed, 77 when every cell was skipped.
int cmd_matrix(Options o, const std::string& kernels, std::string out_dir) {
    const auto t0 = Clock::now();
    if (o.scenarios.empty()) {
        o.scenarios = {kDefaultScenarios.begin(), kDefaultScenarios.end()};
    }
    const auto columns = parse_kernel_list(kernels.empty() ? kDefaultMatrixKernels : kernels);
    const auto scs = load_scenarios(o, o.scenarios);
    if (out_dir.empty()) {
        out_dir = default_matrix_dir();
    }
    std::filesystem::create_directories(out_dir);
    out_dir = std::filesystem::canonical(out_dir).string();
    MatrixReport report;
    for (const auto& sc : scs) {
        report.scenarios.push_back(sc.name);
    }
    TapReport tap(std::cout);
    for (const auto& k : columns) {
        const Options ko = column_options(o, k, out_dir);
        MatrixColumn column{k.label, ""};
        std::cerr << "pcc-lab: ##### kernel " << k.label << "\n";
        auto add = [&](const Scenario& sc, ScenarioOutcome oc) {
            MatrixCell cell;
            cell.kernel = k.label;
            cell.scenario = sc.name;
            if (!oc.log_dir.empty()) {
                cell.log_link =
                    std::filesystem::path(oc.log_dir).lexically_relative(out_dir).string() + "/";
            }
            cell.verdict = scenario_verdict(oc, sc.require);
            ScenarioOutcome shown = oc;
            shown.name = k.label + "/" + sc.name;
            tap.add(shown, sc.require);
            cell.outcome = std::move(oc);
            report.cells.push_back(std::move(cell));
        };
        try {
            run_scenarios(
                ko, scs, [&](const Scenario& sc, const ScenarioOutcome& oc) { add(sc, oc); },
                [&](const Artefacts& a) { column.release = booted_release(a); });
        } catch (const pcc::Interrupted&) {
            throw;
        } catch (const std::exception& e) {
            // the kernel cannot be had (fetch, build): its cells are skips
            // that say why, never passes
            std::cerr << "pcc-lab: kernel " << k.label << ": " << e.what() << "\n";
            for (const auto& sc : scs) {
                if (report.find(k.label, sc.name)) {
                    continue;
                }
                ScenarioOutcome oc;
                oc.name = sc.name;
                oc.results.push_back(
                    {Status::skip, "scenario", "kernel " + k.label + " unavailable: " + e.what()});
                add(sc, oc);
            }
        }
        report.kernels.push_back(column);
    }
    report.wall_s = seconds_since(t0);
    write_matrix_reports(report, out_dir);
    const int status = tap.finish(o.fail_on_skip);
    std::cout << "# matrix: " << out_dir << "/{matrix.md,matrix.html,junit.xml}, total wall time "
              << fmt_s(report.wall_s) << "\n";
    return status;
}

// The in-guest round trips (bench.hpp): a table on stdout (markdown for
// docs/bench.md with --markdown); exit 1 when a measurement failed.
int cmd_bench(const Options& o, unsigned count, bool markdown) {
    auto scs = load_scenarios(o, {std::begin(kBenchScenarios), std::end(kBenchScenarios)});
    if (count) {
        for (auto& sc : scs) {
            set_bench_count(sc, count);
        }
    }
    std::vector<BenchRow> rows;
    bool failed = false;
    run_scenarios(o, scs, [&](const Scenario& sc, const ScenarioOutcome& oc) {
        for (auto& r : bench_rows(sc, oc)) {
            failed = failed || !r.fail.empty();
            rows.push_back(std::move(r));
        }
        for (const auto& r : oc.results) {
            if (r.status == Status::fail) {
                std::cerr << "pcc-lab: " << sc.name << ": not ok " << r.name << ": " << r.message
                          << "\n";
                failed = true;
            }
        }
    });
    std::cout << format_bench(rows, markdown);
    return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    pcc::install_cleanup_handlers();
    Options o;
    CLI::App app{
        "Boots Linux under qemu-pcc's QEMU with a scenario's PCC devices and reports "
        "what the guest checked (docs/lab.md).",
        "pcc-lab"};
    pcc::add_version_flag(app);
    app.footer(kFooter);
    app.require_subcommand(1);
    auto* run = app.add_subcommand(
        "run", "boot and check the scenarios (default: " + default_scenarios() + ")");
    run->add_option("scenario", o.scenarios, "a scenario of lab/scenarios, or FILE.conf")
        ->type_name("SCENARIO|FILE.conf");
    auto* list = app.add_subcommand("list", "the scenarios in lab/scenarios");
    auto* prep = app.add_subcommand("prepare", "fetch artefacts, build guest programs");
    auto* kernel = app.add_subcommand(
        "kernel", "build the lab kernel (Debian's linux-source, or --kernel-tree DIR) and pcc_raw");
    bool verbose = false;
    kernel
        ->add_option("--kernel-tree", o.kernel_tree,
                     "build this tree instead (out of tree, in the cache)")
        ->type_name("DIR")
        ->take_last();
    kernel->add_flag("-v,--verbose", verbose, "make's output on stderr too (always in make.log)");
    auto* bench = app.add_subcommand(
        "bench",
        "round trips timed inside the guest: the raw module's and AF_MCTP Get Endpoint "
        "ID, on spool and socket (lab/scenarios/bench-*.conf)");
    unsigned bench_count = 0;
    bool bench_markdown = false;
    bench->add_option("--count", bench_count, "round trips per device (default: the scenarios')")
        ->type_name("N");
    bench->add_flag("--markdown", bench_markdown, "the table in markdown (docs/bench.md)");
    auto* matrix = app.add_subcommand(
        "matrix", "the scenarios (default: " + default_scenarios() +
                      ") on several kernels, one after another: TAP, and JUnit XML, matrix.md and "
                      "matrix.html in --out DIR");
    matrix->add_option("scenario", o.scenarios, "a scenario of lab/scenarios, or FILE.conf")
        ->type_name("SCENARIO|FILE.conf");
    std::string matrix_kernels, matrix_out;
    matrix
        ->add_option(
            "--kernels", matrix_kernels,
            std::string("comma separated: bookworm, trixie, sid, experimental (Debian's "
                        "arm64 kernels), lab, image:IMAGE[:MODULES], tree:DIR (default: ") +
                kDefaultMatrixKernels + ")")
        ->type_name("LIST")
        ->take_last();
    matrix
        ->add_option("--out", matrix_out,
                     "reports and the cells' logs (DIR/KERNEL/SCENARIO/) (default: "
                     "$QEMU_PCC_CACHE/lab/matrix/YYYYMMDD-HHMMSS)")
        ->type_name("DIR")
        ->take_last();
    auto* diff = app.add_subcommand(
        "diff",
        "compare two transcripts (files or run log dirs): exit 0 equal, 1 different, 2 usage");
    std::vector<std::string> diff_paths;
    bool diff_update = false;
    diff->add_option("A B", diff_paths, "transcript.txt files or log dirs of runs")
        ->expected(2)
        ->required()
        ->type_name("PATH");
    diff->add_flag("--update", diff_update,
                   "A is a golden file: rewrite it with B's transcript (on purpose)");
    auto* help = app.add_subcommand("help", "this text");
    for (auto* cmd : {run, list, prep, bench}) {
        add_options(*cmd, o);
        cmd->footer(kFooter);
    }
    add_options(*matrix, o, false);
    matrix->footer(kMatrixFooter);
    if (argc > 1 && argv[1][0] != '-') {
        const auto commands = app.get_subcommands([](const CLI::App*) { return true; });
        if (std::none_of(commands.begin(), commands.end(),
                         [&](const CLI::App* c) { return c->check_name(argv[1]); })) {
            return pcc::usage_error(app, "unknown command '" + std::string(argv[1]) + "'");
        }
    }
    if (auto status = pcc::parse_command_line(app, argc, argv)) {
        return *status;
    }
    if (help->parsed()) {
        std::cout << app.get_formatter()->make_help(&app, app.get_name(),
                                                    CLI::AppFormatMode::Normal);
        return 0;
    }
    if (!o.modules.empty() && o.kernel.empty()) {
        return pcc::usage_error(app,
                                "--modules needs --kernel (the pinned kernel brings its own "
                                "modules)");
    }
    if (!o.kernel_config.empty() && o.kernel.empty()) {
        return pcc::usage_error(app, "--kernel-config needs --kernel");
    }
    if (!o.kernel.empty() && (!o.kernel_tree.empty() || o.lab_kernel)) {
        return pcc::usage_error(app, "--kernel excludes --kernel-tree and --lab-kernel");
    }
    try {
        if (diff->parsed()) {
            return diff_command(diff_paths[0], diff_paths[1], diff_update, std::cout, std::cerr);
        }
        if (run->parsed()) {
            return cmd_run(o);
        }
        if (matrix->parsed()) {
            return cmd_matrix(o, matrix_kernels, matrix_out);
        }
        if (kernel->parsed()) {
            return cmd_kernel(o, verbose);
        }
        if (bench->parsed()) {
            return cmd_bench(o, bench_count, bench_markdown);
        }
        if (list->parsed()) {
            return cmd_list(o);
        }
        return cmd_prepare(o);
    } catch (const pcc::Interrupted& i) {
        return 128 + i.signal;
    } catch (const std::exception& e) {
        std::cerr << "pcc-lab: error: " << e.what() << "\n";
        return 2;
    }
}
