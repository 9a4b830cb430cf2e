#include <zlib.h>

#include <engine/http_compression.hpp>

namespace sio::engine::detail {
namespace {

bool accepts(std::string_view accept_encoding, std::string_view coding) {
    std::size_t pos = 0;
    while ((pos = accept_encoding.find(coding, pos)) != std::string_view::npos) {
        bool const starts =
            pos == 0 || accept_encoding[pos - 1] == ',' || accept_encoding[pos - 1] == ' ';
        auto const end = pos + coding.size();
        bool const ends = end == accept_encoding.size() || accept_encoding[end] == ',' ||
                          accept_encoding[end] == ';' || accept_encoding[end] == ' ';
        if (starts && ends) {
            // "gzip;q=0" refuses it.
            auto const rest = accept_encoding.substr(end);
            auto const next = rest.find(',');
            auto const params = rest.substr(0, next);
            return params.find("q=0") == std::string_view::npos ||
                   params.find("q=0.") != std::string_view::npos;
        }
        pos = end;
    }
    return false;
}

std::optional<std::string> deflate_with(std::string_view data, int window_bits) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        return std::nullopt;
    std::string out;
    out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int const rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return std::nullopt;
    return out;
}

} // namespace

std::optional<std::string>
compress_for(std::string_view data, std::string_view accept_encoding, std::string& encoding) {
    if (accepts(accept_encoding, "gzip")) {
        encoding = "gzip";
        return deflate_with(data, 15 + 16);
    }
    if (accepts(accept_encoding, "deflate")) {
        encoding = "deflate";
        return deflate_with(data, 15);
    }
    return std::nullopt;
}

} // namespace sio::engine::detail
