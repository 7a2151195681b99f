// SPDX-License-Identifier: GPL-2.0-or-later
// Device descriptions (qemu/docs/system/devices/pcc.rst, "Device
// description") and the bindings they feed: which personality answers a
// channel and where its answers go, by --bind, description, or PCC command.
#include <gtest/gtest.h>

#include <cstring>
#include <iterator>

#include "binding.hpp"
#include "device_description.hpp"
#include "engine.hpp"
#include "log.hpp"
#include "test_util.hpp"

namespace pccd {
namespace {

using test::hex;

constexpr const char* kMctpDevice =
    "pcc-device 1\n"
    "class pcc-mctp\n"
    "channel 0\n"
    "subspace 0 type 3 role initiator shmem 4096\n"
    "subspace 1 type 4 role responder shmem 4096\n";

TEST(DeviceDescription, ParsesTheSpecExample) {
    auto parsed = parse_device_description(kMctpDevice);
    ASSERT_TRUE(parsed.device) << parsed.error;
    EXPECT_TRUE(parsed.problems.empty());
    const DeviceDescription& d = *parsed.device;
    EXPECT_EQ(d.device_class, "pcc-mctp");
    EXPECT_EQ(d.channel, 0u);
    ASSERT_EQ(d.subspaces.size(), 2u);
    EXPECT_EQ(d.subspaces[0], (SubspaceInfo{0, 3, SubspaceRole::initiator, 4096}));
    EXPECT_EQ(d.subspaces[1], (SubspaceInfo{1, 4, SubspaceRole::responder, 4096}));
    EXPECT_EQ(d.layout(), Layout::extended);
    EXPECT_EQ(d.find(SubspaceRole::responder)->index, 1u);
    EXPECT_EQ(d.find(SubspaceRole::mailbox), nullptr);
    // Written back the same way.
    EXPECT_EQ(format_device_description(d), kMctpDevice);
}

TEST(DeviceDescription, PropertiesBlanksAndUnknownStatements) {
    auto parsed = parse_device_description(
        "\r\n  pcc-device   1  \r\n"
        "class\tpcc-xgene-hwmon\n"
        "channel 0x04\n"
        "\n"
        "subspace 4 type 2 role mailbox shmem 4096 doorbell 0x10\n"  // unknown key: newer QEMU
        "property cpus 8\n"
        "property model X-Gene  2 rev b\n"
        "future-statement with words\n");
    ASSERT_TRUE(parsed.device) << parsed.error;
    EXPECT_TRUE(parsed.problems.empty());
    const DeviceDescription& d = *parsed.device;
    EXPECT_EQ(d.channel, 4u);
    EXPECT_EQ(d.layout(), Layout::generic);
    EXPECT_EQ(d.property("cpus"), "8");
    EXPECT_EQ(d.property("model"), "X-Gene  2 rev b");  // the rest of the line
    EXPECT_EQ(d.property("nope"), std::nullopt);
}

// Every bad line is reported with its number and reason and ignored; the
// rest of the description stands.
TEST(DeviceDescription, BadLinesAreReportedAndIgnored) {
    auto parsed = parse_device_description(
        "pcc-device 1\n"
        "class pcc-mctp\n"
        "class pcc-other\n"                            // 3: second class
        "channel 300\n"                                // 4: out of range
        "channel 2\n"                                  // 5: ok
        "subspace 2 type 3 role initiator\n"           // 6: ok
        "subspace 2 type 3 role initiator\n"           // 7: twice
        "subspace 3 type 4 role boss\n"                // 8: unknown role
        "subspace 3 type 3 role responder\n"           // 9: type does not fit
        "subspace 3 type 9 role responder\n"           // 10: bad type
        "subspace 3 role responder\n"                  // 11: no type
        "subspace x type 4 role responder\n"           // 12: bad index
        "subspace 3 type 4 role responder shmem\n"     // 13: odd words
        "subspace 3 type 4 role responder shmem -1\n"  // 14: bad size
        "subspace 3 type 4 role responder\n"           // 15: ok
        "property\n"                                   // 16: no name
        "property a\n"                                 // 17: no value
        "property b@d 1\n"                             // 18: bad name
        "property a 1\n"                               // 19: ok
        "property a 2\n"                               // 20: twice
        "pcc-device 1\n"                               // 21: twice
        "bell \x01\x02\n"                              // 22: control characters
        "channel 3\n");                                // 23: second channel
    ASSERT_TRUE(parsed.device) << parsed.error;
    std::vector<int> lines;
    for (const auto& p : parsed.problems) {
        EXPECT_FALSE(p.reason.empty());
        lines.push_back(p.line);
    }
    EXPECT_EQ(lines,
              (std::vector<int>{3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 20, 21, 22, 23}));
    EXPECT_NE(parsed.problems[3].reason.find("unknown role 'boss'"), std::string::npos);
    EXPECT_NE(parsed.problems[4].reason.find("type 3 cannot have the role responder"),
              std::string::npos);
    const DeviceDescription& d = *parsed.device;
    EXPECT_EQ(d.device_class, "pcc-mctp");
    EXPECT_EQ(d.channel, 2u);
    ASSERT_EQ(d.subspaces.size(), 2u);
    EXPECT_EQ(d.subspaces[1].index, 3u);
    EXPECT_EQ(d.property("a"), "1");
}

// A mailbox is a subspace of type 0 to 3 whose answer comes back into it:
// types 0-2 in the generic layout, type 3 (pcc-opregion) in the extended one.
TEST(DeviceDescription, MailboxRoleOnTypesZeroToThree) {
    for (unsigned type = 0; type <= 3; ++type) {
        auto parsed = parse_device_description(
            "pcc-device 1\nclass pcc-opregion\nchannel 5\nsubspace 5 type " + std::to_string(type) +
            " role mailbox shmem 4096\nproperty region-length 20\n");
        ASSERT_TRUE(parsed.device) << parsed.error;
        EXPECT_TRUE(parsed.problems.empty()) << type << ": " << parsed.problems[0].reason;
        const DeviceDescription& d = *parsed.device;
        EXPECT_EQ(d.subspaces.at(0), (SubspaceInfo{5, type, SubspaceRole::mailbox, 4096}));
        EXPECT_EQ(d.layout(), type == 3 ? Layout::extended : Layout::generic) << type;
        EXPECT_EQ(d.find(SubspaceRole::mailbox)->index, 5u);
        EXPECT_EQ(parse_device_description(format_device_description(d)).device, d);
    }
    // Type 4 (responder) and 5 cannot be mailboxes.
    for (const char* type : {"4", "5"}) {
        auto parsed = parse_device_description(
            std::string("pcc-device 1\nclass c\nchannel 5\nsubspace 5 type ") + type +
            " role mailbox\n");
        ASSERT_TRUE(parsed.device) << parsed.error;
        ASSERT_EQ(parsed.problems.size(), 1u) << type;
        EXPECT_EQ(parsed.problems[0].line, 4);
        EXPECT_NE(parsed.problems[0].reason.find(std::string("type ") + type +
                                                 " cannot have the role mailbox"),
                  std::string::npos)
            << parsed.problems[0].reason;
        EXPECT_TRUE(parsed.device->subspaces.empty());
    }
    EXPECT_EQ(subspace_layout(2), Layout::generic);
    EXPECT_EQ(subspace_layout(3), Layout::extended);
}

TEST(DeviceDescription, WhatIsNoDescription) {
    struct Case {
        std::string text;
        const char* error;
    } cases[] = {
        {"", "empty"},
        {"\n\n  \n", "empty"},
        {"class pcc-mctp\nchannel 0\n", "the first statement is 'class'"},
        {"pcc-device 2\nclass pcc-mctp\nchannel 0\n", "format version 2; pccd reads version 1"},
        {"pcc-device\n", "want 'pcc-device VERSION'"},
        {"pcc-device one\n", "want 'pcc-device VERSION'"},
        {"pcc-device 1\nchannel 0\n", "no valid 'class' line"},
        {"pcc-device 1\nclass pcc mctp\nchannel 0\n", "no valid 'class' line"},
        {"pcc-device 1\nclass pcc-mctp\n", "no valid 'channel' line"},
        {std::string(kMaxDescriptionSize + 1, ' '), "over the 65536-byte limit"},
    };
    for (const auto& c : cases) {
        auto parsed = parse_device_description(c.text);
        EXPECT_FALSE(parsed.device) << c.text;
        EXPECT_NE(parsed.error.find(c.error), std::string::npos)
            << c.text.substr(0, 40) << " -> " << parsed.error;
    }
}

// Hostile input: random bytes and random mixes of valid-looking lines never
// crash the parser or the bindings, and bad lines are always counted.
TEST(DeviceDescription, RandomInputNeverCrashes) {
    set_log_level(LogLevel::error);
    const char* pieces[] = {"pcc-device 1\n",
                            "class pcc-mctp\n",
                            "class pcc-xgene-hwmon\n",
                            "channel ",
                            "subspace ",
                            " type ",
                            " role ",
                            "initiator",
                            "responder",
                            "mailbox",
                            " shmem ",
                            "property ",
                            "\n",
                            " ",
                            "\t",
                            "\r",
                            "0",
                            "1",
                            "4",
                            "255",
                            "256",
                            "x",
                            "\x00",
                            "\xff",
                            "#"};
    PlatformState state;
    Bindings bindings(state);
    std::uint32_t seed = 4242;
    auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return seed >> 16;
    };
    for (int i = 0; i < 5000; ++i) {
        std::string text = i % 2 == 0 ? "pcc-device 1\n" : "";
        const unsigned n = next() % 40;
        for (unsigned k = 0; k < n; ++k) {
            if (i % 3 == 0) {
                text.push_back(static_cast<char>(next()));
            } else {
                const char* p = pieces[next() % std::size(pieces)];
                text.append(p, p[0] == '\0' ? 1 : std::strlen(p));
            }
        }
        const auto bad_before = counters().get("device.bad_lines");
        auto parsed = parse_device_description(text);
        auto loaded = bindings.load_description(text, "fuzz");
        EXPECT_EQ(loaded.ok(), parsed.device.has_value());
        EXPECT_EQ(counters().get("device.bad_lines"), bad_before + parsed.problems.size());
        bindings.route(next() % 256, (next() & 1) != 0 ? Layout::generic : Layout::extended,
                       0x5054434d);
    }
}

// A personality that answers with a property of its device: properties of
// the description reach the personality instance of the channel.
class PropertyPersonality final : public Personality {
  public:
    using Personality::Personality;
    std::optional<Bytes> answer(const DecodedMessage& m) override {
        const auto value = context().property("answer").value_or("0");
        const Bytes space{static_cast<std::uint8_t>(std::stoi(value))};
        return context().generic_answer(m, kStatusCommandComplete, space);
    }
};
const PersonalityRegistrar<PropertyPersonality> kRegisterProperty(
    PersonalityInfo("test-property", "answers with the property 'answer'")
        .serves("test-property-device")
        .subspace(0, 1, SubspaceRole::mailbox));

// An extended-layout mailbox personality (like pcc-opregion's): answers the
// payload reversed, in place, and counts its instances and the settings it
// is told about.
int g_ext_mailbox_instances = 0;
std::vector<std::string> g_ext_mailbox_settings;
class ExtMailboxPersonality final : public Personality {
  public:
    explicit ExtMailboxPersonality(ChannelContext& c) : Personality(c) {
        ++g_ext_mailbox_instances;
    }
    std::optional<Bytes> answer(const DecodedMessage& m) override {
        return context().ext_answer(m, Bytes(m.ext->payload.rbegin(), m.ext->payload.rend()));
    }
    void setting_changed(std::string_view key, std::string_view value) override {
        g_ext_mailbox_settings.push_back(std::string(key) + "=" + std::string(value));
    }
};
const PersonalityRegistrar<ExtMailboxPersonality> kRegisterExtMailbox(
    PersonalityInfo("test-ext-mailbox", "answers extended messages in place")
        .serves("test-ext-mailbox-device")
        .subspace(0, 3, SubspaceRole::mailbox));

// A class with variants of both layouts (like pcc-kunpeng-hccs, pcc-raw):
// the personality speaks the described one, and takes a length past the end.
class BothLayoutsPersonality final : public Personality {
  public:
    using Personality::Personality;
    std::optional<Bytes> answer(const DecodedMessage& m) override {
        if (m.generic) {
            return context().generic_answer(m, kStatusCommandComplete, hex("67"));
        }
        Bytes out(m.raw.begin(), m.raw.begin() + kExtHeaderSize);
        out.push_back(m.ext->clipped ? 0xcc : 0xee);
        return out;
    }
};
const PersonalityRegistrar<BothLayoutsPersonality> kRegisterBothLayouts(
    PersonalityInfo("test-both-layouts", "speaks the layout of its description")
        .serves("test-both-layouts-device")
        .subspace(0, 0, SubspaceRole::mailbox)
        .layout_from_description()
        .accepts_overlong_length());

class BindingTest : public ::testing::Test {
  protected:
    BindingTest() { set_log_level(LogLevel::error); }
    std::optional<Bytes> ask(unsigned channel, Layout layout, const Bytes& message) {
        return engine_.handle_request(channel, layout, message, "test").answer;
    }
    Engine engine_;
};

// Get Endpoint ID on channel 0 from EID 9.
const Bytes kGetEid = hex("00 43 43 50 01 00 00 00 0b 00 00 00 4d 43 54 50 01 08 09 c8 00 80 02");

TEST_F(BindingTest, WithoutDescriptionMctpAnswersOnChannelPlusOne) {
    auto answer = ask(0, Layout::extended, kGetEid);
    ASSERT_TRUE(answer);
    EXPECT_EQ(Bytes(answer->begin(), answer->begin() + 4), hex("01 43 43 50"));
}

// The answer goes to the responder the description names, not channel + 1.
TEST_F(BindingTest, DescriptionNamesTheResponder) {
    ASSERT_TRUE(engine_.bindings().load_description(
        "pcc-device 1\nclass pcc-mctp\nchannel 0\n"
        "subspace 0 type 3 role initiator\nsubspace 9 type 4 role responder\n",
        "test"));
    auto answer = ask(0, Layout::extended, kGetEid);
    ASSERT_TRUE(answer);
    EXPECT_EQ(*answer, hex("09 43 43 50 01 00 00 00 0f 00 00 00 4d 43 54 50 01 09 08 c0 "
                           "00 00 02 00 08 02 00"));
    // Notifications too.
    auto ntf = engine_.make_notification(0, Layout::extended, hex("7e 01"), false);
    ASSERT_TRUE(ntf) << ntf.error();
    EXPECT_EQ(ntf->at(0), 0x09);
}

TEST_F(BindingTest, PropertiesReachThePersonalityAndFollowNewDescriptions) {
    const Bytes req = hex("02 43 43 50  07 00  00 00  00 00 00 00");
    EXPECT_FALSE(ask(2, Layout::generic, req));  // no description, no --bind
    EXPECT_EQ(counters().get("unhandled.generic_channel") > 0, true);
    ASSERT_TRUE(
        engine_.bindings().load_description("pcc-device 1\nclass test-property-device\nchannel 2\n"
                                            "subspace 2 type 1 role mailbox\nproperty answer 42\n",
                                            "test"));
    EXPECT_EQ(ask(2, Layout::generic, req), hex("02 43 43 50  07 00  01 00  2a 00 00 00"));
    ASSERT_TRUE(
        engine_.bindings().load_description("pcc-device 1\nclass test-property-device\nchannel 2\n"
                                            "subspace 2 type 1 role mailbox\nproperty answer 43\n",
                                            "test"));
    EXPECT_EQ(ask(2, Layout::generic, req), hex("02 43 43 50  07 00  01 00  2b 00 00 00"));
}

// --bind wins over the description; the description still names the device.
TEST_F(BindingTest, BindOverridesTheDescription) {
    ASSERT_TRUE(engine_.bind(3, "test-property"));
    ASSERT_TRUE(
        engine_.bindings().load_description("pcc-device 1\nclass pcc-xgene-hwmon\nchannel 3\n"
                                            "subspace 3 type 2 role mailbox\nproperty answer 7\n",
                                            "test"));
    const Bytes req = hex("03 43 43 50  00 80  00 00  02 e9 ff 04  10 00 00 00  00 00 00 00");
    EXPECT_EQ(ask(3, Layout::generic, req),
              hex("03 43 43 50  00 80  01 00  07 00 00 00  00 00 00 00  00 00 00 00"));
    Route route = engine_.bindings().route(3, Layout::generic, std::nullopt);
    EXPECT_EQ(route.source, BindingSource::override);
    ASSERT_NE(route.entry, nullptr);
    EXPECT_EQ(route.entry->info.name, "test-property");
}

TEST_F(BindingTest, UnknownClassIsCountedAndFallsBack) {
    const auto before = counters().get("device.unknown_class");
    ASSERT_TRUE(engine_.bindings().load_description(
        "pcc-device 1\nclass pcc-from-the-future\nchannel 5\nsubspace 5 type 0 role mailbox\n",
        "test"));
    EXPECT_EQ(counters().get("device.unknown_class"), before + 1);
    EXPECT_FALSE(ask(5, Layout::generic, hex("05 43 43 50 01 00 00 00 aa")));
    Route route = engine_.bindings().route(5, Layout::generic, std::nullopt);
    EXPECT_EQ(route.entry, nullptr);
    EXPECT_FALSE(route.speaks);
    // A rule can still answer it, in the described mailbox.
    auto rules = parse_rules("match channel=5 => reply 55\n");
    ASSERT_TRUE(rules);
    engine_.set_rules(*rules);
    EXPECT_EQ(ask(5, Layout::generic, hex("05 43 43 50 01 00 00 00 aa")),
              hex("05 43 43 50 01 00 01 00 55"));
}

// QEMU sends its description again on every reconnect: the same text changes
// nothing, so the MCTP personality keeps what it learnt (the peer EID).
TEST_F(BindingTest, SameDescriptionAgainKeepsTheInstance) {
    ASSERT_TRUE(engine_.bindings().load_description(kMctpDevice, "test"));
    ASSERT_TRUE(ask(0, Layout::extended, kGetEid));  // learns EID 9
    const auto described = counters().get("device.descriptions");
    ASSERT_TRUE(engine_.bindings().load_description(kMctpDevice, "test"));
    EXPECT_EQ(counters().get("device.descriptions"), described);
    auto ntf = engine_.make_notification(0, Layout::extended, hex("7e"), false);
    ASSERT_TRUE(ntf);
    EXPECT_EQ(ntf->at(17), 0x09);  // dest EID: the last requester
}

// A personality speaks one layout: an extended MCTP message on the channel of
// a generic device still goes to MCTP (by its PCC command), on channel + 1.
TEST_F(BindingTest, OtherLayoutOnADescribedChannelFallsBack) {
    ASSERT_TRUE(engine_.bindings().load_description(
        "pcc-device 1\nclass pcc-xgene-hwmon\nchannel 0\nsubspace 0 type 2 role mailbox\n",
        "test"));
    auto answer = ask(0, Layout::extended, kGetEid);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->at(0), 0x01);
    Route route = engine_.bindings().route(0, Layout::extended, 0x5054434d);
    EXPECT_EQ(route.source, BindingSource::fallback);
    EXPECT_EQ(route.entry->info.name, "mctp");
    // An unknown PCC command goes to the same fallback but is not spoken.
    Route other = engine_.bindings().route(0, Layout::extended, 0x12345678);
    EXPECT_FALSE(other.speaks);
}

// A spool's device file describes one device: when it names another channel,
// the old channel is no longer described by it.
TEST_F(BindingTest, AnOriginDescribesOneChannel) {
    ASSERT_TRUE(engine_.bindings().load_description(
        "pcc-device 1\nclass pcc-xgene-hwmon\nchannel 4\nsubspace 4 type 2 role mailbox\n",
        "spool:/x/device"));
    ASSERT_TRUE(engine_.bindings().load_description(
        "pcc-device 1\nclass pcc-xgene-hwmon\nchannel 6\nsubspace 6 type 2 role mailbox\n",
        "spool:/y/device"));
    auto moved = engine_.bindings().load_description(
        "pcc-device 1\nclass pcc-xgene-hwmon\nchannel 5\nsubspace 5 type 2 role mailbox\n",
        "spool:/x/device");
    ASSERT_TRUE(moved);
    EXPECT_EQ(*moved, 5u);
    EXPECT_EQ(engine_.bindings().description(4), nullptr);
    EXPECT_NE(engine_.bindings().description(5), nullptr);
    EXPECT_NE(engine_.bindings().description(6), nullptr);  // another origin's
    EXPECT_EQ(engine_.bindings().route(4, Layout::generic, std::nullopt).entry, nullptr);
}

// A type 3 mailbox: extended messages of any PCC command go to the
// described personality, answers back into the same subspace.
TEST_F(BindingTest, ExtendedMailboxAnswersInPlace) {
    EXPECT_EQ(find_personality("test-ext-mailbox")->info.layout(), Layout::extended);
    ASSERT_TRUE(engine_.bindings().load_description(
        "pcc-device 1\nclass test-ext-mailbox-device\nchannel 7\n"
        "subspace 7 type 3 role mailbox shmem 4096\n",
        "test"));
    const Bytes req = hex("07 43 43 50  01 00 00 00  08 00 00 00  01 00 00 00  0a 0b 0c 0d");
    EXPECT_EQ(ask(7, Layout::extended, req),
              hex("07 43 43 50  01 00 00 00  08 00 00 00  01 00 00 00  0d 0c 0b 0a"));
    Route route = engine_.bindings().route(7, Layout::extended, 1);
    EXPECT_EQ(route.source, BindingSource::description);
    EXPECT_TRUE(route.speaks);
    // A generic message on that channel is not the personality's.
    EXPECT_EQ(engine_.bindings().route(7, Layout::generic, std::nullopt).entry, nullptr);
    // Without a description, --bind assumes the same device.
    ASSERT_TRUE(engine_.bind(9, "test-ext-mailbox"));
    EXPECT_EQ(
        ask(9, Layout::extended, hex("09 43 43 50  01 00 00 00  06 00 00 00  05 00 00 00  aa bb")),
        hex("09 43 43 50  01 00 00 00  06 00 00 00  05 00 00 00  bb aa"));
}

// A personality that takes its layout from the description serves the
// described layout (and only that one); without a description, its default.
TEST_F(BindingTest, LayoutFromTheDescription) {
    const Bytes generic = hex("0d 43 43 50  01 00  00 00  aa");
    const Bytes overlong = hex("0d 43 43 50  01 00 00 00  40 00 00 00  01 00 00 00  aa");
    ASSERT_TRUE(engine_.bind(13, "test-both-layouts"));  // no description: type 0
    EXPECT_EQ(ask(13, Layout::generic, generic), hex("0d 43 43 50  01 00  01 00  67"));
    ASSERT_TRUE(engine_.bindings().load_description(
        "pcc-device 1\nclass test-both-layouts-device\nchannel 13\n"
        "subspace 13 type 3 role mailbox\n",
        "test"));
    EXPECT_EQ(ask(13, Layout::extended, overlong),
              hex("0d 43 43 50  01 00 00 00  40 00 00 00  01 00 00 00  cc"));
    EXPECT_EQ(engine_.bindings().route(13, Layout::generic, std::nullopt).entry, nullptr);
    EXPECT_FALSE(ask(13, Layout::generic, generic));
    ASSERT_TRUE(engine_.bindings().load_description(
        "pcc-device 1\nclass test-both-layouts-device\nchannel 13\n"
        "subspace 13 type 2 role mailbox\n",
        "test"));
    EXPECT_EQ(ask(13, Layout::generic, generic), hex("0d 43 43 50  01 00  01 00  67"));
    EXPECT_EQ(engine_.bindings().route(13, Layout::extended, 1).entry->info.name, "mctp");
    // Another personality refuses a length past the end: test-ext-mailbox
    // speaks only its own layout and no overlong length.
    ASSERT_TRUE(engine_.bind(14, "test-ext-mailbox"));
    const auto before = counters().get("bad.message");
    Bytes other = overlong;
    other[0] = 0x0e;
    EXPECT_FALSE(ask(14, Layout::extended, other));
    EXPECT_EQ(counters().get("bad.message"), before + 1);
}

// The instance of a described or bound channel exists before its first
// message (it may publish settings or load files), once per channel; it
// hears about settings changed at run time.
TEST_F(BindingTest, InstancesAreMadeWhenBoundOrDescribed) {
    const std::string device =
        "pcc-device 1\nclass test-ext-mailbox-device\nchannel 11\n"
        "subspace 11 type 3 role mailbox\n";
    const int before = g_ext_mailbox_instances;
    ASSERT_TRUE(engine_.bindings().load_description(device, "test"));
    EXPECT_EQ(g_ext_mailbox_instances, before + 1);
    ASSERT_TRUE(engine_.bindings().load_description(device, "test"));  // the same again
    ASSERT_TRUE(engine_.bindings().load_description(device + "property x 1\n", "test"));
    EXPECT_EQ(g_ext_mailbox_instances, before + 1);  // a new description, the same instance
    ASSERT_TRUE(engine_.bind(12, "test-ext-mailbox"));
    EXPECT_EQ(g_ext_mailbox_instances, before + 2);
    ASSERT_TRUE(
        ask(12, Layout::extended, hex("0c 43 43 50  01 00 00 00  05 00 00 00  05 00 00 00  aa")));
    EXPECT_EQ(g_ext_mailbox_instances, before + 2);

    g_ext_mailbox_settings.clear();
    engine_.set_setting("test.key", "v1");
    EXPECT_EQ(g_ext_mailbox_settings, (std::vector<std::string>{"test.key=v1", "test.key=v1"}));
    g_ext_mailbox_settings.clear();
    auto rules = parse_rules("set test.rule 2\n");
    ASSERT_TRUE(rules);
    engine_.set_rules(*rules);
    EXPECT_EQ(g_ext_mailbox_settings, (std::vector<std::string>{"test.rule=2", "test.rule=2"}));
}

TEST_F(BindingTest, BindNamesAreChecked) {
    auto bad = engine_.bind(1, "nope");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("known: "), std::string::npos);
    EXPECT_NE(bad.error().find("mctp"), std::string::npos);
    EXPECT_NE(bad.error().find("xgene-slimpro"), std::string::npos);
    EXPECT_TRUE(engine_.bind(1, "mctp"));
}

TEST(PersonalityRegistry, DeclaredClassesAndCommands) {
    ASSERT_NE(personality_for_class("pcc-mctp"), nullptr);
    EXPECT_EQ(personality_for_class("pcc-mctp")->info.name, "mctp");
    EXPECT_EQ(personality_for_class("pcc-xgene-hwmon")->info.name, "xgene-slimpro");
    EXPECT_EQ(personality_for_class("pcc-xgene-i2c")->info.name, "xgene-slimpro-i2c");
    EXPECT_EQ(personality_for_class("pcc-cppc")->info.name, "cppc");
    EXPECT_EQ(personality_for_class("pcc-opregion")->info.name, "opregion");
    EXPECT_EQ(personality_for_class("pcc-kunpeng-hccs")->info.name, "kunpeng-hccs");
    EXPECT_EQ(personality_for_class("pcc-nothing"), nullptr);
    EXPECT_EQ(personality_for_command(0x5054434d)->info.name, "mctp");
    EXPECT_EQ(extended_fallback_personality()->info.name, "mctp");
    const DeviceDescription d = find_personality("mctp")->info.default_device(6);
    EXPECT_EQ(d.device_class, "pcc-mctp");
    ASSERT_EQ(d.subspaces.size(), 2u);
    EXPECT_EQ(d.subspaces[1], (SubspaceInfo{7, 4, SubspaceRole::responder, 0}));
    EXPECT_EQ(find_personality("xgene-slimpro")->info.layout(), Layout::generic);
    EXPECT_EQ(find_personality("xgene-slimpro-i2c")->info.layout(), Layout::generic);
    EXPECT_EQ(find_personality("cppc")->info.layout(), Layout::generic);
    EXPECT_EQ(find_personality("opregion")->info.layout(), Layout::extended);
    const DeviceDescription opregion = find_personality("opregion")->info.default_device(4);
    EXPECT_EQ(opregion.subspaces.at(0), (SubspaceInfo{4, 3, SubspaceRole::mailbox, 0}));
    EXPECT_EQ(opregion.layout(), Layout::extended);
}

}  // namespace
}  // namespace pccd
