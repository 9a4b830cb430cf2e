#include <sio/parser/packet.hpp>
// The header under test comes first, to prove it self-contained.

#include <gtest/gtest.h>

#include <string_view>

namespace {

using sio::parser::is_binary_type;
using sio::parser::is_reserved_event;
using sio::parser::packet;
using sio::parser::packet_type;

// socket.io-parser's RESERVED_EVENTS.
constexpr std::string_view reserved_events[] = {
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
};

static_assert(static_cast<int>(packet_type::connect) == 0);
static_assert(static_cast<int>(packet_type::binary_ack) == 6);
static_assert(is_reserved_event("connect"));
static_assert(!is_reserved_event("chat"));

TEST(ParserPacket, NumbersTypesAsTheProtocol) {
    EXPECT_EQ(static_cast<int>(packet_type::connect), 0);
    EXPECT_EQ(static_cast<int>(packet_type::disconnect), 1);
    EXPECT_EQ(static_cast<int>(packet_type::event), 2);
    EXPECT_EQ(static_cast<int>(packet_type::ack), 3);
    EXPECT_EQ(static_cast<int>(packet_type::connect_error), 4);
    EXPECT_EQ(static_cast<int>(packet_type::binary_event), 5);
    EXPECT_EQ(static_cast<int>(packet_type::binary_ack), 6);
}

TEST(ParserPacket, KnowsWhichTypesCarryAttachments) {
    EXPECT_TRUE(is_binary_type(packet_type::binary_event));
    EXPECT_TRUE(is_binary_type(packet_type::binary_ack));
    EXPECT_FALSE(is_binary_type(packet_type::event));
    EXPECT_FALSE(is_binary_type(packet_type::ack));
    EXPECT_FALSE(is_binary_type(packet_type::connect));
}

TEST(ParserPacket, ReservesTheEventNamesOfSocketIoParser) {
    for (auto name : reserved_events)
        EXPECT_TRUE(is_reserved_event(name)) << name;
}

TEST(ParserPacket, AllowsOtherEventNames) {
    for (std::string_view name : {"", "chat", "Connect", "connection", "disconnected", "error"})
        EXPECT_FALSE(is_reserved_event(name)) << name;
}

TEST(ParserPacket, DefaultsToTheMainNamespaceWithoutPayload) {
    packet const p;
    EXPECT_EQ(p.nsp, "/");
    EXPECT_FALSE(p.id);
    EXPECT_TRUE(p.data.is_null());
    EXPECT_TRUE(p.attachments.empty());
}

TEST(ParserPacket, ComparesAttachmentsByContent) {
    packet a{.type = packet_type::binary_event, .nsp = "/", .id = 1, .data = {}, .attachments = {}};
    a.attachments.emplace_back(std::string{"\x01\x02"});
    packet b = a;
    b.attachments[0] = sio::shared_bytes{std::string{"\x01\x02"}};
    EXPECT_EQ(a, b);
    b.attachments[0] = sio::shared_bytes{std::string{"\x01\x03"}};
    EXPECT_FALSE(a == b);
    b.attachments.clear();
    EXPECT_FALSE(a == b);
}

TEST(ParserPacket, ComparesEveryField) {
    packet const base{.type = packet_type::event, .nsp = "/a", .id = 3, .data = {1}};
    packet other = base;
    EXPECT_EQ(other, base);
    other.type = packet_type::ack;
    EXPECT_FALSE(other == base);
    other = base;
    other.nsp = "/b";
    EXPECT_FALSE(other == base);
    other = base;
    other.id.reset();
    EXPECT_FALSE(other == base);
    other = base;
    other.data = {2};
    EXPECT_FALSE(other == base);
}

} // namespace
