#pragma once
// Middleware shared by the services' routers:
//  - RateLimit: a token bucket per client identity (RequestContext::client_id); over the limit
//    answers 429 problem+json with Retry-After. Limits are per service instance.
//  - ConditionalGet: every successful GET carries an ETag (the handler's, e.g. from the
//    aggregate version, or a weak one hashed from the body) and a Cache-Control; a matching
//    If-None-Match answers 304 without a body.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "saga/http/router.hpp"

namespace saga::config {
class ConfigSource;
}

namespace saga::http {

struct RateLimitConfig {
  /// Tokens added per second per client; 0 disables rate limiting.
  double requests_per_second = 100;
  /// Bucket size: the burst a client may send at once.
  double burst = 200;
  /// Clients tracked at once; the longest idle are forgotten beyond it (bounded memory).
  std::size_t max_clients = 10000;

  void Validate() const;
  /// Reads http.rate_limit_per_second, http.rate_limit_burst, http.rate_limit_max_clients.
  static RateLimitConfig FromSource(const config::ConfigSource& source);
};

/// Token buckets keyed by client identity. Thread-safe.
class RateLimiter {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;
  explicit RateLimiter(
      RateLimitConfig config, Now now = [] { return std::chrono::steady_clock::now(); });

  /// Takes one token for `client`: zero when allowed, else how long until a token is available.
  [[nodiscard]] std::chrono::milliseconds Acquire(const std::string& client);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
  };
  RateLimitConfig config_;
  Now now_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

/// 429 over the limit; paths starting with one of `exempt_prefixes` (health probes) are never
/// limited. Does nothing when the limiter is null.
[[nodiscard]] Middleware RateLimit(std::shared_ptr<RateLimiter> limiter,
                                   std::vector<std::string> exempt_prefixes);

/// ETag, Cache-Control ("private, no-cache" unless the handler set one) and If-None-Match -> 304
/// for GET and HEAD responses with status 200.
[[nodiscard]] Middleware ConditionalGet();

/// The strong ETag of an aggregate version: "\"3\"".
[[nodiscard]] std::string VersionETag(std::int64_t version);

/// The version an If-Match header asks for: nullopt when absent or "*" (no constraint); -1 when
/// it is not a version ETag of ours, so it matches no version (412).
[[nodiscard]] std::optional<std::int64_t> IfMatchVersion(const Request& request);

/// Whether an If-Match / If-None-Match header value lists `etag` ("*" matches anything; weak
/// and strong forms of the same tag match, as for If-None-Match).
[[nodiscard]] bool ETagListMatches(std::string_view header, std::string_view etag);

}  // namespace saga::http
