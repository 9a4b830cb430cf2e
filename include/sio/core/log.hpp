#pragma once

#include <functional>
#include <string_view>

namespace sio {

enum class log_level { debug, info, warn, error };

std::string_view to_string(log_level level) noexcept;

/// Where the library's diagnostics go. Off by default: the library never prints by itself.
/// Called from any thread; the sink must be thread-safe.
using log_sink = std::function<void(log_level, std::string_view)>;

/// Installs (or, with an empty function, removes) the process-wide sink and its threshold.
/// Call at start-up, before servers run.
void set_log_sink(log_sink sink, log_level threshold = log_level::info);

/// A sink that writes one line per record to stderr, for programs and tests.
log_sink stderr_log_sink();

bool log_enabled(log_level level) noexcept;
void log(log_level level, std::string_view message);

} // namespace sio
