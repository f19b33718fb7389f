#include <utility>

#include "saga/testing/http_client.hpp"

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

// Every operation is asynchronous on a private io_context so that the stream's deadline
// (beast::tcp_stream::expires_after) bounds it: a server that never answers cannot hang a test.

HttpReply HttpRequest(const std::string& host, std::uint16_t port, const std::string& method,
                      const std::string& target, const std::string& body,
                      const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
  HttpReply reply;
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, host);
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty()) {
    req.body() = body;
    if (headers.count("Content-Type") == 0) req.set(http::field::content_type, "application/json");
  }
  req.prepare_payload();

  beast::error_code result;
  boost::system::error_code address_error;
  const auto address = asio::ip::make_address(host, address_error);
  if (address_error) {
    reply.error = "bad host: " + host;
    return reply;
  }
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(address, port), [&](beast::error_code ec) {
    if (ec) {
      result = ec;
      return;
    }
    http::async_write(stream, req, [&](beast::error_code write_ec, std::size_t) {
      if (write_ec) {
        result = write_ec;
        return;
      }
      http::async_read(stream, buffer, parser,
                       [&](beast::error_code read_ec, std::size_t) { result = read_ec; });
    });
  });
  ioc.run();
  if (result) {
    reply.error = result.message();
    return reply;
  }
  auto res = parser.release();
  reply.status = static_cast<int>(res.result_int());
  reply.body = res.body();
  for (const auto& field : res) {
    std::string name(field.name_string().data(), field.name_string().size());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value().data(), field.value().size());
  }
  return reply;
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
