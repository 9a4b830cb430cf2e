#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sio {

/// Immutable bytes shared by every queue that sends them: a broadcast encodes its packet once and
/// each recipient holds a reference, never a copy. Cheap to copy; safe to read from any thread.
class shared_bytes {
public:
    shared_bytes() = default;
    explicit shared_bytes(std::string bytes)
        : bytes_(std::make_shared<const std::string>(std::move(bytes))) {}

    std::string_view view() const noexcept {
        return bytes_ ? std::string_view{*bytes_} : std::string_view{};
    }
    char const* data() const noexcept { return bytes_ ? bytes_->data() : nullptr; }
    std::size_t size() const noexcept { return bytes_ ? bytes_->size() : 0; }
    bool empty() const noexcept { return size() == 0; }

private:
    std::shared_ptr<const std::string> bytes_;
};

} // namespace sio
