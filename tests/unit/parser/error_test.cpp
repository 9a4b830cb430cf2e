#include <sio/parser/error.hpp>
// The header under test comes first, to prove it self-contained.

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

using sio::parser::condition;
using sio::parser::error;

constexpr error all_errors[] = {
    error::empty_packet,
    error::unknown_packet_type,
    error::invalid_attachment_count,
    error::invalid_namespace,
    error::invalid_ack_id,
    error::invalid_json,
    error::invalid_payload,
    error::reserved_event_name,
    error::invalid_placeholder,
    error::unexpected_attachment,
    error::missing_attachments,
    error::too_many_attachments,
    error::json_too_deep,
};

// Values are part of the ABI and of logs: never renumber (STYLE.md §6).
static_assert(static_cast<int>(error::empty_packet) == 1);
static_assert(static_cast<int>(error::unknown_packet_type) == 2);
static_assert(static_cast<int>(error::invalid_attachment_count) == 3);
static_assert(static_cast<int>(error::invalid_namespace) == 4);
static_assert(static_cast<int>(error::invalid_ack_id) == 5);
static_assert(static_cast<int>(error::invalid_json) == 6);
static_assert(static_cast<int>(error::invalid_payload) == 7);
static_assert(static_cast<int>(error::reserved_event_name) == 8);
static_assert(static_cast<int>(error::invalid_placeholder) == 9);
static_assert(static_cast<int>(error::unexpected_attachment) == 20);
static_assert(static_cast<int>(error::missing_attachments) == 21);
static_assert(static_cast<int>(error::too_many_attachments) == 40);
static_assert(static_cast<int>(error::json_too_deep) == 41);
static_assert(static_cast<int>(condition::protocol_violation) == 1);

TEST(ParserError, ConvertsToErrorCodeOfItsCategory) {
    boost::system::error_code const ec = error::invalid_json;
    EXPECT_EQ(ec.category(), sio::parser::error_category());
    EXPECT_EQ(ec.value(), static_cast<int>(error::invalid_json));
    EXPECT_STREQ(ec.category().name(), "sio.parser");
}

TEST(ParserError, GivesEveryErrorItsOwnMessage) {
    std::set<std::string> messages;
    for (auto e : all_errors) {
        auto const message = make_error_code(e).message();
        EXPECT_FALSE(message.empty());
        EXPECT_EQ(message.find("unknown sio.parser error"), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        messages.insert(message);
    }
    EXPECT_EQ(messages.size(), std::size(all_errors));
}

TEST(ParserError, NamesValuesItDoesNotKnow) {
    EXPECT_EQ(sio::parser::error_category().message(999), "unknown sio.parser error");
}

TEST(ParserError, ClassifiesEveryErrorAsProtocolViolation) {
    for (auto e : all_errors) {
        boost::system::error_code const ec = e;
        EXPECT_TRUE(ec == condition::protocol_violation) << ec.message();
    }
    EXPECT_FALSE(boost::system::error_code{} == condition::protocol_violation);
}

TEST(ParserError, DescribesTheCondition) {
    auto const c = make_error_condition(condition::protocol_violation);
    EXPECT_STREQ(c.category().name(), "sio.parser.condition");
    EXPECT_EQ(c.message(), "peer violated the Socket.IO protocol");
}

} // namespace
