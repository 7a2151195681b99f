// SPDX-License-Identifier: GPL-2.0-or-later
// The kernel matrix's pure parts: --kernels, a column's options, the
// verdicts of cells, the JUnit XML, Markdown and HTML reports (parsed back:
// counts, escaping, links), and the kernel requirements requires-version
// and requires-module.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>

#include "kconfig.hpp"
#include "matrix.hpp"
#include "matrix_report.hpp"
#include "scenario.hpp"
#include "tap_report.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using lab::MatrixKernel;
using lab::Status;
using State = lab::RequirementVerdict::State;

void put(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
}

int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

// ---- --kernels ---------------------------------------------------------------

TEST(MatrixKernels, ParsesTheDefaultList) {
    const auto ks = lab::parse_kernel_list(lab::kDefaultMatrixKernels);
    ASSERT_EQ(ks.size(), 5u);
    EXPECT_EQ(ks[0].label, "bookworm");
    EXPECT_EQ(ks[0].kind, MatrixKernel::Kind::suite);
    EXPECT_EQ(ks[3].suite, "experimental");
    EXPECT_EQ(ks[4].kind, MatrixKernel::Kind::lab);
    EXPECT_EQ(ks[4].label, "lab");
}

TEST(MatrixKernels, ImagesAndTrees) {
    const auto ks = lab::parse_kernel_list(
        "image:/k/Image:/k/lib/modules/7.3.4,image:/j/Image,tree:/src/linux,sid");
    ASSERT_EQ(ks.size(), 4u);
    EXPECT_EQ(ks[0].kind, MatrixKernel::Kind::image);
    EXPECT_EQ(ks[0].image, "/k/Image");
    EXPECT_EQ(ks[0].modules, "/k/lib/modules/7.3.4");
    EXPECT_EQ(ks[0].label, "image");
    EXPECT_EQ(ks[1].modules, "");
    EXPECT_EQ(ks[1].label, "image-2") << "one log directory per column";
    EXPECT_EQ(ks[2].tree, "/src/linux");
    EXPECT_EQ(ks[2].label, "tree");
}

TEST(MatrixKernels, RefusesBadWords) {
    for (const char* bad :
         {"", "sid,", "stretch", "image:", "image:/x:", "tree:", "sid,sid", "lab,lab", "Sid"}) {
        EXPECT_THROW(lab::parse_kernel_list(bad), std::invalid_argument) << bad;
    }
    try {
        lab::parse_kernel_list("sid,buster");
        ADD_FAILURE();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'buster'"), std::string::npos) << e.what();
    }
}

TEST(MatrixKernels, ColumnOptions) {
    lab::Options base;
    base.kernel = "/old/Image";
    base.modules = "/old/mods";
    base.log_dir = "/old/logs";
    base.lab_kernel = true;
    base.quiet = true;
    const auto ks = lab::parse_kernel_list("trixie,lab,image:/k/Image:/k/mods,tree:/t");
    auto o = lab::column_options(base, ks[0], "/out");
    EXPECT_EQ(o.kernel_suite, "trixie");
    EXPECT_TRUE(o.kernel.empty() && o.modules.empty() && o.log_dir.empty() && !o.lab_kernel);
    EXPECT_EQ(o.log_root, "/out/trixie");
    EXPECT_TRUE(o.quiet) << "the other options stay";
    EXPECT_EQ(lab::kernel_label(o), "trixie");
    o = lab::column_options(base, ks[1], "/out");
    EXPECT_TRUE(o.lab_kernel && o.kernel_suite.empty());
    EXPECT_EQ(lab::kernel_label(o), "lab");
    o = lab::column_options(base, ks[2], "/out");
    EXPECT_EQ(o.kernel, "/k/Image");
    EXPECT_EQ(o.modules, "/k/mods");
    EXPECT_EQ(lab::kernel_label(o), "image");
    o = lab::column_options(base, ks[3], "/out");
    EXPECT_EQ(o.kernel_tree, "/t");
    EXPECT_EQ(lab::kernel_label(o), "tree");
    EXPECT_EQ(lab::kernel_label(lab::Options{}), "sid");
}

// ---- verdicts and reports ----------------------------------------------------

lab::MatrixCell cell(const std::string& kernel, const std::string& scenario,
                     std::vector<lab::Result> results, double seconds,
                     const std::vector<std::string>& require = {}) {
    lab::MatrixCell c;
    c.kernel = kernel;
    c.scenario = scenario;
    c.outcome.name = scenario;
    c.outcome.results = std::move(results);
    c.outcome.total_s = seconds;
    if (seconds > 0) {
        c.outcome.log_dir = "/out/" + kernel + "/" + scenario;
        c.log_link = kernel + "/" + scenario + "/";
    }
    c.verdict = lab::scenario_verdict(c.outcome, require);
    return c;
}

// bookworm fails xgene-hwmon (a message with <&"'), skips cppc (not booted),
// passes pcc-core; sid passes everything.
lab::MatrixReport sample() {
    lab::MatrixReport r;
    r.kernels = {{"bookworm", "6.1.176 (6.1.0-50-arm64)"}, {"sid", "7.2.13"}};
    r.scenarios = {"pcc-core", "xgene-hwmon", "cppc"};
    r.cells = {
        cell("bookworm", "pcc-core", {{Status::ok, "kmsg-detected", "5 subspaces"}}, 20.25),
        cell("bookworm", "xgene-hwmon",
             {{Status::ok, "xgene-c4-pcct", "type 2"},
              {Status::fail, "hwmon-temp1", "read <timeout> & \"wedged\" 'x'\x01"},
              {Status::skip, "host-set-temp", "not reached"}},
             31.0),
        cell("bookworm", "cppc", {{Status::skip, "scenario", "needs Linux >= 6.2.0 & <more>"}}, 0),
        cell("sid", "pcc-core", {{Status::ok, "kmsg-detected", "5"}}, 18.0),
        cell("sid", "xgene-hwmon", {{Status::ok, "hwmon-temp1", "47000"}}, 25.0),
        cell("sid", "cppc",
             {{Status::ok, "cppc-perf", "ok"}, {Status::skip, "cppc-extra", "optional"}}, 30.0),
    };
    r.wall_s = 124.5;
    return r;
}

TEST(MatrixReport, CellVerdicts) {
    const auto r = sample();
    EXPECT_EQ(lab::cell_word(r.find("bookworm", "pcc-core")->verdict), "PASS");
    EXPECT_EQ(lab::cell_word(r.find("bookworm", "xgene-hwmon")->verdict), "FAIL");
    EXPECT_EQ(lab::cell_word(r.find("bookworm", "cppc")->verdict), "SKIP");
    EXPECT_EQ(lab::cell_reason(*r.find("bookworm", "cppc")),
              "scenario: needs Linux >= 6.2.0 & <more>");
    EXPECT_EQ(lab::cell_word(r.find("sid", "cppc")->verdict), "PASS") << "an optional skip";
    EXPECT_EQ(r.find("sid", "nothing"), nullptr);
    // a cell in which nothing passed is never a pass
    const auto empty = cell("sid", "x", {}, 3);
    EXPECT_EQ(lab::cell_word(empty.verdict), "SKIP");
    EXPECT_EQ(lab::cell_reason(empty), "no check passed");
    // a required check skipped: the cell is a skip
    const auto req =
        cell("sid", "y", {{Status::ok, "a", ""}, {Status::skip, "b", "why"}}, 3, {"b"});
    EXPECT_EQ(lab::cell_word(req.verdict), "SKIP");
    EXPECT_EQ(lab::cell_reason(req), "b: why");
}

TEST(MatrixReport, Escaping) {
    EXPECT_EQ(lab::xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    EXPECT_EQ(lab::xml_escape("t\tn\nz\x01\x7f"), "t\tn\nz\\x01\\x7f");
    EXPECT_EQ(lab::markdown_escape("a|b\\c\n<x>&"), "a\\|b\\\\c &lt;x&gt;&amp;");
}

TEST(MatrixReport, JunitXml) {
    const std::string x = lab::junit_xml(sample());
    EXPECT_TRUE(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    // one testsuite per kernel x scenario, one testcase per check
    EXPECT_EQ(count(x, "<testsuite "), 6);
    EXPECT_EQ(count(x, "<testcase "), 9);
    EXPECT_EQ(count(x, "<failure "), 1);
    EXPECT_EQ(count(x, "<skipped "), 3);
    EXPECT_NE(x.find("<testsuites name=\"pcc-lab matrix\" tests=\"9\" failures=\"1\" errors=\"0\" "
                     "skipped=\"3\" time=\"124.5\">"),
              std::string::npos)
        << x;
    EXPECT_NE(x.find("<testsuite name=\"bookworm/xgene-hwmon\" tests=\"3\" failures=\"1\" "
                     "errors=\"0\" skipped=\"1\" time=\"31.0\">"),
              std::string::npos)
        << x;
    EXPECT_NE(x.find("<failure message=\"read &lt;timeout&gt; &amp; &quot;wedged&quot; "
                     "&apos;x&apos;\\x01\">"),
              std::string::npos)
        << x;
    EXPECT_NE(x.find("<property name=\"verdict\" value=\"SKIP\"/>"), std::string::npos);
    EXPECT_NE(x.find("<property name=\"logs\" value=\"/out/sid/cppc\"/>"), std::string::npos);
    // nothing unescaped: every '<' opens a tag, every '&' an entity
    EXPECT_EQ(x.find("<timeout"), std::string::npos);
    EXPECT_FALSE(std::regex_search(x, std::regex("&(?!(amp|lt|gt|quot|apos);)")));
    EXPECT_EQ(count(x, "<testsuite "), count(x, "</testsuite>"));
    EXPECT_EQ(x.find('\x01'), std::string::npos);
}

TEST(MatrixReport, Markdown) {
    const std::string m = lab::matrix_markdown(sample());
    EXPECT_NE(
        m.find("| scenario | bookworm 6.1.176 (6.1.0-50-arm64) | sid 7.2.13 |\n|---|---|---|\n"),
        std::string::npos)
        << m;
    EXPECT_NE(m.find("| xgene-hwmon | [FAIL 31.0 s](bookworm/xgene-hwmon/) | [PASS 25.0 s]"
                     "(sid/xgene-hwmon/) |\n"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("| cppc | SKIP | [PASS 30.0 s](sid/cppc/) |\n"), std::string::npos)
        << "a cell that never booted has no time and no link\n"
        << m;
    EXPECT_NE(m.find("6 cells: 4 passed, 1 failed, 1 skipped; total wall time 124.5 s."),
              std::string::npos)
        << m;
    EXPECT_NE(
        m.find("- bookworm / cppc: SKIP: scenario: needs Linux &gt;= 6.2.0 &amp; &lt;more&gt;"),
        std::string::npos)
        << m;
    // every table row has one cell per kernel
    std::istringstream in(m);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("| ")) {
            EXPECT_EQ(count(line, " |"), 3) << line;
        }
    }
}

TEST(MatrixReport, Html) {
    const std::string h = lab::matrix_html(sample());
    EXPECT_TRUE(h.starts_with("<!DOCTYPE html>"));
    EXPECT_NE(h.find("<style>"), std::string::npos) << "self-contained";
    EXPECT_EQ(h.find("<link"), std::string::npos);
    EXPECT_EQ(h.find("<script"), std::string::npos);
    EXPECT_EQ(count(h, "<tr>"), 4);
    EXPECT_EQ(count(h, "<td class=\"PASS\""), 4);
    EXPECT_EQ(count(h, "<td class=\"FAIL\""), 1);
    EXPECT_EQ(count(h, "<td class=\"SKIP\""), 1);
    EXPECT_NE(h.find("<a href=\"bookworm/xgene-hwmon/\">FAIL 31.0 s</a>"), std::string::npos) << h;
    EXPECT_NE(h.find("title=\"hwmon-temp1: read &lt;timeout&gt; &amp; &quot;wedged&quot;"),
              std::string::npos)
        << h;
    EXPECT_EQ(h.find("<timeout>"), std::string::npos);
    EXPECT_FALSE(std::regex_search(h, std::regex("&(?!(amp|lt|gt|quot|apos);)")));
    EXPECT_NE(h.find("total wall time 124.5 s"), std::string::npos);
}

TEST(MatrixReport, WritesTheThreeFiles) {
    pcc::TempDir t("lab-unit");
    lab::write_matrix_reports(sample(), t / "m");
    for (const char* f : {"junit.xml", "matrix.md", "matrix.html"}) {
        EXPECT_GT(fs::file_size(fs::path(t / "m") / f), 100u) << f;
    }
}

// ---- requires-version, requires-module ---------------------------------------

TEST(KernelVersion, Parses) {
    using V = lab::KernelVersion;
    EXPECT_EQ(lab::parse_kernel_version("6.1.176"), (V{6, 1, 176}));
    EXPECT_EQ(lab::parse_kernel_version("7.3.0-rc7"), (V{7, 3, 0}));
    EXPECT_EQ(lab::parse_kernel_version("6.1.0-50-arm64"), (V{6, 1, 0}));
    EXPECT_EQ(lab::parse_kernel_version("7.3-arm64"), (V{7, 3, 0}));
    EXPECT_EQ(lab::parse_kernel_version("6.12.117+deb13-arm64"), (V{6, 12, 117}));
    for (const char* bad : {"", "6", "6.", "x6.1", "arm64"}) {
        EXPECT_FALSE(lab::parse_kernel_version(bad)) << bad;
    }
    EXPECT_LT((V{6, 1, 176}), (V{6, 2, 0}));
    EXPECT_LT((V{6, 12, 0}), (V{7, 0, 0}));
    EXPECT_EQ(lab::describe(V{6, 2, 0}), "6.2.0");
    EXPECT_EQ(lab::config_kernel_version("#\n# Automatically generated file; DO NOT EDIT.\n"
                                         "# Linux/arm64 6.1.176 Kernel Configuration\n#\n"),
              (V{6, 1, 176}));
    EXPECT_FALSE(lab::config_kernel_version("CONFIG_PCC=y\n"));
    EXPECT_EQ(lab::parse_version_requirement("6.2"), (V{6, 2, 0}));
    for (const char* bad : {"6", "6.2-rc1", "6.2.", "v6.2", "6.2.3.4", ">=6.2"}) {
        EXPECT_THROW(lab::parse_version_requirement(bad), std::invalid_argument) << bad;
    }
}

TEST(KernelRequirements, VersionAndModuleInScenarioFiles) {
    const auto s = lab::parse_scenario(
        "requires-version = 6.2\nrequires-module = xgene-hwmon i2c_xgene_slimpro\n"
        "requires-module = cppc-cpufreq\nguest = true\n",
        "x.conf");
    ASSERT_TRUE(s.kernel.min_version);
    EXPECT_EQ(*s.kernel.min_version, (lab::KernelVersion{6, 2, 0}));
    EXPECT_EQ(s.kernel.modules,
              (std::vector<std::string>{"xgene_hwmon", "i2c_xgene_slimpro", "cppc_cpufreq"}));
    for (const char* bad :
         {"requires-version = 6\nguest = true\n",
          "requires-version = 6.2\nrequires-version = 6.3\nguest = true\n",
          "requires-module =\nguest = true\n", "requires-module = a/b\nguest = true\n"}) {
        EXPECT_THROW(lab::parse_scenario(bad, "bad.conf"), std::runtime_error) << bad;
    }
}

TEST(KernelRequirements, VersionAgainstTheBootedKernel) {
    lab::KernelRequirements req;
    req.min_version = lab::KernelVersion{6, 2, 0};
    lab::KernelFacts k;
    k.version = lab::KernelVersion{6, 1, 176};
    auto v = lab::check_requirements(req, k);
    EXPECT_EQ(v.state, State::unmet);
    EXPECT_NE(v.reason.find("Linux >= 6.2.0"), std::string::npos) << v.reason;
    EXPECT_NE(v.reason.find("not 6.1.176"), std::string::npos) << v.reason;
    k.version = lab::KernelVersion{6, 2, 0};
    EXPECT_EQ(lab::check_requirements(req, k).state, State::met);
    k.version = lab::KernelVersion{7, 3, 0};
    EXPECT_EQ(lab::check_requirements(req, k).state, State::met);
    k.version.reset();
    v = lab::check_requirements(req, k);
    EXPECT_EQ(v.state, State::unknown) << "never a silent pass";
    EXPECT_NE(v.reason.find("version"), std::string::npos);
}

TEST(KernelRequirements, ModuleAgainstTheBootedKernel) {
    lab::KernelRequirements req;
    req.modules = {"xgene_hwmon", "i2c_xgene_slimpro"};
    lab::KernelFacts k;
    k.modules_path = "/m";
    k.modules = std::set<std::string>{"xgene_hwmon"};
    auto v = lab::check_requirements(req, k);
    EXPECT_EQ(v.state, State::unmet);
    EXPECT_NE(v.reason.find("i2c_xgene_slimpro"), std::string::npos) << v.reason;
    EXPECT_EQ(v.reason.find("xgene_hwmon,"), std::string::npos) << "only the missing one";
    k.modules->insert("i2c_xgene_slimpro");
    EXPECT_EQ(lab::check_requirements(req, k).state, State::met);
    k.modules.reset();
    EXPECT_EQ(lab::check_requirements(req, k).state, State::unknown);
    // unmet wins over unknown, and all reasons are named
    req.min_version = lab::KernelVersion{9, 0, 0};
    k.version = lab::KernelVersion{7, 0, 0};
    v = lab::check_requirements(req, k);
    EXPECT_EQ(v.state, State::unmet);
}

TEST(KernelRequirements, FactsFromTheTrees) {
    pcc::TempDir t("lab-unit");
    // Debian's split layout: the modules here, config and modules.builtin in
    // linux-base's tree
    const std::string mods = t / "modules/usr/lib/modules/7.3-arm64";
    const std::string base = t / "base/usr/lib/modules/7.3-arm64";
    put(mods + "/kernel/drivers/hwmon/xgene-hwmon.ko.xz", "");
    put(mods + "/kernel/drivers/i2c/busses/i2c-xgene-slimpro.ko", "");
    put(base + "/config", "# Linux/arm64 7.3.0-rc7 Kernel Configuration\nCONFIG_PCC=y\n");
    put(base + "/modules.builtin", "kernel/drivers/mailbox/pcc.ko\n");
    lab::KernelRequirements req;
    req.min_version = lab::KernelVersion{6, 2, 0};
    req.modules = {"xgene_hwmon", "i2c_xgene_slimpro", "pcc"};
    auto k = lab::load_kernel_facts(req, lab::KernelOrigin::stock, base + "/config", mods);
    ASSERT_TRUE(k.version);
    EXPECT_EQ(*k.version, (lab::KernelVersion{7, 3, 0}));
    ASSERT_TRUE(k.modules);
    EXPECT_EQ(*k.modules, (std::set<std::string>{"xgene_hwmon", "i2c_xgene_slimpro", "pcc"}));
    EXPECT_EQ(lab::check_requirements(req, k).state, State::met);
    req.modules.push_back("kunpeng_hccs");
    EXPECT_EQ(lab::check_requirements(req, k).state, State::unmet);
    // no config: the version from lib/modules/RELEASE
    k = lab::load_kernel_facts(req, lab::KernelOrigin::image, "",
                               t / "x/lib/modules/6.1.0-50-arm64");
    ASSERT_TRUE(k.version);
    EXPECT_EQ(*k.version, (lab::KernelVersion{6, 1, 0}));
    EXPECT_FALSE(k.modules) << "no such tree: unknown";
    // nothing asked: nothing read
    k = lab::load_kernel_facts({}, lab::KernelOrigin::stock, base + "/config", mods);
    EXPECT_FALSE(k.version || k.modules || k.config);
}

}  // namespace
