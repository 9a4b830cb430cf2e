#pragma once

#include <sio/core/guarded.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <type_traits>
#include <utility>

namespace sio::detail {

namespace net = boost::asio;

/// A completion handler that runs where Asio's own operations would run it: on its associated
/// executor (a strand, a coroutine's io_context, bind_executor's), or on `IoExecutor` (the
/// shard that did the work) when it has none. Outstanding work is counted on that executor from
/// initiation until the handler runs, so an io_context waiting for the result does not run out
/// of work meanwhile. Invoking it dispatches: inline when already on that executor (a plain
/// callback completing on its shard), else posted there. The handler runs inside sio::guarded,
/// logged as `describe()` says: an io_context executor that runs a function inline keeps its
/// exception for run() to rethrow later, far from the socket it concerned.
template <class Handler, class IoExecutor, class Describe> class bound_completion {
public:
    using executor_type = net::associated_executor_t<Handler, IoExecutor>;

    bound_completion(Handler h, IoExecutor const& io, Describe describe)
        : work_(net::get_associated_executor(h, io))
        , handler_(std::move(h))
        , describe_(std::move(describe)) {}

    executor_type get_executor() const noexcept { return work_.get_executor(); }

    template <class... Args> void operator()(Args&&... args) {
        auto work = std::move(work_); // released once the handler is submitted
        net::dispatch(
            work.get_executor(),
            [h = std::move(handler_),
             d = std::move(describe_),
             ... a = std::forward<Args>(args)]() mutable {
                sio::guarded([&] { std::move(h)(std::move(a)...); }, d);
            });
    }

private:
    net::executor_work_guard<executor_type> work_;
    Handler handler_;
    Describe describe_;
};

template <class Handler, class IoExecutor, class Describe>
bound_completion<std::decay_t<Handler>, IoExecutor, std::decay_t<Describe>>
bind_completion(Handler&& h, IoExecutor const& io, Describe&& describe) {
    return {std::forward<Handler>(h), io, std::forward<Describe>(describe)};
}

} // namespace sio::detail
