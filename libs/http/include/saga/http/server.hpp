#pragma once
// HttpServer: HTTP/1.1 over Boost.Beast with C++20 coroutines (Boost 1.74 Asio), over TLS
// (OpenSSL) or, only when configured explicitly, plain TCP.
// - TLS 1.2 or newer with forward-secret AEAD ciphers; the handshake is bounded by
//   request_timeout (a client that connects and says nothing is dropped); a failed handshake
//   (e.g. plain HTTP sent to the TLS port) closes that connection only; every response over TLS
//   carries Strict-Transport-Security (hsts_max_age);
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
  /// PEM certificate chain (the server's certificate first, then intermediates) and its PEM
  /// private key. Both set: the listener speaks TLS only.
  std::string tls_cert_file;
  std::string tls_key_file;
  /// max-age of the Strict-Transport-Security header on every TLS response; 0 sends none.
  std::chrono::seconds hsts_max_age{31536000};
  /// Serve plain HTTP without TLS. Must be chosen explicitly (development, tests): with neither
  /// TLS files nor plaintext the configuration is refused, and so is having both.
  bool plaintext = false;

  [[nodiscard]] bool Tls() const noexcept { return !tls_cert_file.empty() || !tls_key_file.empty(); }

  /// Checks values and that exactly one of TLS (both files) and plaintext is chosen; throws
  /// core::ConfigError naming the keys. Does not read the files (HttpServer's constructor does).
  void Validate() const;
  /// Reads http.address, http.port, http.threads, http.max_connections, http.header_limit_bytes,
  /// http.body_limit_bytes, http.request_timeout_ms, http.shutdown_grace_ms, http.tls.cert_file,
  /// http.tls.key_file, http.tls.hsts_max_age_s and http.plaintext, then Validate()s. Also
  /// refuses http.plaintext=true when `env` is production.
  static HttpServerConfig FromSource(const config::ConfigSource& source, std::uint16_t default_port);
};

class HttpServer {
 public:
  /// Validates the configuration and, for TLS, loads the certificate chain and key: throws
  /// core::ConfigError naming the file that cannot be read, parsed, or does not match the other.
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
