#include <sio/server/memory_adapter.hpp>
#include <sio/server/nsp.hpp>
#include <sio/server/server.hpp>
#include <sio/server/socket.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace sio {

void memory_adapter::init(nsp& owner) {
    nsp_ = &owner;
    shards_.resize(owner.shard_count());
    if (auto const& recovery = owner.server().options().connection_state_recovery)
        recovery_window_ = recovery->max_disconnection_duration;
}

void memory_adapter::expire(shard_rooms& shard) {
    auto const oldest = std::chrono::steady_clock::now() - *recovery_window_;
    while (!shard.log.empty() && shard.log.front().at < oldest)
        shard.log.pop_front();
    std::erase_if(shard.sessions, [&](auto const& kv) { return kv.second.at < oldest; });
}

void memory_adapter::persist_session(persisted_session session, std::size_t shard) {
    if (!recovery_window_)
        return;
    nsp_->run_on(shard, [this, shard, session = std::move(session)]() mutable {
        auto& state = shards_[shard];
        expire(state);
        auto pid = session.pid;
        state.sessions[std::move(pid)] =
            kept_session{std::move(session), std::chrono::steady_clock::now()};
    });
}

void memory_adapter::restore_session(
    std::string pid,
    std::string offset,
    std::function<void(std::optional<restored_session>)> done) {
    auto const shard = pid_shard(pid);
    if (!recovery_window_ || !shard || *shard >= shards_.size()) {
        done(std::nullopt);
        return;
    }
    nsp_->run_on(
        *shard,
        [this,
         index = *shard,
         pid = std::move(pid),
         offset = std::move(offset),
         done = std::move(done)] {
            auto& state = shards_[index];
            expire(state);
            auto it = state.sessions.find(pid);
            if (it == state.sessions.end()) {
                done(std::nullopt);
                return;
            }
            auto const from =
                std::find_if(state.log.rbegin(), state.log.rend(), [&](logged_packet const& p) {
                    return p.packet->offset == offset;
                });
            if (from == state.log.rend()) {
                done(std::nullopt); // the offset is gone: the client must start afresh
                return;
            }
            restored_session restored{std::move(it->second.session), {}};
            state.sessions.erase(it);
            auto const& rooms = restored.session.rooms;
            auto const in = [](std::vector<std::string> const& set, std::string const& room) {
                return std::find(set.begin(), set.end(), room) != set.end();
            };
            // socket.io's shouldIncludePacket: reached one of its rooms, excluded by none.
            for (auto p = from.base(); p != state.log.end(); ++p) {
                bool const included = p->opts.rooms.empty() ||
                                      std::any_of(rooms.begin(), rooms.end(), [&](auto const& r) {
                                          return in(p->opts.rooms, r);
                                      });
                bool const excluded = std::any_of(rooms.begin(), rooms.end(), [&](auto const& r) {
                    return in(p->opts.except, r);
                });
                if (included && !excluded)
                    restored.missed.push_back(p->packet);
            }
            done(std::move(restored));
        });
}

bool memory_adapter::in_own_room(shard_rooms const& shard, socket const& s) const {
    auto const& local = nsp_->local_sockets(s.shard());
    auto it = local.find(s.id());
    return it != local.end() && it->second == &s && !shard.left_own.contains(&s);
}

socket* memory_adapter::own_room_member(
    shard_rooms const& shard, std::size_t index, std::string const& room) const {
    auto const& local = nsp_->local_sockets(index);
    auto it = local.find(room);
    if (it == local.end() || shard.left_own.contains(it->second))
        return nullptr;
    return it->second;
}

void memory_adapter::add_all(socket& s, std::vector<std::string> const& rooms) {
    auto& shard = shards_[s.shard()];
    std::vector<std::string>* mine = nullptr;
    for (auto const& room : rooms) {
        if (room == s.id()) {
            // Implicit: a connected socket is in its own room unless it left it. Before it
            // connects (a middleware's join), the connection joins it anyway.
            shard.left_own.erase(&s);
            continue;
        }
        if (!mine)
            mine = &shard.sids[&s];
        if (std::find(mine->begin(), mine->end(), room) != mine->end())
            continue;
        mine->push_back(room);
        shard.rooms[room].insert(&s);
    }
}

void memory_adapter::del(socket& s, std::string const& room) {
    auto& shard = shards_[s.shard()];
    if (room == s.id()) {
        if (in_own_room(shard, s))
            shard.left_own.insert(&s);
        return;
    }
    if (auto it = shard.sids.find(&s); it != shard.sids.end()) {
        std::erase(it->second, room);
        if (it->second.empty())
            shard.sids.erase(it);
    }
    if (auto it = shard.rooms.find(room); it != shard.rooms.end()) {
        it->second.erase(&s);
        if (it->second.empty())
            shard.rooms.erase(it);
    }
}

void memory_adapter::del_all(socket& s) {
    auto& shard = shards_[s.shard()];
    // Its own room ends as it leaves the namespace's socket map, right after this.
    shard.left_own.erase(&s);
    auto it = shard.sids.find(&s);
    if (it == shard.sids.end())
        return;
    for (auto const& room : it->second) {
        if (auto r = shard.rooms.find(room); r != shard.rooms.end()) {
            r->second.erase(&s);
            if (r->second.empty())
                shard.rooms.erase(r);
        }
    }
    shard.sids.erase(it);
}

std::vector<std::string> memory_adapter::socket_rooms(socket const& s) const {
    auto const& shard = shards_[s.shard()];
    std::vector<std::string> out;
    if (in_own_room(shard, s))
        out.push_back(s.id());
    if (auto it = shard.sids.find(&s); it != shard.sids.end())
        out.insert(out.end(), it->second.begin(), it->second.end());
    return out;
}

void memory_adapter::for_each_match(
    std::size_t index, broadcast_options const& opts, std::function<void(socket&)> const& f) {
    auto& shard = shards_[index];
    // Usually one socket is excepted (socket.broadcast()): a short vector, no hash set, per
    // broadcast; a set only when the excepted rooms are large.
    std::vector<socket*> few;
    std::unordered_set<socket*> many;
    for (auto const& room : opts.except) {
        if (auto it = shard.rooms.find(room); it != shard.rooms.end())
            few.insert(few.end(), it->second.begin(), it->second.end());
        if (auto* own = own_room_member(shard, index, room))
            few.push_back(own);
    }
    constexpr std::size_t linear_limit = 16;
    if (few.size() > linear_limit) {
        many.insert(few.begin(), few.end());
        few.clear();
    }
    auto const wanted = [&](socket* s) {
        if (!many.empty())
            return many.count(s) == 0;
        return std::find(few.begin(), few.end(), s) == few.end();
    };
    if (opts.rooms.empty()) {
        for (auto const& [id, s] : nsp_->local_sockets(index))
            if (wanted(s))
                f(*s);
        return;
    }
    if (opts.rooms.size() == 1) {
        auto const& room = opts.rooms.front();
        // A socket's own room is implicit, never among the explicit members: no duplicate.
        auto* own = own_room_member(shard, index, room);
        if (auto it = shard.rooms.find(room); it != shard.rooms.end())
            for (auto* s : it->second)
                if (wanted(s))
                    f(*s);
        if (own && wanted(own))
            f(*own);
        return;
    }
    std::unordered_set<socket*> seen;
    for (auto const& room : opts.rooms) {
        auto* own = own_room_member(shard, index, room);
        if (auto it = shard.rooms.find(room); it != shard.rooms.end())
            for (auto* s : it->second)
                if (wanted(s) && seen.insert(s).second)
                    f(*s);
        if (own && wanted(own) && seen.insert(own).second)
            f(*own);
    }
}

void memory_adapter::on_every_shard(
    std::function<void(std::size_t)> per_shard, std::function<void()> done) {
    std::size_t const n = shards_.size();
    auto remaining = std::make_shared<std::atomic<std::size_t>>(n);
    auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
    auto shared_work = std::make_shared<std::function<void(std::size_t)>>(std::move(per_shard));
    // The caller's own shard first, synchronously: what it emits stays in order with what its
    // sockets emit directly.
    auto const here = nsp_->current_shard();
    auto run = [remaining, shared_done, shared_work](std::size_t i) {
        (*shared_work)(i);
        if (remaining->fetch_sub(1) == 1 && *shared_done)
            (*shared_done)();
    };
    if (here)
        run(*here);
    for (std::size_t i = 0; i < n; ++i)
        if (!here || i != *here)
            nsp_->run_on(i, [run, i] { run(i); });
}

void memory_adapter::broadcast(
    std::shared_ptr<encoded_packet const> packet, broadcast_options const& opts) {
    on_every_shard([this, packet, opts](std::size_t shard) {
        if (recovery_window_ && !packet->offset.empty()) {
            auto& state = shards_[shard];
            state.log.push_back({packet, opts, std::chrono::steady_clock::now()});
            expire(state);
        }
        for_each_match(
            shard, opts, [&](socket& s) { s.deliver(*packet, opts.is_volatile, opts.compress); });
    });
}

void memory_adapter::broadcast_with_ack(
    std::shared_ptr<encoded_packet const> packet,
    std::uint64_t ack_id,
    broadcast_options const& opts,
    std::function<void(std::size_t)> reached,
    std::function<void(message)> on_ack) {
    auto count = std::make_shared<std::atomic<std::size_t>>(0);
    on_every_shard(
        [this, packet, opts, ack_id, on_ack, count](std::size_t shard) {
            for_each_match(shard, opts, [&](socket& s) {
                if (s.deliver(*packet, opts.is_volatile, opts.compress) == send_status::sent) {
                    s.expect_ack(ack_id, on_ack);
                    count->fetch_add(1);
                }
            });
        },
        [count, reached = std::move(reached)] { reached(count->load()); });
}

void memory_adapter::fetch_sockets(
    broadcast_options const& opts, std::function<void(std::vector<socket_info>)> done) {
    struct gathered {
        std::mutex mutex;
        std::vector<socket_info> sockets;
    };
    auto result = std::make_shared<gathered>();
    on_every_shard(
        [this, opts, result](std::size_t shard) {
            std::vector<socket_info> local;
            for_each_match(shard, opts, [&](socket& s) {
                socket_info info;
                info.id = s.id();
                info.rooms = s.rooms();
                info.data = s.json_data();
                info.handshake = s.handshake().to_json();
                local.push_back(std::move(info));
            });
            std::lock_guard lock{result->mutex};
            for (auto& i : local)
                result->sockets.push_back(std::move(i));
        },
        [result, done = std::move(done)] { done(std::move(result->sockets)); });
}

void memory_adapter::add_sockets(broadcast_options const& opts, std::vector<std::string> rooms) {
    on_every_shard([this, opts, rooms](std::size_t shard) {
        std::vector<socket*> matched;
        for_each_match(shard, opts, [&](socket& s) { matched.push_back(&s); });
        for (auto* s : matched)
            s->join(rooms);
    });
}

void memory_adapter::del_sockets(broadcast_options const& opts, std::vector<std::string> rooms) {
    on_every_shard([this, opts, rooms](std::size_t shard) {
        std::vector<socket*> matched;
        for_each_match(shard, opts, [&](socket& s) { matched.push_back(&s); });
        for (auto* s : matched)
            for (auto const& room : rooms)
                s->leave(room);
    });
}

void memory_adapter::disconnect_sockets(broadcast_options const& opts, bool close) {
    on_every_shard([this, opts, close](std::size_t shard) {
        std::vector<std::weak_ptr<socket>> matched;
        for_each_match(shard, opts, [&](socket& s) { matched.push_back(s.weak_from_this()); });
        for (auto& weak : matched)
            if (auto s = weak.lock())
                s->disconnect(close);
    });
}

} // namespace sio
