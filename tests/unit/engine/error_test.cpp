#include <sio/engine/error.hpp>
// The header under test comes first, to prove it self-contained.

#include <boost/system/result.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

namespace {

using sio::engine::condition;
using sio::engine::error;

// Node's engine.io Server.errors (server.ts): code and message of the JSON error body.
struct node_error {
    error e;
    int code;
    std::string_view message;
};
constexpr node_error node_errors[] = {
    {error::unknown_transport, 0, "Transport unknown"},
    {error::unknown_sid, 1, "Session ID unknown"},
    {error::bad_handshake_method, 2, "Bad handshake method"},
    {error::bad_request, 3, "Bad request"},
    {error::forbidden, 4, "Forbidden"},
    {error::unsupported_protocol_version, 5, "Unsupported protocol version"},
};

constexpr error all_errors[] = {
    error::unknown_transport,
    error::unknown_sid,
    error::bad_handshake_method,
    error::bad_request,
    error::forbidden,
    error::unsupported_protocol_version,
    error::empty_packet,
    error::unknown_packet_type,
    error::invalid_base64,
    error::payload_too_large,
    error::too_many_connections,
    error::invalid_websocket_frame,
    error::invalid_utf8,
};

constexpr error errors_without_node_code[] = {
    error::empty_packet,
    error::unknown_packet_type,
    error::invalid_base64,
    error::payload_too_large,
    error::too_many_connections,
    error::invalid_websocket_frame,
    error::invalid_utf8,
};

// Values are part of the ABI and of logs: never renumber (STYLE.md §6).
static_assert(static_cast<int>(error::unknown_transport) == 1);
static_assert(static_cast<int>(error::unknown_sid) == 2);
static_assert(static_cast<int>(error::bad_handshake_method) == 3);
static_assert(static_cast<int>(error::bad_request) == 4);
static_assert(static_cast<int>(error::forbidden) == 5);
static_assert(static_cast<int>(error::unsupported_protocol_version) == 6);
static_assert(static_cast<int>(error::empty_packet) == 20);
static_assert(static_cast<int>(error::unknown_packet_type) == 21);
static_assert(static_cast<int>(error::invalid_base64) == 22);
static_assert(static_cast<int>(error::payload_too_large) == 40);
static_assert(static_cast<int>(error::too_many_connections) == 41);
static_assert(static_cast<int>(error::invalid_websocket_frame) == 42);
static_assert(static_cast<int>(error::invalid_utf8) == 43);
static_assert(static_cast<int>(condition::protocol_violation) == 1);
static_assert(static_cast<int>(condition::limit_exceeded) == 2);
static_assert(static_cast<int>(condition::handshake_refused) == 3);

TEST(EngineError, ConvertsImplicitlyToErrorCode) {
    boost::system::error_code const ec = error::empty_packet;
    EXPECT_TRUE(ec.failed());
    EXPECT_EQ(ec.value(), 20);
    EXPECT_EQ(&ec.category(), &sio::engine::error_category());
    EXPECT_EQ(ec, error::empty_packet);
    EXPECT_NE(ec, error::unknown_packet_type);
}

TEST(EngineError, NamesItsCategories) {
    EXPECT_STREQ(sio::engine::error_category().name(), "sio.engine");
    EXPECT_STREQ(sio::engine::condition_category().name(), "sio.engine.condition");
}

TEST(EngineError, GivesEveryErrorItsOwnMessage) {
    std::set<std::string> messages;
    for (auto const e : all_errors) {
        auto const message = boost::system::error_code{e}.message();
        EXPECT_FALSE(message.empty());
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        EXPECT_NE(message, "unknown sio.engine error") << static_cast<int>(e);
        EXPECT_TRUE(messages.insert(message).second) << "duplicate: " << message;
    }
}

TEST(EngineError, DescribesUnknownValue) {
    EXPECT_EQ(sio::engine::error_category().message(0), "unknown sio.engine error");
    EXPECT_EQ(sio::engine::error_category().message(999), "unknown sio.engine error");
    EXPECT_EQ(sio::engine::condition_category().message(999), "unknown condition");
}

TEST(EngineError, GivesEveryConditionAMessage) {
    for (auto const c :
         {condition::protocol_violation, condition::limit_exceeded, condition::handshake_refused}) {
        auto const message = boost::system::error_condition{c}.message();
        EXPECT_FALSE(message.empty());
        EXPECT_NE(message, "unknown condition");
    }
}

TEST(EngineError, MapsLimitsToLimitExceeded) {
    for (auto const e : {error::payload_too_large, error::too_many_connections}) {
        boost::system::error_code const ec = e;
        EXPECT_EQ(ec, condition::limit_exceeded) << ec.message();
        EXPECT_NE(ec, condition::protocol_violation) << ec.message();
        EXPECT_NE(ec, condition::handshake_refused) << ec.message();
    }
}

TEST(EngineError, MapsRefusedHandshakesToHandshakeRefused) {
    for (auto const e : {
             error::unknown_transport,
             error::unknown_sid,
             error::bad_handshake_method,
             error::forbidden,
             error::unsupported_protocol_version,
         }) {
        boost::system::error_code const ec = e;
        EXPECT_EQ(ec, condition::handshake_refused) << ec.message();
        EXPECT_NE(ec, condition::protocol_violation) << ec.message();
        EXPECT_NE(ec, condition::limit_exceeded) << ec.message();
    }
}

TEST(EngineError, MapsBadInputToProtocolViolation) {
    for (auto const e : {
             error::bad_request,
             error::empty_packet,
             error::unknown_packet_type,
             error::invalid_base64,
             error::invalid_websocket_frame,
             error::invalid_utf8,
         }) {
        boost::system::error_code const ec = e;
        EXPECT_EQ(ec, condition::protocol_violation) << ec.message();
        EXPECT_NE(ec, condition::limit_exceeded) << ec.message();
        EXPECT_NE(ec, condition::handshake_refused) << ec.message();
    }
}

TEST(EngineError, GivesNodeCodesOfEngineIoServerErrors) {
    for (auto const& n : node_errors)
        EXPECT_EQ(sio::engine::node_code(n.e), n.code) << n.message;
}

TEST(EngineError, GivesNodeMessagesOfEngineIoServerErrors) {
    for (auto const& n : node_errors)
        EXPECT_EQ(sio::engine::node_message(n.e), n.message) << n.code;
}

TEST(EngineError, HasNoNodeCodeForOtherErrors) {
    for (auto const e : errors_without_node_code)
        EXPECT_EQ(sio::engine::node_code(e), -1) << static_cast<int>(e);
}

TEST(EngineError, AnswersBadRequestForOtherErrors) {
    for (auto const e : errors_without_node_code)
        EXPECT_EQ(sio::engine::node_message(e), "Bad request") << static_cast<int>(e);
}

TEST(EngineError, FitsInBoostResult) {
    boost::system::result<int> const r = error::invalid_base64;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), error::invalid_base64);
    EXPECT_EQ(r.error(), condition::protocol_violation);
}

} // namespace
