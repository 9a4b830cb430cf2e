#pragma once

#include <chrono>

namespace sio::engine::detail {

class deadline_list;

/// One deadline, embedded in what waits for it (a session); see engine/deadline_list.hpp.
/// Linked in at most one list at a time.
struct deadline_hook {
    deadline_hook* prev = nullptr;
    deadline_hook* next = nullptr;
    deadline_list* list = nullptr; // the list it waits in; null when not armed
    std::chrono::steady_clock::time_point due{};

    bool is_armed() const noexcept { return list != nullptr; }
};

} // namespace sio::engine::detail
