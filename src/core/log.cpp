#include <sio/core/log.hpp>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

namespace sio {
namespace {

// The sink is replaced only at start-up; readers take a shared_ptr copy under a short lock so a
// replacement never races a call in flight.
std::mutex sink_mutex;
std::shared_ptr<log_sink> current_sink;
std::atomic<int> current_threshold{static_cast<int>(log_level::error) + 1};

} // namespace

std::string_view to_string(log_level level) noexcept {
    switch (level) {
    case log_level::debug:
        return "debug";
    case log_level::info:
        return "info";
    case log_level::warn:
        return "warn";
    case log_level::error:
        return "error";
    }
    return "unknown";
}

void set_log_sink(log_sink sink, log_level threshold) {
    std::lock_guard lock{sink_mutex};
    if (sink) {
        current_sink = std::make_shared<log_sink>(std::move(sink));
        current_threshold = static_cast<int>(threshold);
    } else {
        current_sink.reset();
        current_threshold = static_cast<int>(log_level::error) + 1;
    }
}

log_sink stderr_log_sink() {
    return [](log_level level, std::string_view message) {
        std::string line;
        line.reserve(message.size() + 16);
        line.append("[sio ").append(to_string(level)).append("] ").append(message).push_back('\n');
        std::fwrite(line.data(), 1, line.size(), stderr);
    };
}

bool log_enabled(log_level level) noexcept {
    return static_cast<int>(level) >= current_threshold.load(std::memory_order_relaxed);
}

void log(log_level level, std::string_view message) {
    if (!log_enabled(level))
        return;
    std::shared_ptr<log_sink> sink;
    {
        std::lock_guard lock{sink_mutex};
        sink = current_sink;
    }
    if (sink)
        (*sink)(level, message);
}

} // namespace sio
