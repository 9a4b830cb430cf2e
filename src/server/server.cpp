#include <sio/core/guarded.hpp>
#include <sio/core/log.hpp>
#include <sio/server/memory_adapter.hpp>
#include <sio/server/server.hpp>

#include <openssl/rand.h>

#include <mutex>
#include <server/client.hpp>
#include <server/server_state.hpp>

namespace sio {
namespace detail {

namespace {
constexpr auto const& id_alphabet = session_id_alphabet;
constexpr std::size_t id_length = 20;

client* client_of(engine::session& s) {
    return static_cast<client*>(s.context());
}
} // namespace

namespace {
std::string boot_prefix() {
    unsigned char bytes[6];
    RAND_bytes(bytes, sizeof bytes);
    std::string out;
    for (unsigned char b : bytes)
        out.push_back(id_alphabet[b & 63]);
    return out;
}
} // namespace

server_state::server_state(sio::server& o, io_pool& p, server_options opts)
    : offset_prefix(boot_prefix())
    , owner(o)
    , pool(p)
    , options(std::move(opts))
    , engine(p, *this, options.engine)
    , ids_(p.size()) {}

void server_state::on_open(engine::session& s) {
    auto c = std::make_shared<client>(*this, s);
    s.set_context(c);
    c->start();
}

void server_state::on_message(engine::session& s, std::string_view data, bool binary) {
    if (auto* c = client_of(s))
        c->on_message(data, binary);
}

void server_state::on_close(engine::session& s, engine::close_reason reason) {
    if (auto* c = client_of(s)) {
        auto keep = c->shared_from_this();
        s.set_context(nullptr);
        keep->on_close(reason);
    }
}

nsp& server_state::get_or_create(std::string_view name) {
    std::unique_lock lock{nsps_mutex};
    auto it = nsps.find(name);
    if (it != nsps.end())
        return *it->second;
    auto a = options.adapter ? options.adapter() : std::make_unique<memory_adapter>();
    auto n = std::make_unique<nsp>(owner, std::string{name}, std::move(a), pool.size());
    auto& ref = *n;
    nsps.emplace(std::string{name}, std::move(n));
    return ref;
}

nsp* server_state::find_nsp(std::string_view name, boost::json::object const& auth) {
    {
        std::shared_lock lock{nsps_mutex};
        if (auto it = nsps.find(name); it != nsps.end())
            return it->second.get();
        if (dynamic.empty())
            return nullptr;
    }
    for (auto const& [accept, init] : dynamic) {
        bool ok = false;
        guarded(
            [&] { ok = accept(name, auth); },
            [&] { return "namespace predicate for " + std::string{name}; });
        if (!ok)
            continue;
        return create_dynamic(name, init);
    }
    return nullptr;
}

nsp* server_state::create_dynamic(std::string_view name, std::function<void(nsp&)> const& init) {
    std::unique_lock lock{nsps_mutex};
    // Another shard may be setting up the same name: wait for it, so it is created once.
    while (true) {
        if (auto it = nsps.find(name); it != nsps.end())
            return it->second.get();
        if (nsps_creating.find(name) == nsps_creating.end())
            break;
        nsp_created.wait(lock);
    }
    nsps_creating.emplace(name);
    lock.unlock();
    // Set up outside the lock (init may call io.of(...)), before any other shard can see it. A
    // throwing init (or adapter) leaves no namespace: the client is refused "Invalid namespace",
    // as for a name no predicate accepts, and a later CONNECT tries again.
    std::unique_ptr<nsp> n;
    bool const ok = !guarded(
        [&] {
            auto a = options.adapter ? options.adapter() : std::make_unique<memory_adapter>();
            n = std::make_unique<nsp>(owner, std::string{name}, std::move(a), pool.size());
            init(*n);
        },
        [&] { return "init of dynamic namespace " + std::string{name}; });
    lock.lock();
    nsps_creating.erase(nsps_creating.find(name));
    nsp* raw = nullptr;
    if (ok) {
        // An init that created this very name with io.of(...) keeps that one.
        auto [it, inserted] = nsps.try_emplace(std::string{name}, std::move(n));
        raw = it->second.get();
    }
    nsp_created.notify_all();
    lock.unlock();
    return raw;
}

std::string server_state::make_socket_id(std::size_t shard) {
    auto& pool_bytes = ids_[shard];
    constexpr std::size_t refill = id_length * 64;
    if (pool_bytes.used + id_length > pool_bytes.bytes.size()) {
        pool_bytes.bytes.resize(refill);
        if (RAND_bytes(
                reinterpret_cast<unsigned char*>(pool_bytes.bytes.data()),
                static_cast<int>(refill)) != 1)
            throw std::runtime_error("sio: CSPRNG failure");
        pool_bytes.used = 0;
    }
    std::string id;
    id.reserve(id_length);
    for (std::size_t i = 0; i < id_length; ++i)
        id.push_back(
            id_alphabet[static_cast<unsigned char>(pool_bytes.bytes[pool_bytes.used++]) & 63]);
    return id;
}

std::string server_state::make_pid(std::size_t shard) {
    auto pid = make_socket_id(shard);
    pid.front() = id_alphabet[shard];
    return pid;
}

} // namespace detail

server::server(io_pool& pool, server_options options)
    : state_(std::make_unique<detail::server_state>(*this, pool, std::move(options))) {
    of("/");
}

server::~server() = default;

nsp& server::of(std::string_view name) {
    if (!name.empty() && name.front() == '/')
        return state_->get_or_create(name);
    std::string rooted; // "chat" means "/chat", as in Node
    rooted.reserve(name.size() + 1);
    rooted.push_back('/');
    rooted.append(name);
    return state_->get_or_create(rooted);
}

void server::of(nsp_predicate accept, std::function<void(nsp&)> init) {
    std::unique_lock lock{state_->nsps_mutex};
    state_->dynamic.emplace_back(std::move(accept), std::move(init));
}

void server::serve_client(shared_bytes script) {
    auto const& path = state_->options.engine.path;
    state_->engine.serve(path + "/socket.io.js", "application/javascript; charset=utf-8", script);
    state_->engine.serve(
        path + "/socket.io.min.js", "application/javascript; charset=utf-8", std::move(script));
}

void server::on_http_request(engine::http_handler app) {
    state_->engine.on_http_request(std::move(app));
}

net::ip::tcp::endpoint
server::listen(std::string_view host, unsigned short port, std::shared_ptr<net::ssl::context> tls) {
    return state_->engine.listen(host, port, std::move(tls));
}

void server::close(std::function<void()> done) {
    state_->engine.close(std::move(done));
}

std::string server::make_offset() {
    // Built by appends: g++ 12 warns falsely (-Wrestrict) on operator+ chains here.
    std::string offset;
    offset.reserve(state_->offset_prefix.size() + 21);
    offset.append(state_->offset_prefix).push_back('-');
    offset.append(std::to_string(state_->offsets.fetch_add(1, std::memory_order_relaxed)));
    return offset;
}

engine::server& server::engine() noexcept {
    return state_->engine;
}

server_options const& server::options() const noexcept {
    return state_->options;
}

io_pool& server::pool() noexcept {
    return state_->pool;
}

} // namespace sio
