#pragma once

#include <sio/engine/detail/deadline_hook.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace sio::engine::detail {

namespace net = boost::asio;

/// Deadlines of one shard that all have the same duration (every session's ping interval, say).
/// Each is armed as `now + duration`, so arming order is expiry order: a FIFO list and one timer
/// per shard replace a steady_timer and a pending wait per session (some 290 bytes per idle
/// connection). The timer waits for the head only, and only while the list is not empty, so an
/// idle shard has no pending work.
class deadline_list {
public:
    using expire_fn = void (*)(deadline_hook& h);

    deadline_list(net::io_context& ctx, std::chrono::steady_clock::duration duration, expire_fn f)
        : timer_(ctx)
        , duration_(duration)
        , expire_(f) {}
    ~deadline_list() {
        // Whatever is still armed outlives us only in a teardown; leave it unarmed, not dangling.
        while (head_)
            unlink(*head_);
    }
    deadline_list(deadline_list const&) = delete;
    deadline_list& operator=(deadline_list const&) = delete;

    /// (Re)starts `h`: it expires `duration` from now, unless cancelled or re-armed first.
    void arm(deadline_hook& h) {
        if (h.list)
            h.list->cancel(h);
        h.due = std::chrono::steady_clock::now() + duration_;
        h.list = this;
        h.prev = tail_;
        h.next = nullptr;
        (tail_ ? tail_->next : head_) = &h;
        tail_ = &h;
        schedule();
    }

    /// Disarms `h` (in whichever list it waits); its expiry function will not run.
    static void disarm(deadline_hook& h) noexcept {
        if (h.list)
            h.list->cancel(h);
    }

private:
    void cancel(deadline_hook& h) noexcept {
        unlink(h);
        if (!head_ && waiting_) {
            // Nothing left to wait for: no pending wait, so an idle io_context can run out.
            waiting_ = false;
            ++generation_;
            timer_.cancel();
        }
    }

    void unlink(deadline_hook& h) noexcept {
        (h.prev ? h.prev->next : head_) = h.next;
        (h.next ? h.next->prev : tail_) = h.prev;
        h.prev = h.next = nullptr;
        h.list = nullptr;
    }

    void schedule() {
        // A wait for an earlier time is kept: it wakes early at worst and re-arms for the head.
        if (!head_ || (waiting_ && wait_until_ <= head_->due))
            return;
        waiting_ = true;
        wait_until_ = head_->due;
        timer_.expires_at(wait_until_);
        timer_.async_wait([this, gen = ++generation_, alive = std::weak_ptr<char>{alive_}](
                              boost::system::error_code) {
            if (alive.expired() || gen != generation_)
                return;
            on_timer();
        });
    }

    void on_timer() {
        waiting_ = false;
        auto const now = std::chrono::steady_clock::now();
        // Expiry functions may arm or cancel hooks of this list; re-read the head each time.
        while (head_ && head_->due <= now) {
            auto& h = *head_;
            unlink(h);
            expire_(h);
        }
        schedule();
    }

    net::steady_timer timer_;
    std::chrono::steady_clock::duration duration_;
    expire_fn expire_;
    deadline_hook* head_ = nullptr;
    deadline_hook* tail_ = nullptr;
    std::chrono::steady_clock::time_point wait_until_{};
    std::uint64_t generation_ = 0; // invalidates waits that were replaced or cancelled
    bool waiting_ = false;
    std::shared_ptr<char> alive_ = std::make_shared<char>();
};

} // namespace sio::engine::detail
