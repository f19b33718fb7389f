#pragma once
// A small blocking HTTP/1.1 client (Beast) for calls between services and for tests. The whole
// exchange (connect, TLS handshake, write, read) is bounded by `timeout`: a peer that never
// answers cannot hang the caller. HttpClient keeps GET connections alive between calls.
//
// Thread-safety: TlsClientContext is immutable after construction; HttpClient's calls may run
// concurrently (its idle connections are behind a mutex).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "saga/observability/metrics.hpp"

namespace saga::http {

struct ClientReply {
  int status = 0;  // 0 when the exchange failed (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;                           // why status is 0
};

/// Client side of TLS: TLS 1.2 or newer; the server's certificate must chain to a CA of
/// `ca_file` (PEM, one or more certificates) or, when it is empty, of the system's trust store,
/// and must name the host called (a DNS name, sent as SNI too, or an IP address SAN). Load once
/// and share: copies share the same OpenSSL context.
class TlsClientContext {
 public:
  /// Throws core::ConfigError naming `ca_file` when it cannot be read or holds no certificate.
  explicit TlsClientContext(const std::string& ca_file = {});

  struct Impl;
  [[nodiscard]] Impl& Get() const noexcept { return *impl_; }

 private:
  std::shared_ptr<Impl> impl_;
};

/// One exchange; never throws. A body is sent as application/json unless headers set a
/// Content-Type. With `tls` the exchange runs over TLS and a certificate that does not verify
/// fails it (status 0, `error` says why, e.g. "certificate verify failed (hostname mismatch)").
[[nodiscard]] ClientReply Exchange(const std::string& host, std::uint16_t port, const std::string& method,
                                   const std::string& target, const std::string& body,
                                   const std::map<std::string, std::string>& headers,
                                   std::chrono::milliseconds timeout, const TlsClientContext* tls = nullptr);

/// One HTTP/1.1 keep-alive connection to `host:port` (TLS when `tls` is given), reused call
/// after call: for a client that makes many calls to one peer (the load generator), where a new
/// connection and TLS handshake per call would cost more than the call. Connects on first use
/// and again after the peer closed it. A call that fails on a reused connection before any byte
/// of an answer arrived (the peer closed the idle connection meanwhile) is sent once more on a
/// new connection, so use it for requests that are safe to repeat (GET, PUT, POST with an
/// Idempotency-Key). Each call is bounded by `timeout` (connect, handshake, write, read).
/// Exchange() never throws: a failure is status 0 with `error`. Not thread-safe: one per thread.
class KeepAliveConnection {
 public:
  /// `host`: a numeric IPv4/IPv6 address or "localhost". `tls` may be null (plain TCP).
  KeepAliveConnection(std::string host, std::uint16_t port, std::shared_ptr<const TlsClientContext> tls);
  ~KeepAliveConnection();
  KeepAliveConnection(const KeepAliveConnection&) = delete;
  KeepAliveConnection& operator=(const KeepAliveConnection&) = delete;

  [[nodiscard]] ClientReply Exchange(const std::string& method, const std::string& target,
                                     const std::string& body,
                                     const std::map<std::string, std::string>& headers,
                                     std::chrono::milliseconds timeout);
  /// How many connections this object opened so far (1 while the peer keeps it alive).
  [[nodiscard]] std::uint64_t Connects() const noexcept;
  /// True while a connection is open for the next call.
  [[nodiscard]] bool IsOpen() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class HttpClient {
 public:
  /// GET requests reuse keep-alive connections (KeepAliveConnection): a call takes an idle one
  /// or opens a new one, and gives it back afterwards; at most this many stay idle. Copies of
  /// a client share its idle connections. Other methods open a connection per call, so a
  /// request that is not safe to repeat is never sent twice.
  static constexpr std::size_t kMaxIdleConnections = 8;

  /// `base_url` is "http://host:port" or "https://host:port" with a numeric IPv4/IPv6 host or
  /// "localhost". Throws core::ConfigError naming `name` (the config key) when it is not. Calls
  /// are counted in saga_http_client_requests_total{peer,outcome} and timed in
  /// saga_http_client_request_duration_seconds{peer} (peer = `name`). For https, the peer's
  /// certificate is verified against `ca_file` (PEM; empty: the system's trust store) and the
  /// host (see TlsClientContext); an unreadable `ca_file` throws core::ConfigError.
  HttpClient(const std::string& name, const std::string& base_url, std::chrono::milliseconds timeout,
             observability::Metrics& metrics = observability::DefaultMetrics(),
             const std::string& ca_file = {});

  /// GET base_url + target, with the thread's span (observability::CurrentTraceparent) as the
  /// `traceparent` header and the Authorization header when set. Throws core::InfraError
  /// (retryable) when the peer cannot be reached, times out, fails TLS verification, or answers
  /// 5xx; other statuses are returned.
  [[nodiscard]] ClientReply Get(const std::string& target) const;

  /// Any method, with the same headers as Get plus `headers` (which win), counted and timed
  /// the same way; never throws: an exchange that failed is status 0 with `error`, and every
  /// status, 5xx included, is returned (for clients that report failures themselves: sagactl).
  [[nodiscard]] ClientReply Send(const std::string& method, const std::string& target,
                                 const std::string& body,
                                 const std::map<std::string, std::string>& headers = {}) const;

  [[nodiscard]] const std::string& BaseUrl() const noexcept { return base_url_; }

  /// Connections opened for GET requests so far, by this client and its copies.
  [[nodiscard]] std::uint64_t ConnectionsOpened() const noexcept;

  /// Every call then sends `Authorization: <header()>` (the service's bearer token; header()
  /// may throw core::InfraError when no token can be had). Set while wiring, before sharing.
  /// Throws core::ConfigError when the peer is plain http:// and not a loopback address: a
  /// bearer token never crosses a network in clear.
  void SetAuthorization(std::function<std::string()> header);

 private:
  std::string name_;
  std::string base_url_;
  std::string host_;
  std::uint16_t port_ = 0;
  std::chrono::milliseconds timeout_;
  std::function<std::string()> authorization_;
  std::shared_ptr<const TlsClientContext> tls_;  // null for http://
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Histogram* duration_;
  struct IdleConnections;
  std::shared_ptr<IdleConnections> idle_;  // shared by copies
};

}  // namespace saga::http
