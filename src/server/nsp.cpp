#include <sio/core/guarded.hpp>
#include <sio/server/nsp.hpp>
#include <sio/server/server.hpp>

#include <boost/asio/post.hpp>

#include <string>

namespace sio {

nsp::nsp(sio::server& server, std::string name, std::unique_ptr<sio::adapter> a, std::size_t shards)
    : server_(&server)
    , name_(std::move(name))
    , adapter_(std::move(a))
    , shards_(shards) {
    adapter_->init(*this);
}

nsp::~nsp() = default;

nsp& nsp::on_connection(connection_handler h) {
    connection_handlers_.push_back(std::move(h));
    return *this;
}

nsp& nsp::use(middleware m) {
    middlewares_.push_back(std::move(m));
    return *this;
}

std::size_t nsp::shard_count() const noexcept {
    return shards_.size();
}

std::optional<std::size_t> nsp::current_shard() const noexcept {
    auto& pool = server_->pool();
    for (std::size_t i = 0; i < pool.size(); ++i)
        if (pool.get(i).get_executor().running_in_this_thread())
            return i;
    return std::nullopt;
}

void nsp::run_on(std::size_t shard, std::function<void()> fn) const {
    auto ex = server_->pool().get(shard).get_executor();
    if (ex.running_in_this_thread())
        fn();
    else
        net::post(ex, std::move(fn));
}

void nsp::add(socket& s) {
    // Erased first: a key views its own socket's id, never another's.
    auto& sockets = shards_[s.shard()].sockets;
    sockets.erase(s.id());
    sockets.emplace(s.id(), &s);
    count_.fetch_add(1, std::memory_order_relaxed);
}

void nsp::remove(socket& s) {
    if (shards_[s.shard()].sockets.erase(s.id()) > 0)
        count_.fetch_sub(1, std::memory_order_relaxed);
}

void nsp::run_middlewares(
    std::shared_ptr<socket> s,
    std::size_t index,
    std::function<void(std::optional<connect_error>)> done) {
    if (index == middlewares_.size()) {
        done(std::nullopt);
        return;
    }
    // `next` may be called from any thread, at most once; the chain goes on on the socket's shard.
    auto called = std::make_shared<std::atomic<bool>>(false);
    next n{[this, s, index, done, called](std::optional<connect_error> error) {
        if (called->exchange(true))
            return;
        run_on(s->shard(), [this, s, index, done, error = std::move(error)]() mutable {
            if (error)
                done(std::move(error));
            else
                run_middlewares(s, index + 1, done);
        });
    }};
    // Node has no try around a middleware (an uncaught exception); what it does for a refusal,
    // next(err), is what we do for a throw: the client gets connect_error with the message (or
    // "middleware error" for a throw that is not a std::exception) and the process goes on.
    auto thrown = guarded(
        [&] { middlewares_[index](*s, n); },
        [&] {
            return "middleware " + std::to_string(index) + " of " + name_ + " for socket " +
                   s->id() + " on shard " + std::to_string(s->shard());
        });
    if (thrown)
        n(connect_error{
            thrown->empty() ? std::string{"middleware error"} : std::move(*thrown), {}});
}

void nsp::fire_connection(socket& s) {
    auto keep = s.shared_from_this();
    for (auto& h : connection_handlers_) {
        if (!s.connected())
            break;
        // Node: an uncaught exception. Here it is logged, the socket stays connected and the
        // next connection handler runs.
        guarded(
            [&] { h(s); },
            [&] {
                return "connection handler of " + name_ + " for socket " + s.id() + " on shard " +
                       std::to_string(s.shard());
            });
    }
}

} // namespace sio
