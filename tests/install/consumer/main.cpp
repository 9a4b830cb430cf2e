#include <sio/engine/server.hpp>

#include <iostream>

int main() {
    sio::io_pool pool{1};
    sio::engine::server_options options;
    std::cout << "sio consumer: io_pool of " << pool.size() << " shard, ping_interval "
              << options.ping_interval.count() << " ms, close reason \""
              << sio::engine::to_string(sio::engine::close_reason::transport_close) << "\"\n";
}
