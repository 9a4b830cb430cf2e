#include <sio/engine/request.hpp>

#include <algorithm>
#include <cctype>

namespace sio::engine {

std::optional<std::string_view> request_info::query_param(std::string_view name) const noexcept {
    for (auto const& [k, v] : query)
        if (k == name)
            return std::string_view{v};
    return std::nullopt;
}

std::optional<std::string_view> request_info::header(std::string_view name) const noexcept {
    auto const same = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() &&
               std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   return std::tolower(static_cast<unsigned char>(x)) ==
                          std::tolower(static_cast<unsigned char>(y));
               });
    };
    for (auto const& [k, v] : headers)
        if (same(k, name))
            return std::string_view{v};
    return std::nullopt;
}

} // namespace sio::engine
