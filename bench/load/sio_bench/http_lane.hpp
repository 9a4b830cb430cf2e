// One keep-alive HTTP/1.1 connection that carries one request at a time: the long-polling
// scenario uses two per client, one for GETs and one for POSTs, as a browser does.
#pragma once

#include <functional>
#include <sio_bench/harness.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sio_bench {

class http_lane {
public:
    /// on_response(body) after a 200 with a Content-Length body; on_error(why) otherwise.
    using response_handler = std::function<void(std::string_view body)>;
    using error_handler = std::function<void(std::string const& why)>;

    http_lane(net::io_context& ioc, tcp::endpoint server, std::string host_header);

    bool busy() const noexcept { return busy_; }
    void set_handlers(response_handler on_response, error_handler on_error);
    /// Sends `method target` with `body` (none for GET) on this connection (connecting first).
    void request(std::string_view method, std::string const& target, std::string_view body);
    void close();

private:
    void write();
    void read();
    void on_read(boost::system::error_code ec, std::size_t n);
    void fail(std::string const& why);

    tcp::socket socket_;
    tcp::endpoint server_;
    std::string host_;
    response_handler on_response_;
    error_handler on_error_;
    std::string out_;
    std::vector<char> in_;
    std::size_t in_len_ = 0;
    bool connected_ = false;
    bool busy_ = false;
    bool closing_ = false;
};

} // namespace sio_bench
