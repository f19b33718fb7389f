#pragma once
// HttpServer: HTTP/1.1 over Boost.Beast with C++20 coroutines (Boost 1.74 Asio).
// - keep-alive; limits on header size, body size and request read time; a bounded number of
//   concurrent connections (beyond it: 503 and close);
// - malformed requests answer 400, oversized headers 431, oversized bodies 413;
// - an exception escaping a handler is logged and answered with a problem+json 500 (or 503 when
//   it is a retryable core::InfraError), without its message;
// - Stop() stops accepting, lets in-flight requests finish (up to shutdown_grace), then closes
//   idle connections.
//
// Handlers run on the server's I/O threads; they must not block for long.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "saga/http/router.hpp"

namespace saga::config {
class ConfigSource;
}

namespace saga::http {

struct HttpServerConfig {
  /// Listen address. 127.0.0.1 in development; 0.0.0.0 behind a load balancer.
  std::string address = "127.0.0.1";
  /// Listen port; 0 picks a free port (tests), read it back with Port().
  std::uint16_t port = 0;
  /// I/O threads running handlers.
  int threads = 2;
  /// Connections served at once; one more is answered 503 and closed.
  int max_connections = 512;
  /// Upper bound on the request line plus headers.
  std::uint32_t header_limit_bytes = 16 * 1024;
  /// Upper bound on a request body.
  std::uint64_t body_limit_bytes = std::uint64_t{1024} * 1024;
  /// Time allowed to receive one whole request once its first byte may arrive, and the idle
  /// time a keep-alive connection is kept open between requests.
  std::chrono::milliseconds request_timeout{10000};
  /// How long Stop() waits for in-flight requests.
  std::chrono::milliseconds shutdown_grace{10000};

  void Validate() const;
  /// Reads http.address, http.port, http.threads, http.max_connections, http.header_limit_bytes,
  /// http.body_limit_bytes, http.request_timeout_ms, http.shutdown_grace_ms.
  static HttpServerConfig FromSource(const config::ConfigSource& source, std::uint16_t default_port);
};

class HttpServer {
 public:
  HttpServer(HttpServerConfig config, Router router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and starts serving. Throws core::InfraError when the address cannot be bound
  /// (e.g. port in use), naming the address.
  void Start();
  /// The bound port (after Start()).
  [[nodiscard]] std::uint16_t Port() const noexcept;
  /// Graceful stop; idempotent; blocks until the I/O threads have ended.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace saga::http
