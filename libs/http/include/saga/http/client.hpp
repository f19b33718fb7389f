#pragma once
// A small blocking HTTP/1.1 client (Beast) for calls between services and for tests. Each call
// opens a connection, and the whole exchange (connect, write, read) is bounded by `timeout`: a
// peer that never answers cannot hang the caller.
//
// Thread-safety: HttpClient is immutable after construction; calls may run concurrently.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "saga/observability/metrics.hpp"

namespace saga::http {

struct ClientReply {
  int status = 0;  // 0 when the exchange failed (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;                           // why status is 0
};

/// One exchange; never throws. A body is sent as application/json unless headers set a
/// Content-Type.
[[nodiscard]] ClientReply Exchange(const std::string& host, std::uint16_t port, const std::string& method,
                                   const std::string& target, const std::string& body,
                                   const std::map<std::string, std::string>& headers,
                                   std::chrono::milliseconds timeout);

class HttpClient {
 public:
  /// `base_url` is "http://host:port" with a numeric IPv4/IPv6 host or "localhost". Throws
  /// core::ConfigError naming `name` (the config key) when it is not. Calls are counted in
  /// saga_http_client_requests_total{peer,outcome} and timed in
  /// saga_http_client_request_duration_seconds{peer} (peer = `name`).
  HttpClient(const std::string& name, const std::string& base_url, std::chrono::milliseconds timeout,
             observability::Metrics& metrics = observability::DefaultMetrics());

  /// GET base_url + target, with the thread's span (observability::CurrentTraceparent) as the
  /// `traceparent` header and the Authorization header when set. Throws core::InfraError (retryable) when the peer cannot be reached,
  /// times out, or answers 5xx; other statuses are returned.
  [[nodiscard]] ClientReply Get(const std::string& target) const;

  [[nodiscard]] const std::string& BaseUrl() const noexcept { return base_url_; }

  /// Every call then sends `Authorization: <header()>` (the service's bearer token; header()
  /// may throw core::InfraError when no token can be had). Set while wiring, before sharing.
  void SetAuthorization(std::function<std::string()> header) { authorization_ = std::move(header); }

 private:
  std::string name_;
  std::string base_url_;
  std::string host_;
  std::uint16_t port_ = 0;
  std::chrono::milliseconds timeout_;
  std::function<std::string()> authorization_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Histogram* duration_;
};

}  // namespace saga::http
