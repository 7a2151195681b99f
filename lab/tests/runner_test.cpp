// SPDX-License-Identifier: GPL-2.0-or-later
// The runner's pure parts: the cpio writer, the scenario parser, the
// modinfo reader, the placeholders, the QEMU command line and the
// scenario script.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpio.hpp"
#include "initramfs.hpp"
#include "modules.hpp"
#include "placeholders.hpp"
#include "qemu_command.hpp"
#include "scenario.hpp"
#include "temp_dir.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(Cpio, WritesNewcEntries) {
    lab::CpioWriter w;
    w.directory("/bin");
    w.file("/bin/x", std::string("hello"), 0755);
    w.char_device("/dev/console", 5, 1);
    w.finish();
    const auto& b = w.bytes();
    EXPECT_EQ(b.size() % 4, 0u);
    EXPECT_EQ(std::memcmp(b.data(), "070701", 6), 0);
    std::string s(b.begin(), b.end());
    EXPECT_TRUE(s.find("bin/x") != std::string::npos && s.find("/bin/x") == std::string::npos);
    EXPECT_NE(s.find("hello"), std::string::npos);
    EXPECT_NE(s.find("TRAILER!!!"), std::string::npos);
    // every header starts 4-aligned
    for (auto at = s.find("070701", 1); at != std::string::npos; at = s.find("070701", at + 1)) {
        EXPECT_EQ(at % 4, 0u) << "header at " << at;
    }
    // mode of /bin/x: S_IFREG|0755 = 0x81ed
    EXPECT_NE(s.find("000081ED"), std::string::npos);
}

TEST(Scenario, ParsesEveryKey) {
    auto s = lab::parse_scenario(
        "# c\ndescription = d\ntimeout = 12\ndevice = pcc-mctp,channel=0\n"
        "modules = a b-c\nguest = x --y\nguest = z\npccd = --spool @spool:c0\n"
        "pccd-missing = continue\nrequire = r1 r2\n",
        "dir/name.conf");
    EXPECT_TRUE(s.name == "name" && s.description == "d" && s.timeout_s == 12);
    EXPECT_TRUE(s.devices.size() == 1 && s.modules.size() == 2 && s.guest.size() == 2);
    EXPECT_TRUE(s.pccd && *s.pccd == "--spool @spool:c0" && !s.pccd_required);
    EXPECT_EQ(s.require.size(), 2u);
}

TEST(Scenario, NamesTheLineOfAnError) {
    bool threw = false;
    try {
        lab::parse_scenario("guest = x\nbogus = 1\n", "f.conf");
    } catch (const std::runtime_error& e) {
        threw = std::string(e.what()).find("f.conf:2") != std::string::npos;
    }
    EXPECT_TRUE(threw);
    EXPECT_THROW(lab::parse_scenario("device = x\n", "f.conf"), std::runtime_error);
}

TEST(Scenario, ParsesHostStepsAndSkips) {
    auto s = lab::parse_scenario(
        "guest = g\non set-temp = @pccd set x 1\nqemu = -smp  2\nskip = later\n", "h.conf");
    ASSERT_EQ(s.on.size(), 1u);
    EXPECT_EQ(s.on[0].name, "set-temp");
    EXPECT_EQ(s.on[0].command, "@pccd set x 1");
    EXPECT_FALSE(s.on[0].expected);
    EXPECT_EQ(s.qemu_args, (std::vector<std::string>{"-smp", "2"}));
    EXPECT_EQ(s.skip, "later");
    EXPECT_THROW(lab::parse_scenario("guest = g\non a = x\non a = y\n", "f.conf"),
                 std::runtime_error);
    EXPECT_THROW(lab::parse_scenario("guest = g\non a/b = x\n", "f.conf"), std::runtime_error);
}

TEST(Scenario, FindsScenarioFiles) {
    EXPECT_EQ(lab::find_scenario("pcc-core", "/s"), "/s/pcc-core.conf");
    EXPECT_EQ(lab::find_scenario("x.conf", "/s"), "x.conf");
    EXPECT_EQ(lab::find_scenario("./x", "/s"), "./x");
    // every scenario of lab/scenarios parses
    const auto files = lab::scenario_files(PCC_SOURCE_ROOT "/lab/scenarios");
    EXPECT_GE(files.size(), 7u);
    for (const auto& f : files) {
        EXPECT_NO_THROW(lab::load_scenario(f)) << f;
    }
}

TEST(Modules, ReadsDependsFromModinfo) {
    std::string ko = std::string(
                         "\x7f"
                         "ELF junk",
                         9) +
                     std::string("\0license=GPL\0depends=hwmon,i2c-core\0name=x\0", 42);
    auto d = lab::module_depends(Bytes(ko.begin(), ko.end()));
    EXPECT_TRUE(d.size() == 2 && d[0] == "hwmon" && d[1] == "i2c_core");
    std::string none = std::string("\0depends=\0", 10);
    EXPECT_TRUE(lab::module_depends(Bytes(none.begin(), none.end())).empty());
}

TEST(Placeholders, ExpandsEveryPlaceholder) {
    pcc::TempDir run("lab-unit");
    const lab::Places with_pccd{run.path(), true, "/bin/pccd", "/here"};
    EXPECT_EQ(lab::expand("spool=@spool:c0,x", with_pccd), "spool=" + run.path() + "/spool-c0,x");
    struct stat st {};
    ASSERT_EQ(::stat((run.path() + "/spool-c0").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_EQ(lab::expand("@socket:ctl", with_pccd), run.path() + "/ctl.sock");
    EXPECT_EQ(lab::expand("@run/x @here/r @pccd set", with_pccd),
              run.path() + "/x /here/r /bin/pccd set");
    EXPECT_EQ(lab::expand("check @platform", with_pccd), "check ");
    const lab::Places without{run.path(), false, "", "/here"};
    EXPECT_EQ(lab::expand("check @platform", without), "check --no-platform");
    EXPECT_THROW(lab::expand("@pccd set", without), std::runtime_error);
    EXPECT_EQ(lab::argv_words(" a\tb  c "), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(QemuCommand, HasTheScenariosDevicesAfterTheMachine) {
    pcc::TempDir run("lab-unit");
    const lab::Places places{run.path(), true, "", "/here"};
    lab::Artefacts a;
    a.qemu = "qemu";
    a.bios = "EFI.fd";
    a.kernel = "Image";
    const auto sc = lab::parse_scenario(
        "guest = g\ndevice = pcc-mctp,channel=0,spool=@spool:c0\nqemu = -smp 2\n"
        "append = loglevel=8\n",
        "q.conf");
    const auto argv = lab::qemu_command(a, sc, "initrd.cpio", places);
    EXPECT_EQ(lab::command_line(argv),
              "'qemu' '-M' 'virt' '-cpu' 'cortex-a57' '-smp' '1' '-m' '1G' '-display' 'none' "
              "'-monitor' 'none' '-serial' 'stdio' '-nic' 'none' '-no-reboot' '-bios' 'EFI.fd' "
              "'-kernel' 'Image' '-initrd' 'initrd.cpio' "
              "'-append' 'console=ttyAMA0 acpi=force panic=-1 loglevel=8' "
              "'-device' 'pcc-mctp,channel=0,spool=" +
                  run.path() + "/spool-c0' '-smp' '2' \n");
    EXPECT_EQ(lab::command_line({"a b", "it's"}), "'a b' 'it'\\''s' \n");
}

TEST(Initramfs, ScenarioScriptFramesEveryCommand) {
    const lab::Places places{"/run", false, "", "/here"};
    const auto sc = lab::parse_scenario("guest = check @platform\nguest = echo 'hi'\n", "s.conf");
    EXPECT_EQ(lab::scenario_script(sc, places),
              "# generated by pcc-lab for scenario s\n"
              "echo 'PCC-LAB-RUN 1 check --no-platform'\n"
              "check --no-platform\n"
              "echo \"PCC-LAB-EXIT 1 $?\"\n"
              "echo 'PCC-LAB-RUN 2 echo '\\''hi'\\'''\n"
              "echo 'hi'\n"
              "echo \"PCC-LAB-EXIT 2 $?\"\n");
}

}  // namespace
