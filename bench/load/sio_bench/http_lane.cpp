#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include <strings.h>

#include <cstring>
#include <sio_bench/http_lane.hpp>

namespace sio_bench {

http_lane::http_lane(net::io_context& ioc, tcp::endpoint server, std::string host_header)
    : socket_(ioc)
    , server_(server)
    , host_(std::move(host_header))
    , in_(16 * 1024) {}

void http_lane::set_handlers(response_handler on_response, error_handler on_error) {
    on_response_ = std::move(on_response);
    on_error_ = std::move(on_error);
}

void http_lane::request(std::string_view method, std::string const& target, std::string_view body) {
    busy_ = true;
    out_.clear();
    out_.append(method);
    out_ += ' ';
    out_ += target;
    out_ += " HTTP/1.1\r\nHost: ";
    out_ += host_;
    if (method == "POST") {
        out_ += "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ";
        out_ += std::to_string(body.size());
    }
    out_ += "\r\n\r\n";
    out_.append(body);
    if (connected_)
        return write();
    socket_.async_connect(server_, [this](boost::system::error_code ec) {
        if (closing_)
            return;
        if (ec)
            return fail("connect: " + ec.message());
        connected_ = true;
        socket_.set_option(tcp::no_delay(true), ec);
        write();
        read();
    });
}

void http_lane::write() {
    net::async_write(socket_, net::buffer(out_), [this](boost::system::error_code ec, std::size_t) {
        if (!closing_ && ec)
            fail("write: " + ec.message());
    });
}

void http_lane::read() {
    if (in_len_ == in_.size())
        in_.resize(in_.size() * 2);
    socket_.async_read_some(
        net::buffer(in_.data() + in_len_, in_.size() - in_len_),
        [this](boost::system::error_code ec, std::size_t n) { on_read(ec, n); });
}

void http_lane::on_read(boost::system::error_code ec, std::size_t n) {
    if (closing_)
        return;
    if (ec)
        return fail("read: " + ec.message());
    in_len_ += n;
    // One response at a time: the server answers only what was asked.
    std::string_view const data(in_.data(), in_len_);
    auto const end = data.find("\r\n\r\n");
    if (end == std::string_view::npos)
        return read();
    std::string_view const head = data.substr(0, end + 2);
    if (head.substr(0, 13) != "HTTP/1.1 200 ")
        return fail("HTTP error: " + std::string(head.substr(0, head.find('\r'))));
    std::size_t length = 0;
    bool has_length = false;
    for (std::size_t pos = head.find("\r\n") + 2; pos < head.size();) {
        auto const eol = head.find("\r\n", pos);
        std::string_view const field = head.substr(pos, eol - pos);
        pos = eol + 2;
        auto const colon = field.find(':');
        if (colon == std::string_view::npos)
            continue;
        std::string const name(field.substr(0, colon));
        std::string_view value = field.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        if (strcasecmp(name.c_str(), "content-length") == 0) {
            length = std::strtoul(std::string(value).c_str(), nullptr, 10);
            has_length = true;
        } else if (strcasecmp(name.c_str(), "transfer-encoding") == 0) {
            return fail("chunked responses are not supported by this generator");
        }
    }
    if (!has_length)
        return fail("response without Content-Length");
    std::size_t const total = end + 4 + length;
    if (in_len_ < total) {
        if (in_.size() < total)
            in_.resize(total);
        return read();
    }
    std::string const body(data.substr(end + 4, length));
    std::memmove(in_.data(), in_.data() + total, in_len_ - total);
    in_len_ -= total;
    busy_ = false;
    read();
    on_response_(body);
}

void http_lane::fail(std::string const& why) {
    if (closing_)
        return;
    close();
    on_error_(why);
}

void http_lane::close() {
    closing_ = true;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
}

} // namespace sio_bench
