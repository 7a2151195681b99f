// SPDX-License-Identifier: GPL-2.0-or-later
// The lab kernel's pure parts: cache keys, .config and Kconfig parsing,
// the fragment check, what scenarios require of their kernel, and the
// modules that a kernel has built in.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "kconfig.hpp"
#include "kernel.hpp"
#include "modules.hpp"
#include "scenario.hpp"
#include "temp_dir.hpp"
#include "text.hpp"

namespace {

namespace fs = std::filesystem;
using lab::KernelKind;
using lab::KernelOrigin;
using State = lab::RequirementVerdict::State;

void put(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
}

TEST(Digest, IsFnv1a64) {
    EXPECT_EQ(lab::Digest().hex(), "cbf29ce484222325");
    EXPECT_EQ(lab::Digest().add("a").hex(), "af63dc4c8601ec8c");
    EXPECT_EQ(lab::Digest().add("foobar").value(), 0x85944171f73967e8ull);
    // fields are framed: moving a byte from one to the next changes the key
    EXPECT_NE(lab::Digest().field("ab").field("c").hex(),
              lab::Digest().field("a").field("bc").hex());
}

lab::KernelKeyInputs inputs() {
    lab::KernelKeyInputs in;
    in.source = "linux-source-7.3 7.3.4-1~bpo13+1";
    in.fragment = "CONFIG_PCC=y\n";
    in.script = "#!/bin/bash\n";
    in.compiler = "aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0";
    in.kmod = {{"Kbuild", "obj-m += pcc_raw.o\n"}, {"pcc_raw.c", "int x;\n"}};
    return in;
}

TEST(KernelKey, ChangesWithEveryInput) {
    const auto base = inputs();
    const std::string k = lab::kernel_key(base), m = lab::kmod_key(base);
    EXPECT_EQ(k.size(), 16u);
    EXPECT_EQ(lab::kernel_key(inputs()), k) << "stable";
    for (auto change : {&lab::KernelKeyInputs::source, &lab::KernelKeyInputs::fragment,
                        &lab::KernelKeyInputs::script, &lab::KernelKeyInputs::compiler}) {
        auto in = inputs();
        in.*change += "x";
        EXPECT_NE(lab::kernel_key(in), k);
        EXPECT_NE(lab::kmod_key(in), m) << "the module follows its kernel";
    }
    // the module's sources change the module's key only
    auto in = inputs();
    in.kmod[1].second += "int y;\n";
    EXPECT_EQ(lab::kernel_key(in), k);
    EXPECT_NE(lab::kmod_key(in), m);
    in = inputs();
    in.kmod.emplace_back("pcc_raw.h", "");
    EXPECT_NE(lab::kmod_key(in), m) << "a new file counts";
    // the order of the files does not
    in = inputs();
    std::swap(in.kmod[0], in.kmod[1]);
    EXPECT_EQ(lab::kmod_key(in), m);
}

TEST(KernelKey, BuildDirectoryNames) {
    EXPECT_EQ(lab::safe_name("linux-source-7.3_7.3.4-1~bpo13+1"),
              "linux-source-7.3_7.3.4-1_bpo13_1");
    EXPECT_EQ(lab::safe_name(""), "_");
    const std::string a = lab::tree_build_name("/home/u/linux");
    EXPECT_TRUE(a.starts_with("linux-")) << a;
    EXPECT_EQ(a, lab::tree_build_name("/home/u/linux"));
    EXPECT_NE(a, lab::tree_build_name("/home/v/linux")) << "same name, other tree";
}

TEST(KernelConfig, ParsesValuesAndUnsetSymbols) {
    const auto c = lab::parse_kernel_config(
        "#\n# Automatically generated file; DO NOT EDIT.\n#\nCONFIG_PCC=y\nCONFIG_SENSORS_XGENE=m\n"
        "# CONFIG_KUNPENG_HCCS is not set\nCONFIG_HZ=250\nCONFIG_LOCALVERSION=\"-lab\"\n"
        "  CONFIG_SPACED=y  \n# a comment with CONFIG_X=y\nCONFIG_bad-name=y\n");
    EXPECT_EQ(c.at("CONFIG_PCC"), "y");
    EXPECT_EQ(c.at("CONFIG_SENSORS_XGENE"), "m");
    EXPECT_EQ(c.at("CONFIG_KUNPENG_HCCS"), "n");
    EXPECT_EQ(c.at("CONFIG_HZ"), "250");
    EXPECT_EQ(c.at("CONFIG_LOCALVERSION"), "\"-lab\"");
    EXPECT_EQ(c.at("CONFIG_SPACED"), "y");
    EXPECT_EQ(c.count("CONFIG_X"), 0u);
    EXPECT_EQ(c.size(), 6u);
}

TEST(KernelConfig, SymbolNames) {
    EXPECT_EQ(lab::config_symbol("KUNPENG_HCCS"), "CONFIG_KUNPENG_HCCS");
    EXPECT_EQ(lab::config_symbol("CONFIG_KUNPENG_HCCS"), "CONFIG_KUNPENG_HCCS");
    EXPECT_THROW(lab::config_symbol(""), std::invalid_argument);
    EXPECT_THROW(lab::config_symbol("CONFIG_"), std::invalid_argument);
    EXPECT_THROW(lab::config_symbol("A-B"), std::invalid_argument);
}

TEST(Kconfig, FindsDefinedSymbols) {
    const auto s = lab::kconfig_symbols(
        "menu \"Hisilicon SoC drivers\"\n\tdepends on ARCH_HISI || COMPILE_TEST\n\n"
        "config KUNPENG_HCCS\n\ttristate \"HCCS driver\"\n\tdepends on PCC\n"
        "menuconfig MCTP\n  config INDENTED\nconfigure NOT_ONE\nconfig\nconfig  TWO_SPACES\n"
        "\thelp\n\t  Say Y.\n");
    EXPECT_EQ(s, (std::set<std::string>{"CONFIG_KUNPENG_HCCS", "CONFIG_MCTP", "CONFIG_INDENTED",
                                        "CONFIG_TWO_SPACES"}));
}

TEST(Kconfig, ScansATreeAsArm64SeesIt) {
    pcc::TempDir t("lab-unit");
    put(t / "Kconfig", "config TOP\n");
    put(t / "arch/Kconfig", "config ARCH_COMMON\n");
    put(t / "arch/arm64/Kconfig", "config ARM64\n");
    put(t / "arch/arm64/Kconfig.platforms", "config ARCH_HISI\n");
    put(t / "arch/x86/Kconfig", "config X86\n");
    put(t / "drivers/net/mctp/Kconfig", "config MCTP_TRANSPORT_PCC\n");
    put(t / "drivers/net/mctp/Makefile", "config NOT_KCONFIG\n");
    put(t / "Documentation/Kconfig", "config DOC\n");
    put(t / "tools/Kconfig", "config TOOL\n");
    EXPECT_EQ(lab::tree_kconfig_symbols(t.path()),
              (std::set<std::string>{"CONFIG_TOP", "CONFIG_ARCH_COMMON", "CONFIG_ARM64",
                                     "CONFIG_ARCH_HISI", "CONFIG_MCTP_TRANSPORT_PCC"}));
}

TEST(Kconfig, ChecksTheFragmentAgainstTheConfig) {
    const auto frag = lab::parse_kernel_config(
        "CONFIG_PCC=y\nCONFIG_SENSORS_XGENE=m\nCONFIG_KUNPENG_HCCS=m\n"
        "CONFIG_MCTP_TRANSPORT_PCC=y\n# CONFIG_PCI is not set\n# CONFIG_VT is not set\n");
    const auto cfg = lab::parse_kernel_config(
        "CONFIG_PCC=y\nCONFIG_SENSORS_XGENE=m\n# CONFIG_KUNPENG_HCCS is not set\nCONFIG_VT=y\n");
    const std::set<std::string> defined{"CONFIG_PCC", "CONFIG_SENSORS_XGENE", "CONFIG_KUNPENG_HCCS",
                                        "CONFIG_PCI", "CONFIG_VT"};
    const auto issues = lab::check_fragment(frag, cfg, defined);
    ASSERT_EQ(issues.size(), 3u);
    // map order: KUNPENG_HCCS, MCTP_TRANSPORT_PCC, VT (PCI: unset = absent, fine)
    EXPECT_EQ(issues[0].symbol, "CONFIG_KUNPENG_HCCS");
    EXPECT_EQ(issues[0].kind, lab::FragmentIssue::Kind::not_applied);
    EXPECT_EQ(issues[0].got, "n");
    EXPECT_NE(lab::describe(issues[0]).find("dependency"), std::string::npos);
    EXPECT_EQ(issues[1].symbol, "CONFIG_MCTP_TRANSPORT_PCC");
    EXPECT_EQ(issues[1].kind, lab::FragmentIssue::Kind::not_in_tree);
    EXPECT_EQ(issues[1].got, "");
    EXPECT_NE(lab::describe(issues[1]).find("no Kconfig"), std::string::npos);
    EXPECT_EQ(issues[2].symbol, "CONFIG_VT");
    EXPECT_EQ(issues[2].wanted, "n");
    EXPECT_TRUE(lab::check_fragment(cfg, cfg, {}).empty());
}

TEST(Kconfig, TheRepositorysFragmentParses) {
    const auto frag = lab::load_kernel_config(PCC_SOURCE_ROOT "/lab/kernel/pcc-lab.config");
    for (const char* sym : {"CONFIG_EFI", "CONFIG_ACPI", "CONFIG_PCC", "CONFIG_MAILBOX",
                            "CONFIG_MODULES", "CONFIG_BLK_DEV_INITRD", "CONFIG_DEVTMPFS"}) {
        EXPECT_EQ(frag.count(sym), 1u) << sym;
        EXPECT_EQ(frag.at(sym), "y") << sym;
    }
    for (const auto& [sym, value] : frag) {
        EXPECT_TRUE(value == "y" || value == "m" || value == "n") << sym << "=" << value;
    }
}

TEST(KernelRequirements, ParsesKindAndConfigWords) {
    EXPECT_EQ(lab::parse_kernel_kind("lab"), KernelKind::lab);
    EXPECT_EQ(lab::parse_kernel_kind("stock"), KernelKind::stock);
    EXPECT_EQ(lab::parse_kernel_kind("any"), KernelKind::any);
    EXPECT_THROW(lab::parse_kernel_kind("debian"), std::invalid_argument);
    auto r = lab::parse_config_requirement("KUNPENG_HCCS");
    EXPECT_TRUE(r.symbol == "CONFIG_KUNPENG_HCCS" && r.value.empty());
    r = lab::parse_config_requirement("CONFIG_MCTP=y");
    EXPECT_TRUE(r.symbol == "CONFIG_MCTP" && r.value == "y");
    EXPECT_EQ(lab::describe(r), "CONFIG_MCTP=y");
    EXPECT_EQ(lab::describe(lab::parse_config_requirement("X")), "CONFIG_X (y or m)");
    EXPECT_THROW(lab::parse_config_requirement("CONFIG_X=yes"), std::invalid_argument);
    EXPECT_THROW(lab::parse_config_requirement("=y"), std::invalid_argument);
}

TEST(KernelRequirements, InScenarioFiles) {
    const auto s = lab::parse_scenario(
        "kernel = lab\nrequires-config = CONFIG_KUNPENG_HCCS MCTP=y\n"
        "requires-config = CONFIG_PCI=n\nguest = true\n",
        "x.conf");
    EXPECT_EQ(s.kernel.kind, KernelKind::lab);
    ASSERT_EQ(s.kernel.configs.size(), 3u);
    EXPECT_EQ(s.kernel.configs[1].symbol, "CONFIG_MCTP");
    EXPECT_EQ(s.kernel.configs[2].value, "n");
    EXPECT_EQ(lab::parse_scenario("guest = true\n", "y.conf").kernel.kind, KernelKind::any);
    for (const char* bad : {"kernel = debian\nguest = true\n", "requires-config =\nguest = true\n",
                            "requires-config = A=1\nguest = true\n"}) {
        try {
            lab::parse_scenario(bad, "bad.conf");
            ADD_FAILURE() << bad;
        } catch (const std::runtime_error& e) {
            EXPECT_TRUE(std::string(e.what()).starts_with("bad.conf:1: ")) << e.what();
        }
    }
}

TEST(KernelRequirements, KindAgainstTheBootedKernel) {
    lab::KernelRequirements req;
    const lab::KernelConfig cfg;
    for (auto o :
         {KernelOrigin::stock, KernelOrigin::lab, KernelOrigin::tree, KernelOrigin::image}) {
        EXPECT_EQ(lab::check_requirements(req, o, cfg, "c").state, State::met);
    }
    req.kind = KernelKind::lab;
    const auto v = lab::check_requirements(req, KernelOrigin::stock, cfg, "c");
    EXPECT_EQ(v.state, State::unmet);
    EXPECT_NE(v.reason.find("kernel = lab"), std::string::npos) << v.reason;
    EXPECT_EQ(lab::check_requirements(req, KernelOrigin::lab, cfg, "c").state, State::met);
    EXPECT_EQ(lab::check_requirements(req, KernelOrigin::tree, cfg, "c").state, State::met);
    EXPECT_EQ(lab::check_requirements(req, KernelOrigin::image, cfg, "c").state, State::met)
        << "an explicit --kernel wins";
    req.kind = KernelKind::stock;
    EXPECT_EQ(lab::check_requirements(req, KernelOrigin::stock, cfg, "c").state, State::met);
    EXPECT_EQ(lab::check_requirements(req, KernelOrigin::tree, cfg, "c").state, State::unmet);
}

TEST(KernelRequirements, ConfigSymbolsAgainstTheBootedKernel) {
    lab::KernelRequirements req;
    req.configs = {lab::parse_config_requirement("CONFIG_KUNPENG_HCCS"),
                   lab::parse_config_requirement("CONFIG_MCTP=y"),
                   lab::parse_config_requirement("CONFIG_PCI=n")};
    auto cfg = lab::parse_kernel_config("CONFIG_KUNPENG_HCCS=m\nCONFIG_MCTP=y\n");
    EXPECT_EQ(lab::check_requirements(req, KernelOrigin::lab, cfg, "c").state, State::met);
    cfg["CONFIG_PCI"] = "n";
    EXPECT_EQ(lab::check_requirements(req, KernelOrigin::lab, cfg, "c").state, State::met);
    // the stock kernel: no HCCS, no MCTP; the reason names both and the file
    const auto stock = lab::parse_kernel_config("# CONFIG_KUNPENG_HCCS is not set\nCONFIG_PCI=y\n");
    const auto v = lab::check_requirements(req, KernelOrigin::stock, stock, "/x/config");
    EXPECT_EQ(v.state, State::unmet);
    for (const char* word : {"CONFIG_KUNPENG_HCCS (y or m) (n)", "CONFIG_MCTP=y (not set)",
                             "CONFIG_PCI=n (y)", "the stock Debian kernel", "/x/config"}) {
        EXPECT_NE(v.reason.find(word), std::string::npos) << word << " in " << v.reason;
    }
    // no config: unknown, never a silent pass
    const auto u = lab::check_requirements(req, KernelOrigin::image, std::nullopt, "");
    EXPECT_EQ(u.state, State::unknown);
    EXPECT_NE(u.reason.find("--kernel-config"), std::string::npos) << u.reason;
    // the file variant: "" and an unreadable path are unknown
    EXPECT_EQ(lab::check_requirements(req, KernelOrigin::image, "").state, State::unknown);
    EXPECT_EQ(lab::check_requirements(req, KernelOrigin::image, "/nonexistent/.config").state,
              State::unknown);
    pcc::TempDir t("lab-unit");
    put(t / "config", "CONFIG_KUNPENG_HCCS=y\nCONFIG_MCTP=y\n");
    EXPECT_EQ(lab::check_requirements(req, KernelOrigin::image, t / "config").state, State::met);
}

TEST(KernelRequirements, FindsTheConfigOfAnImage) {
    pcc::TempDir t("lab-unit");
    put(t / "linux/arch/arm64/boot/Image", "");
    EXPECT_EQ(lab::guess_kernel_config(t / "linux/arch/arm64/boot/Image", ""), "");
    put(t / "mods/lib/modules/7.3.4/config", "CONFIG_PCC=y\n");
    EXPECT_EQ(
        lab::guess_kernel_config(t / "linux/arch/arm64/boot/Image", t / "mods/lib/modules/7.3.4"),
        fs::canonical(t / "mods/lib/modules/7.3.4/config").string());
    put(t / "linux/.config", "CONFIG_PCC=y\n");
    EXPECT_EQ(
        lab::guess_kernel_config(t / "linux/arch/arm64/boot/Image", t / "mods/lib/modules/7.3.4"),
        fs::canonical(t / "linux/.config").string())
        << "the image's own tree first";
}

TEST(Modules, KnowsWhatIsBuiltIn) {
    EXPECT_EQ(lab::builtin_modules("kernel/drivers/hwmon/xgene-hwmon.ko\nkernel/net/mctp/mctp.ko\n"
                                   "\nnot-a-module.txt\n"),
              (std::set<std::string>{"xgene_hwmon", "mctp"}));
    pcc::TempDir t("lab-unit");
    put(t / "modules.builtin", "kernel/drivers/hwmon/xgene-hwmon.ko\n");
    const auto set = lab::resolve_modules(t.path(), {"xgene-hwmon", "kunpeng_hccs"});
    EXPECT_TRUE(set.load_order.empty());
    EXPECT_EQ(set.builtin, std::vector<std::string>{"xgene_hwmon"});
    EXPECT_EQ(set.missing, std::vector<std::string>{"kunpeng_hccs"});
}

}  // namespace

// The report of lab/kernel/fetch-source.sh and lab/fetch.sh: KEY=VALUE lines
// (pcc::parse_key_values, common/text.hpp).
TEST(KeyValues, ParsesAScriptsReport) {
    const auto kv = pcc::parse_key_values(
        "src=/cache/linux-source-7.3\nnoise "
        "line\nversion=7.3.4-1~bpo13+1\nurl=a=b\nversion=7.3.5\n");
    EXPECT_EQ(kv.size(), 3U);
    EXPECT_EQ(kv.at("src"), "/cache/linux-source-7.3");
    EXPECT_EQ(kv.at("url"), "a=b");        // split at the first '='
    EXPECT_EQ(kv.at("version"), "7.3.5");  // a later KEY wins
    EXPECT_TRUE(pcc::parse_key_values("").empty());
    EXPECT_EQ(pcc::parse_key_values("k=").at("k"), "");
}
