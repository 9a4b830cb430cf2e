#include <sio/core/guarded.hpp>
#include <sio/core/log.hpp>
#include <sio/feed/database_source.hpp>

#include <boost/asio/post.hpp>

#include <string>

namespace sio::feed {
namespace {
constexpr std::size_t read_batch = 5000;
constexpr auto trim_every = std::chrono::seconds(1);
} // namespace

database_source::database_source(std::size_t retain, std::chrono::milliseconds poll_interval)
    : retain_(retain)
    , poll_interval_(poll_interval)
    , poll_timer_(ioc_) {}

database_source::~database_source() {
    stop();
}

void database_source::on_change(std::function<void(change const&)> f) {
    add_listener([f = std::move(f)](std::vector<change> const& batch) {
        // One change's throw costs that change only: the next ones still reach `f`.
        for (auto const& c : batch)
            guarded(
                [&] { f(c); },
                [&] {
                    return "feed on_change callback for change " + std::to_string(c.id) + " of " +
                           c.table;
                });
    });
}

void database_source::add_listener(listener l) {
    listeners_.push_back(std::move(l));
}

table_info const* database_source::table(std::string_view name) const {
    auto it = tables_.find(name);
    return it == tables_.end() ? nullptr : &it->second;
}

std::vector<std::string> database_source::tables() const {
    std::vector<std::string> out;
    for (auto const& [name, info] : tables_)
        out.push_back(name);
    return out;
}

void database_source::start() {
    arm_wakeups();
    arm_poll_timer();
    thread_ = std::thread([this] {
        auto guard = boost::asio::make_work_guard(ioc_);
        ioc_.run();
    });
}

void database_source::stop() {
    if (!thread_.joinable())
        return;
    ioc_.stop();
    thread_.join();
}

void database_source::post(std::function<void()> fn) {
    boost::asio::post(ioc_, [fn = std::move(fn)] {
        try {
            fn();
        } catch (std::exception const& ex) {
            log(log_level::error, std::string{"feed task failed: "} + ex.what());
        }
    });
}

void database_source::arm_poll_timer() {
    poll_timer_.expires_after(poll_interval_);
    poll_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec)
            return;
        try {
            tick();
            if (auto const now = std::chrono::steady_clock::now(); now - last_trim_ >= trim_every) {
                last_trim_ = now;
                trim();
            }
        } catch (std::exception const& ex) {
            log(log_level::error, std::string{"feed poll failed: "} + ex.what());
        }
        arm_poll_timer();
    });
}

void database_source::deliver_new() {
    while (true) {
        auto batch = read_changes(delivered_, INT64_MAX, read_batch);
        if (batch.empty())
            return;
        delivered_ = batch.back().id;
        // A listener that throws loses this batch, as a Node listener's throw would end its
        // call; it is logged and the other listeners, the feed thread and the cursor go on.
        for (std::size_t i = 0; i < listeners_.size(); ++i)
            guarded(
                [&] { listeners_[i](batch); },
                [&] {
                    return "feed listener " + std::to_string(i) + " (changes up to " +
                           std::to_string(batch.back().id) + ")";
                });
        if (batch.size() < read_batch)
            return;
    }
}

void database_source::trim() {
    auto const keep = static_cast<std::int64_t>(retain_);
    // Trimmed in steps of a tenth of the window, not on every change.
    if (delivered_ - trimmed_upto_ <= keep + keep / 10)
        return;
    auto const upto = delivered_ - keep;
    delete_changes(upto);
    trimmed_upto_ = upto;
}

std::optional<std::vector<change>>
database_source::changes_between(std::int64_t since, std::int64_t upto) {
    // The window is what `retain` promises, whether or not trimming has caught up yet.
    if (since < trimmed_upto_ || upto - since > static_cast<std::int64_t>(retain_))
        return std::nullopt;
    std::vector<change> all;
    while (true) {
        auto batch = read_changes(since, upto, read_batch);
        if (batch.empty())
            break;
        since = batch.back().id;
        for (auto& c : batch)
            all.push_back(std::move(c));
    }
    return all;
}

} // namespace sio::feed
