#include <sio/parser/binary.hpp>
#include <sio/parser/json.hpp>
#include <sio/parser/message.hpp>

#include <boost/json/object.hpp>

#include <parser/canonical_json.hpp>

namespace sio {
namespace parser {

namespace {

void compact(
    boost::json::value const& src,
    std::vector<shared_bytes> const& from,
    boost::json::value& out,
    std::vector<shared_bytes>& attachments,
    std::vector<std::size_t>& mapping) {
    if (auto index = placeholder_index(src); index && *index < from.size()) {
        if (mapping[*index] == static_cast<std::size_t>(-1)) {
            mapping[*index] = attachments.size();
            attachments.push_back(from[*index]);
        }
        out = make_placeholder(mapping[*index]);
        return;
    }
    if (auto const* a = src.if_array()) {
        boost::json::array copy;
        copy.reserve(a->size());
        for (auto const& v : *a) {
            boost::json::value item;
            compact(v, from, item, attachments, mapping);
            copy.push_back(std::move(item));
        }
        out = std::move(copy);
        return;
    }
    if (auto const* o = src.if_object()) {
        boost::json::object copy;
        copy.reserve(o->size());
        for (auto const& kv : *o) {
            boost::json::value item;
            compact(kv.value(), from, item, attachments, mapping);
            copy.emplace(kv.key(), std::move(item));
        }
        out = std::move(copy);
        return;
    }
    out = src;
}

} // namespace

void compact_binary(
    boost::json::value const& src,
    std::vector<shared_bytes> const& from,
    boost::json::value& out,
    std::vector<shared_bytes>& attachments) {
    if (from.empty()) {
        out = src;
        return;
    }
    std::vector<std::size_t> mapping(from.size(), static_cast<std::size_t>(-1));
    compact(src, from, out, attachments, mapping);
}

void set_payload(packet& p, message&& m) {
    if (auto json = m.take_json())
        p.json = std::move(*json);
    else
        p.data = std::move(m.args());
    p.attachments = std::move(m.attachments);
}

} // namespace parser

message message::from_json(std::string array_text) {
    message m;
    if (auto const shape =
            parser::detail::scan_canonical_array(array_text, parser::default_max_json_depth)) {
        m.text_ = std::move(array_text);
        m.count_ = shape->count;
        m.parsed_ = false;
    } else if (auto parsed = parser::parse_json(array_text); parsed && parsed->is_array()) {
        m.args_.emplace(std::move(parsed->get_array()));
    }
    return m;
}

message message::from_canonical_json(std::string array_text) noexcept {
    message m;
    m.text_ = std::move(array_text);
    m.count_ = unknown_count; // counted when asked: a relayed message never is
    m.parsed_ = false;
    return m;
}

std::size_t message::text_count() const noexcept {
    if (count_ == unknown_count) {
        auto const shape =
            parser::detail::scan_canonical_array(text_, parser::default_max_json_depth);
        count_ = shape ? shape->count : 0;
    }
    return count_;
}

void message::parse() const {
    if (parsed_)
        return;
    // The text was checked to be canonical JSON when it came (parser::decoder): this parses.
    auto parsed = parser::parse_json(text_);
    if (parsed && parsed->is_array())
        args_.emplace(std::move(parsed->get_array()));
    parsed_ = true;
}

boost::json::array const& message::args() const {
    parse();
    if (!args_)
        args_.emplace();
    return *args_;
}

boost::json::array& message::args() {
    parse();
    text_.clear();
    if (!args_)
        args_.emplace();
    return *args_;
}

std::optional<std::string_view> message::json() const noexcept {
    if (text_.empty())
        return std::nullopt;
    return std::string_view{text_};
}

std::optional<std::string> message::take_json() noexcept {
    if (text_.empty())
        return std::nullopt;
    std::optional<std::string> out{std::move(text_)};
    text_.clear();
    args_.reset();
    count_ = 0;
    parsed_ = true;
    return out;
}

std::size_t message::plain_front_end() const noexcept {
    if (parsed_ || text_.size() <= 2 || text_[1] != '"')
        return std::string::npos;
    auto const close = text_.find_first_of("\\\"", 2);
    return close != std::string::npos && text_[close] == '"' ? close : std::string::npos;
}

std::optional<std::string_view> message::front_string() const {
    if (auto const close = plain_front_end(); close != std::string::npos)
        return std::string_view{text_}.substr(2, close - 2);
    auto const& a = args();
    if (a.empty() || !a.front().is_string())
        return std::nullopt;
    return std::string_view{a.front().get_string()};
}

std::optional<std::string> message::take_front_string() {
    if (auto const close = plain_front_end(); close != std::string::npos) {
        std::string name = text_.substr(2, close - 2);
        // Drops `"name",` (or `"name"` when it was the only element).
        auto const next = text_[close + 1] == ',' ? close + 2 : close + 1;
        text_.erase(1, next - 1);
        if (count_ != unknown_count)
            --count_;
        return name;
    }
    auto& a = args();
    if (a.empty() || !a.front().is_string())
        return std::nullopt;
    std::string name{a.front().get_string()};
    a.erase(a.begin());
    return name;
}

std::optional<shared_bytes> message::binary_of(boost::json::value const& v) const {
    auto index = parser::placeholder_index(v);
    if (!index || *index >= attachments.size())
        return std::nullopt;
    return attachments[*index];
}

boost::json::value message::add_binary(shared_bytes bytes) {
    attachments.push_back(std::move(bytes));
    return parser::make_placeholder(attachments.size() - 1);
}

message message::slice(std::size_t from, std::size_t count) const {
    message out;
    auto const& all = args();
    if (from >= all.size())
        return out;
    std::size_t const end = count > all.size() - from ? all.size() : from + count;
    if (attachments.empty()) {
        out.args_.emplace(
            all.begin() + static_cast<std::ptrdiff_t>(from),
            all.begin() + static_cast<std::ptrdiff_t>(end));
        return out;
    }
    boost::json::array part(
        all.begin() + static_cast<std::ptrdiff_t>(from),
        all.begin() + static_cast<std::ptrdiff_t>(end));
    boost::json::value compacted;
    parser::compact_binary(part, attachments, compacted, out.attachments);
    out.args_.emplace(std::move(compacted.as_array()));
    return out;
}

void message::splice(message&& other) {
    if (!other.attachments.empty() || !attachments.empty()) {
        splice(static_cast<message const&>(other));
        return;
    }
    if (!other.text_.empty()) {
        // Our arguments (as text) in front of the other's text, which stays unparsed: what an
        // emit of a relayed message does.
        std::string front = "[";
        if (!text_.empty()) {
            front.append(text_, 1, text_.size() - 2);
        } else {
            if (args_)
                for (auto const& v : *args_) {
                    if (front.size() > 1)
                        front += ',';
                    parser::serialize_json(v, front);
                }
        }
        if (front.size() > 1 && other.text_.size() > 2) // "[]" has no element
            front += ',';
        other.text_.replace(0, 1, front);
        auto const mine = parsed_ ? size() : count_;
        auto const theirs = other.parsed_ ? other.size() : other.count_;
        count_ = mine == unknown_count || theirs == unknown_count ? unknown_count : mine + theirs;
        text_ = std::move(other.text_);
        other.text_.clear();
        args_.reset();
        parsed_ = false;
        return;
    }
    auto& mine = args();
    auto& theirs = other.args();
    if (theirs.storage().get() != mine.storage().get()) {
        splice(static_cast<message const&>(other));
        return;
    }
    mine.reserve(mine.size() + theirs.size());
    for (auto& v : theirs)
        mine.push_back(std::move(v));
}

void message::splice(message const& other) {
    auto& mine = args();
    if (other.attachments.empty()) {
        for (auto const& v : other.args())
            mine.push_back(v);
        return;
    }
    // Renumber the other's placeholders after ours.
    boost::json::value compacted;
    std::vector<shared_bytes> used;
    parser::compact_binary(other.args(), other.attachments, compacted, used);
    std::size_t const base = attachments.size();
    for (auto& b : used)
        attachments.push_back(std::move(b));
    auto shift = [base](auto& self, boost::json::value& v) -> void {
        if (auto index = parser::placeholder_index(v)) {
            v = parser::make_placeholder(*index + base);
            return;
        }
        if (auto* a = v.if_array())
            for (auto& x : *a)
                self(self, x);
        else if (auto* o = v.if_object())
            for (auto& kv : *o)
                self(self, kv.value());
    };
    for (auto& v : compacted.as_array()) {
        shift(shift, v);
        mine.push_back(std::move(v));
    }
}

} // namespace sio
