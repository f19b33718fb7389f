#include "saga/http/middleware.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"

namespace saga::http {

void RateLimitConfig::Validate() const {
  if (requests_per_second < 0) throw core::ConfigError("http.rate_limit_per_second must be >= 0");
  if (requests_per_second > 0 && burst < 1) throw core::ConfigError("http.rate_limit_burst must be >= 1");
  if (max_clients < 1) throw core::ConfigError("http.rate_limit_max_clients must be >= 1");
}

RateLimitConfig RateLimitConfig::FromSource(const config::ConfigSource& source) {
  RateLimitConfig c;
  c.requests_per_second = static_cast<double>(source.GetInt(
      "http.rate_limit_per_second", static_cast<std::int64_t>(c.requests_per_second), 0, 1000000));
  c.burst = static_cast<double>(
      source.GetInt("http.rate_limit_burst", static_cast<std::int64_t>(c.burst), 1, 1000000));
  c.max_clients = static_cast<std::size_t>(
      source.GetInt("http.rate_limit_max_clients", static_cast<std::int64_t>(c.max_clients), 1, 10000000));
  c.Validate();
  return c;
}

RateLimiter::RateLimiter(RateLimitConfig config, Now now) : config_(config), now_(std::move(now)) {
  config_.Validate();
}

std::chrono::milliseconds RateLimiter::Acquire(const std::string& client) {
  if (config_.requests_per_second <= 0) return std::chrono::milliseconds(0);
  const auto now = now_();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= config_.max_clients) {
      // Forget the client idle the longest: a full bucket is what it would have by now anyway
      // unless it was throttled very recently.
      auto oldest = std::min_element(buckets_.begin(), buckets_.end(), [](const auto& a, const auto& b) {
        return a.second.updated < b.second.updated;
      });
      buckets_.erase(oldest);
    }
    it = buckets_.emplace(client, Bucket{config_.burst, now}).first;
  }
  auto& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens =
      std::min(config_.burst, bucket.tokens + std::max(0.0, elapsed) * config_.requests_per_second);
  bucket.updated = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::chrono::milliseconds(0);
  }
  const double wait_seconds = (1.0 - bucket.tokens) / config_.requests_per_second;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait_seconds * 1000.0)));
}

Middleware RateLimit(std::shared_ptr<RateLimiter> limiter, std::vector<std::string> exempt_prefixes) {
  return [limiter = std::move(limiter), exempt = std::move(exempt_prefixes)](
             const Request&, RequestContext& context, const Next& next) {
    if (!limiter) return next();
    for (const auto& prefix : exempt) {
      if (context.path.rfind(prefix, 0) == 0) return next();
    }
    const auto wait = limiter->Acquire(context.client_id);
    if (wait.count() == 0) return next();
    const auto seconds = std::max<std::int64_t>(1, (wait.count() + 999) / 1000);
    Response res =
        ProblemResponse(Status::too_many_requests, "Too Many Requests",
                        "request rate limit exceeded; retry after " + std::to_string(seconds) + " s");
    res.set(beast_http::field::retry_after, std::to_string(seconds));
    return res;
  };
}

std::string VersionETag(std::int64_t version) {
  return "\"" + std::to_string(version) + "\"";
}

std::optional<std::int64_t> IfMatchVersion(const Request& request) {
  const auto header = request[beast_http::field::if_match];
  const std::string_view value(header.data(), header.size());
  if (value.empty() || value == "*") return std::nullopt;
  if (value.size() >= 3 && value.front() == '"' && value.back() == '"') {
    std::int64_t version = 0;
    const auto digits = value.substr(1, value.size() - 2);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
    if (ec == std::errc() && ptr == digits.data() + digits.size() && version > 0) return version;
  }
  return -1;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view Opaque(std::string_view tag) {
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  return tag;
}

std::string WeakBodyETag(const std::string& body) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64
  for (const char c : body) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(hash));
  return "W/\"" + std::string(buf) + "\"";
}

}  // namespace

bool ETagListMatches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto item = Trim(header.substr(0, comma));
    if (item == "*") return true;
    if (!item.empty() && Opaque(item) == Opaque(etag)) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

Middleware ConditionalGet() {
  return [](const Request& request, RequestContext&, const Next& next) {
    Response res = next();
    if ((request.method() != Verb::get && request.method() != Verb::head) || res.result() != Status::ok) {
      return res;
    }
    if (res[beast_http::field::etag].empty()) res.set(beast_http::field::etag, WeakBodyETag(res.body()));
    if (res[beast_http::field::cache_control].empty())
      res.set(beast_http::field::cache_control, "private, no-cache");
    const auto if_none_match = request[beast_http::field::if_none_match];
    const auto etag = res[beast_http::field::etag];
    if (!if_none_match.empty() &&
        ETagListMatches(std::string_view(if_none_match.data(), if_none_match.size()),
                        std::string_view(etag.data(), etag.size()))) {
      Response not_modified{Status::not_modified, request.version()};
      not_modified.set(beast_http::field::etag, etag);
      not_modified.set(beast_http::field::cache_control, res[beast_http::field::cache_control]);
      return not_modified;
    }
    return res;
  };
}

}  // namespace saga::http
