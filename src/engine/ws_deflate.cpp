#include <engine/ws_deflate.hpp>
#include <new>

namespace sio::engine::detail {

ws_deflate::ws_deflate() {
    // Negative window bits: raw deflate, no zlib header, as RFC 7692 requires.
    if (deflateInit2(&deflater_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
        throw std::bad_alloc();
    if (inflateInit2(&inflater_, -15) != Z_OK) {
        deflateEnd(&deflater_);
        throw std::bad_alloc();
    }
}

ws_deflate::~ws_deflate() {
    deflateEnd(&deflater_);
    inflateEnd(&inflater_);
}

std::string ws_deflate::compress(std::string_view prefix, std::string_view data) {
    deflateReset(&deflater_);
    std::string out;
    out.resize(deflateBound(&deflater_, static_cast<uLong>(prefix.size() + data.size())) + 16);
    deflater_.next_out = reinterpret_cast<Bytef*>(out.data());
    deflater_.avail_out = static_cast<uInt>(out.size());
    deflater_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(prefix.data()));
    deflater_.avail_in = static_cast<uInt>(prefix.size());
    deflate(&deflater_, Z_NO_FLUSH);
    deflater_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    deflater_.avail_in = static_cast<uInt>(data.size());
    deflate(&deflater_, Z_SYNC_FLUSH);
    out.resize(out.size() - deflater_.avail_out);
    // RFC 7692 §7.2.1: drop the 00 00 ff ff that ends a sync flush.
    if (out.size() >= 4 &&
        out.compare(out.size() - 4, 4, std::string_view{"\x00\x00\xff\xff", 4}) == 0)
        out.resize(out.size() - 4);
    return out;
}

std::optional<std::string> ws_deflate::decompress(std::string_view payload, std::size_t limit) {
    inflateReset(&inflater_);
    static constexpr unsigned char tail[4] = {0x00, 0x00, 0xff, 0xff};
    std::string out;
    char chunk[16384];
    auto const run = [&](unsigned char const* in, std::size_t size) -> bool {
        inflater_.next_in = const_cast<Bytef*>(in);
        inflater_.avail_in = static_cast<uInt>(size);
        do {
            inflater_.next_out = reinterpret_cast<Bytef*>(chunk);
            inflater_.avail_out = sizeof chunk;
            int const rc = inflate(&inflater_, Z_SYNC_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
                return false;
            out.append(chunk, sizeof chunk - inflater_.avail_out);
            if (out.size() > limit)
                return false;
            if (rc == Z_STREAM_END || (rc == Z_BUF_ERROR && inflater_.avail_in == 0))
                break;
        } while (inflater_.avail_out == 0 || inflater_.avail_in > 0);
        return true;
    };
    if (!run(reinterpret_cast<unsigned char const*>(payload.data()), payload.size()))
        return std::nullopt;
    if (!run(tail, sizeof tail))
        return std::nullopt;
    return out;
}

} // namespace sio::engine::detail
