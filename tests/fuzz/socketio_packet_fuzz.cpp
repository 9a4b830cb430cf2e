// Fuzzes decode_text: any bytes decode to a valid packet or to a parser error, and a decoded
// packet survives encode → decode unchanged, with encode as a fixpoint from then on. With
// keep_json_text the same bytes decode alike, the payload kept as text where it is canonical.
#include <sio/parser/binary.hpp>
#include <sio/parser/decode.hpp>
#include <sio/parser/encode.hpp>
#include <sio/parser/error.hpp>
#include <sio/parser/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void require(bool ok, char const* what) {
    if (!ok) {
        std::fprintf(stderr, "socketio_packet_fuzz: %s\n", what);
        std::abort();
    }
}

constexpr std::uint64_t max_safe_integer = (std::uint64_t{1} << 53) - 1;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    using namespace sio::parser;
    std::string_view const text{reinterpret_cast<char const*>(data), size};

    auto const p = decode_text(text);

    // Keeping canonical JSON as text changes nothing but where the payload is: same verdict,
    // and the kept text is exactly what the values print as.
    auto const kept = decode_text(text, {.keep_json_text = true});
    require(bool(kept) == bool(p), "keep_json_text changed the verdict");
    if (!kept)
        require(kept.error() == p.error(), "keep_json_text changed the error");
    else if (!kept->json.empty())
        require(kept->json == to_json(p->data) && kept->data.is_null(), "kept text differs");
    else
        require(*kept == *p, "keep_json_text changed the packet");

    if (!p) {
        require(p.error().category() == error_category(), "error from another category");
        require(p.error() != error::unexpected_attachment, "decode_text reported reassembly");
        require(p.error() != error::missing_attachments, "decode_text reported reassembly");
        return 0;
    }
    require(!p->nsp.empty() && p->nsp.front() == '/', "namespace without '/'");
    require(p->nsp.find(',') == std::string::npos, "namespace holds ','");
    require(!p->id || *p->id <= max_safe_integer, "ack id beyond 2^53-1");
    if (is_binary_type(p->type)) {
        require(!p->attachments.empty(), "binary packet without attachments");
        require(p->attachments.size() <= default_max_attachments, "attachment limit ignored");
        require(bool(check_placeholders(p->data, p->attachments.size())), "bad placeholder");
        for (auto const& slot : p->attachments)
            require(slot.data() == nullptr, "attachment slot is not empty");
    } else {
        require(p->attachments.empty(), "attachments on a text type");
    }

    auto const e = encode(*p);
    std::string appended = "4";
    encode_to(*p, appended);
    require(std::string_view{appended}.substr(1) == e.text, "encode_to differs from encode");
    require(e.attachments.size() == p->attachments.size(), "attachments lost");

    auto const q = decode_text(e.text);
    require(bool(q), "re-encoded packet does not decode");
    require(q->type == p->type, "type changed");
    require(q->nsp == p->nsp, "namespace changed");
    require(q->id == p->id, "ack id changed");
    require(q->attachments.size() == p->attachments.size(), "attachment count changed");
    // Numbers may change kind (1.0 is read back as the integer 1), never value.
    auto const json = to_json(p->data);
    require(to_json(q->data) == json, "payload changed");
    require(encode(*q).text == e.text, "encoding is not a fixpoint");
    if (!p->data.is_null()) {
        auto const reparsed = parse_json(json);
        require(bool(reparsed) && to_json(*reparsed) == json, "payload JSON does not round-trip");
    }
    return 0;
}
