#include <utility>

#include "saga/testing/http_client.hpp"

#include "saga/http/client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <functional>
#include <type_traits>

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

namespace {

// Connects (and for TLS, shakes hands), writes `bytes`, reads until the peer closes.
template <class Stream>
std::string ReadAfterWriting(asio::io_context& ioc, Stream& stream, const std::string& host,
                             std::uint16_t port, const std::string& bytes,
                             std::chrono::milliseconds timeout) {
  std::string out;
  std::array<char, 4096> chunk{};
  std::function<void(beast::error_code, std::size_t)> on_read = [&](beast::error_code ec, std::size_t n) {
    out.append(chunk.data(), n);
    if (!ec) stream.async_read_some(asio::buffer(chunk), on_read);
  };
  const auto write = [&] {
    asio::async_write(stream, asio::buffer(bytes), [&](beast::error_code write_ec, std::size_t) {
      if (!write_ec) stream.async_read_some(asio::buffer(chunk), on_read);
    });
  };
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_after(timeout);
  tcp_layer.async_connect(tcp::endpoint(asio::ip::make_address(host), port), [&](beast::error_code ec) {
    if (ec) return;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      write();
    } else {
      stream.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code handshake_ec) {
        if (!handshake_ec) write();
      });
    }
  });
  ioc.run();
  return out;
}

}  // namespace

std::string SendRaw(const std::string& host, std::uint16_t port, const std::string& bytes,
                    std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  return ReadAfterWriting(ioc, stream, host, port, bytes, timeout);
}

HttpReply HttpsRequest(const TlsOptions& tls, const std::string& host, std::uint16_t port,
                       const std::string& method, const std::string& target, const std::string& body,
                       const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
  const saga::http::TlsClientContext context(tls.ca_file);
  auto reply = saga::http::Exchange(host, port, method, target, body, headers, timeout, &context);
  return HttpReply{reply.status, std::move(reply.body), std::move(reply.headers), std::move(reply.error)};
}

std::string SendRawTls(const TlsOptions& tls, const std::string& host, std::uint16_t port,
                       const std::string& bytes, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.set_verify_mode(asio::ssl::verify_peer);
  context.load_verify_file(tls.ca_file);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, context);
  boost::system::error_code not_an_address;
  (void)asio::ip::make_address(host, not_an_address);
  if (not_an_address) {
    SSL_set1_host(stream.native_handle(), host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream.native_handle()), host.c_str());
  }
  return ReadAfterWriting(ioc, stream, host, port, bytes, timeout);
}

}  // namespace saga::testing
