// Fuzzes the decoder's reassembly. The input is a sequence of Engine.IO messages separated by
// 0x1e; one starting with 'b' is a binary message (the bytes after the 'b'), any other is text.
// Whatever the order, the decoder returns complete packets or parser errors, and every packet it
// returns comes back unchanged through encode and a fresh decoder.
#include <sio/parser/binary.hpp>
#include <sio/parser/decode.hpp>
#include <sio/parser/encode.hpp>
#include <sio/parser/error.hpp>
#include <sio/parser/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace {

void require(bool ok, char const* what) {
    if (!ok) {
        std::fprintf(stderr, "socketio_binary_fuzz: %s\n", what);
        std::abort();
    }
}

using sio::parser::packet;

void check_complete(packet const& p) {
    using namespace sio::parser;
    require(is_binary_type(p.type) || p.attachments.empty(), "attachments on a text type");
    for (auto const& a : p.attachments)
        require(a.data() != nullptr, "attachment slot left empty");
    if (is_binary_type(p.type))
        require(bool(check_placeholders(p.data, p.attachments.size())), "bad placeholder");

    // Send it again through a fresh decoder, as a peer would receive it.
    auto const e = encode(p);
    decoder d;
    auto r = d.on_text(e.text);
    require(bool(r), "re-encoded text is refused");
    for (auto const& a : e.attachments) {
        require(!r->has_value() && d.is_waiting(), "completed before its attachments");
        r = d.on_binary(a.view());
        require(bool(r), "re-sent attachment is refused");
    }
    require(r->has_value() && !d.is_waiting(), "re-sent packet does not complete");
    auto const& q = **r;
    require(q.type == p.type && q.nsp == p.nsp && q.id == p.id, "header changed");
    require(to_json(q.data) == to_json(p.data), "payload changed");
    require(q.attachments.size() == p.attachments.size(), "attachment count changed");
    for (std::size_t i = 0; i < q.attachments.size(); ++i)
        require(q.attachments[i].view() == p.attachments[i].view(), "attachment changed");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sio::parser;
    std::string_view input{reinterpret_cast<char const*>(data), size};
    decoder d;
    while (true) {
        auto const end = input.find('\x1e');
        auto const frame = input.substr(0, end);
        bool const binary = !frame.empty() && frame.front() == 'b';
        bool const was_waiting = d.is_waiting();

        auto const r = binary ? d.on_binary(frame.substr(1)) : d.on_text(frame);
        if (!r) {
            require(r.error().category() == error_category(), "error from another category");
            require(!d.is_waiting(), "still waiting after an error");
            if (binary)
                require(!was_waiting && r.error() == error::unexpected_attachment, "binary error");
            else if (was_waiting)
                require(r.error() == error::missing_attachments, "text while waiting accepted");
        } else if (r->has_value()) {
            require(!d.is_waiting(), "waiting after a complete packet");
            check_complete(**r);
        } else {
            require(d.is_waiting(), "neither a packet nor waiting");
        }

        if (end == std::string_view::npos)
            break;
        input.remove_prefix(end + 1);
    }
    return 0;
}
