#include <utility>

#include "saga/testing/http_client.hpp"

#include "saga/http/client.hpp"

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <functional>

namespace saga::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpReply HttpRequest(const std::string& host, std::uint16_t port, const std::string& method,
                      const std::string& target, const std::string& body,
                      const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
  auto reply = saga::http::Exchange(host, port, method, target, body, headers, timeout);
  return HttpReply{reply.status, std::move(reply.body), std::move(reply.headers), std::move(reply.error)};
}

std::string SendRaw(const std::string& host, std::uint16_t port, const std::string& bytes,
                    std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  std::string out;
  std::array<char, 4096> chunk{};
  std::function<void(beast::error_code, std::size_t)> on_read = [&](beast::error_code ec, std::size_t n) {
    out.append(chunk.data(), n);
    if (!ec) stream.async_read_some(asio::buffer(chunk), on_read);
  };
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(asio::ip::make_address(host), port), [&](beast::error_code ec) {
    if (ec) return;
    asio::async_write(stream, asio::buffer(bytes), [&](beast::error_code write_ec, std::size_t) {
      if (!write_ec) stream.async_read_some(asio::buffer(chunk), on_read);
    });
  });
  ioc.run();
  return out;
}

}  // namespace saga::testing
