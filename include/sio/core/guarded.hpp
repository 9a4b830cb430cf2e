#pragma once

#include <sio/core/log.hpp>

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sio {

/// Runs `f()`, the one door through which the library calls user code (handlers, completions,
/// middlewares, feed listeners, HTTP routes, a shard's event loop). Whatever `f` throws, of any
/// type, is caught and logged at error level as "<describe()> threw: <what>", so no exception
/// crosses an event loop and ends the process. `describe` (returning a string) runs only when
/// something was thrown, so the usual path builds no text.
///
/// Returns nothing when `f` returned; else what it threw: the message of a std::exception, or
/// an empty string for any other type. Any thread.
template <class F, class Describe>
std::optional<std::string> guarded(F&& f, Describe&& describe) noexcept {
    std::optional<std::string> failure;
    try {
        std::forward<F>(f)();
        return failure;
    } catch (std::exception const& ex) {
        try {
            failure.emplace(ex.what());
        } catch (...) {
            failure.emplace();
        }
    } catch (...) {
        failure.emplace();
    }
    try {
        std::string line{std::forward<Describe>(describe)()};
        if (failure->empty())
            line.append(" threw an exception that is not a std::exception");
        else
            line.append(" threw: ").append(*failure);
        log(log_level::error, line);
    } catch (...) {
        // Out of memory while logging: the call is still contained, which is what matters.
    }
    return failure;
}

} // namespace sio
