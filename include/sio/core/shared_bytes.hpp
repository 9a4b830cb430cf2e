#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace sio {

/// Immutable bytes shared by every queue that sends them: a broadcast encodes its packet once and
/// each recipient holds a reference, never a copy. Cheap to copy; safe to read from any thread.
class shared_bytes {
public:
    shared_bytes() = default;

    /// Takes the string: small ones are copied into a single allocation with their reference
    /// count (one malloc instead of two for the usual packet), large ones are kept as they are.
    explicit shared_bytes(std::string bytes) {
        if (bytes.size() <= copy_limit) {
            *this = copy_of(bytes);
            return;
        }
        auto owner = std::make_shared<std::string const>(std::move(bytes));
        data_ = owner->data();
        size_ = owner->size();
        owner_ = std::move(owner);
    }

    /// A copy of `bytes` in one allocation.
    static shared_bytes copy_of(std::string_view bytes) {
        shared_bytes b;
        if (bytes.empty()) {
            // Present but empty (an empty attachment), unlike a default-constructed value.
            b.data_ = "";
            return b;
        }
        auto block = std::make_shared_for_overwrite<char[]>(bytes.size());
        std::memcpy(block.get(), bytes.data(), bytes.size());
        b.data_ = block.get();
        b.size_ = bytes.size();
        b.owner_ = std::move(block);
        return b;
    }

    std::string_view view() const noexcept { return {data_, size_}; }
    char const* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

private:
    static constexpr std::size_t copy_limit = 16 * 1024;

    std::shared_ptr<void const> owner_;
    char const* data_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace sio
