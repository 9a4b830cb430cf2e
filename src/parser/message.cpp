#include <sio/parser/binary.hpp>
#include <sio/parser/message.hpp>

#include <boost/json/object.hpp>

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

} // namespace parser

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
    if (from >= args.size())
        return out;
    std::size_t const end = count > args.size() - from ? args.size() : from + count;
    if (attachments.empty()) {
        out.args = boost::json::array(
            args.begin() + static_cast<std::ptrdiff_t>(from),
            args.begin() + static_cast<std::ptrdiff_t>(end));
        return out;
    }
    boost::json::array part(
        args.begin() + static_cast<std::ptrdiff_t>(from),
        args.begin() + static_cast<std::ptrdiff_t>(end));
    boost::json::value compacted;
    parser::compact_binary(part, attachments, compacted, out.attachments);
    out.args = std::move(compacted.as_array());
    return out;
}

void message::splice(message&& other) {
    if (!other.attachments.empty() || other.args.storage().get() != args.storage().get())
        return splice(static_cast<message const&>(other));
    args.reserve(args.size() + other.args.size());
    for (auto& v : other.args)
        args.push_back(std::move(v));
}

void message::splice(message const& other) {
    if (other.attachments.empty()) {
        for (auto const& v : other.args)
            args.push_back(v);
        return;
    }
    // Renumber the other's placeholders after ours.
    boost::json::value compacted;
    std::vector<shared_bytes> used;
    parser::compact_binary(other.args, other.attachments, compacted, used);
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
        args.push_back(std::move(v));
    }
}

} // namespace sio
