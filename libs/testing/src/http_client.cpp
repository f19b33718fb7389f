#include <utility>

#include "saga/testing/http_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace saga::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Beast's timeouts apply to asynchronous operations only; bound the blocking ones too.
void SetSocketTimeouts(tcp::socket& socket, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

}  // namespace

HttpReply HttpRequest(const std::string& host, std::uint16_t port, const std::string& method,
                      const std::string& target, const std::string& body,
                      const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
  HttpReply reply;
  try {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    stream.connect(tcp::endpoint(asio::ip::make_address(host), port));
    SetSocketTimeouts(stream.socket(), timeout);
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    for (const auto& [name, value] : headers) req.set(name, value);
    if (!body.empty()) {
      req.body() = body;
      if (headers.count("Content-Type") == 0) req.set(http::field::content_type, "application/json");
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream, buffer, parser);
    auto res = parser.release();
    reply.status = static_cast<int>(res.result_int());
    reply.body = res.body();
    for (const auto& field : res) {
      std::string name(field.name_string().data(), field.name_string().size());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = std::string(field.value().data(), field.value().size());
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& e) {
    reply.status = 0;
    reply.error = e.what();
  }
  return reply;
}

std::string SendRaw(const std::string& host, std::uint16_t port, const std::string& bytes,
                    std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  beast::error_code ec;
  stream.connect(tcp::endpoint(asio::ip::make_address(host), port), ec);
  if (ec) return {};
  SetSocketTimeouts(stream.socket(), timeout);
  asio::write(stream, asio::buffer(bytes), ec);
  std::string out;
  char chunk[4096];
  while (true) {
    const auto n = stream.read_some(asio::buffer(chunk), ec);
    out.append(chunk, n);
    if (ec) break;
  }
  return out;
}

}  // namespace saga::testing
