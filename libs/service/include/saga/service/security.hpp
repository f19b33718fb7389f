#pragma once
// Who may call what, and the record of it.
//
// - Every route has a policy in one table per service (RoutePolicy): public (health, metrics,
//   openapi) or the roles that may call it. RunService refuses to start when a served route has
//   no policy or a policy names no served route (CheckPolicyCoverage), so nothing is open by
//   omission.
// - Authorize() is the middleware that enforces the table: a bearer JWT (auth::JwtVerifier,
//   algorithm pinned by configuration) -> 401 problem+json with WWW-Authenticate when it is
//   missing or invalid; a caller without one of the route's roles -> 403. The caller becomes
//   RequestContext::caller (handlers apply ownership rules with it) and client_id ("sub:<subject>",
//   so Idempotency-Keys are scoped per principal).
// - Security events (authentication failures, denials) and every state-changing request
//   (POST, PUT, PATCH, DELETE) that passed authorization go to the service's audit trail
//   (libs/audit: append-only, hash-chained), with who, what, on which resource, the outcome,
//   from where and the correlation id.
// - ServiceToken gives this service's own bearer token for calls to the other services.
//
// Thread-safety: the middleware, PgAuditTrail and ServiceToken may be used from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "saga/audit/audit_log.hpp"
#include "saga/auth/jwt.hpp"
#include "saga/core/time.hpp"
#include "saga/http/router.hpp"
#include "saga/observability/metrics.hpp"
#include "saga/pg/pool.hpp"

namespace saga::config {
class ConfigSource;
}

namespace saga::service {

/// Roles a route may require, as bits.
enum class Role : std::uint8_t { kCustomer = 1, kAdmin = 2, kService = 4 };

class Roles {
 public:
  constexpr Roles() = default;
  constexpr Roles(Role role)
      : bits_(static_cast<std::uint8_t>(role)) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] constexpr Roles operator|(Roles other) const { return Roles(bits_ | other.bits_); }
  [[nodiscard]] constexpr bool Contains(Role role) const {
    return (bits_ & static_cast<std::uint8_t>(role)) != 0;
  }
  [[nodiscard]] constexpr bool Empty() const { return bits_ == 0; }
  [[nodiscard]] constexpr bool Intersects(Roles other) const { return (bits_ & other.bits_) != 0; }
  /// "admin, service".
  [[nodiscard]] std::string Describe() const;
  /// The roles a caller holds (unknown role names grant nothing).
  [[nodiscard]] static Roles Of(const http::Caller& caller);

 private:
  constexpr explicit Roles(unsigned bits) : bits_(static_cast<std::uint8_t>(bits)) {}
  std::uint8_t bits_ = 0;
};

constexpr Roles operator|(Role a, Role b) {
  return Roles(a) | Roles(b);
}

struct RoutePolicy {
  http::Verb method;
  std::string pattern;
  /// Who may call; empty = public (no token needed).
  Roles roles;
};

/// The policies of the routes every service has: /health/*, /metrics, /openapi.json (public),
/// and /api/dead-letters (admin, service; dead_letter_api.hpp).
[[nodiscard]] std::vector<RoutePolicy> StandardRoutePolicies();

/// Throws std::logic_error listing every served route without a policy and every policy
/// without a served route.
void CheckPolicyCoverage(const http::Router& router, const std::vector<RoutePolicy>& policies);

/// auth.* configuration:
///   auth.algorithm   HS256 | RS256 | ES256 (default HS256; HS256 is refused when env=production)
///   auth.key_file    the HS256 secret (first line, >= 32 bytes) or the PEM public key (required)
///   auth.key_id      its kid ("" = tokens without kid)
///   auth.issuer      required iss (default "saga-dev"; must be set explicitly in production)
///   auth.audience    required aud (default "saga-api")
///   auth.leeway_s    clock skew on exp/nbf (default 30, at most 300)
///   auth.service_token_file  this service's token for calls to the others (production: written
///                    by the platform and re-read when it changes); without it, HS256 services
///                    mint their own short-lived service token with the shared secret.
struct AuthSettings {
  auth::JwtConfig jwt;
  std::string service_token_file;

  /// Throws core::ConfigError naming the key.
  static AuthSettings FromSource(const config::ConfigSource& source, std::string_view environment);
};

/// crypto.keyring_dir: the directory of the local key ring (libs/crypto LocalKeyRing) that
/// seals sensitive fields. Throws core::ConfigError when it is not set.
[[nodiscard]] std::string KeyRingDir(const config::ConfigSource& source);

/// Where audit entries go.
class IAuditSink {
 public:
  virtual ~IAuditSink() = default;
  /// Never throws: a failure to record is logged and counted.
  virtual void Record(const audit::AuditEntry& entry) noexcept = 0;
};

/// The service database's audit_log. Record() returns once its entry is committed (or its
/// failure logged and counted). Appends to the chain are serialised by a lock held until the
/// commit, so entries recorded while a commit is under way are appended together in the next
/// transaction, by one of the waiting callers (group commit): one lock, one commit and one WAL
/// flush for all of them instead of one each, which would cap the requests a service can audit
/// per second at the disk's flush rate. That transaction is one autocommitted statement
/// (audit::AppendAudit: one round trip for the lock, the head and every entry). When such a group fails, its
/// entries are tried again one by one, so a failure concerns only its own entry. Counts
/// saga_audit_entries_total{outcome} and saga_audit_write_failures_total.
class PgAuditTrail final : public IAuditSink {
 public:
  PgAuditTrail(pg::ConnectionPool& pool, observability::Metrics& metrics);
  void Record(const audit::AuditEntry& entry) noexcept override;
  /// Entries queued behind the group being written now.
  [[nodiscard]] std::size_t Waiting() const;

 private:
  struct Pending {
    const audit::AuditEntry* entry;
    bool done = false;
    std::string error;  // empty: committed
  };
  /// Appends `group` in one transaction, or each on its own when that fails; marks them done.
  void Write(const std::vector<Pending*>& group) noexcept;

  pg::ConnectionPool& pool_;
  prometheus::Family<prometheus::Counter>* entries_;
  prometheus::Counter* failures_;
  mutable std::mutex mu_;
  std::condition_variable written_;
  std::vector<Pending*> queue_;  // guarded by mu_
  bool writing_ = false;         // guarded by mu_: a caller is appending a group
};

/// The authentication and authorization middleware (see the file comment). Counts
/// saga_http_auth_failures_total{reason} and saga_http_access_denied_total{route}.
[[nodiscard]] http::Middleware Authorize(std::vector<RoutePolicy> policies,
                                         std::shared_ptr<const auth::JwtVerifier> verifier, IAuditSink& audit,
                                         const core::Clock& clock, observability::Metrics& metrics);

/// This service's bearer token for calls to the other services ("Bearer ..."): read from
/// auth.service_token_file (re-read when the file changes), or minted with the HS256 secret for
/// subject "<name>-service" and role service, renewed before it expires.
class ServiceToken {
 public:
  ServiceToken(const AuthSettings& settings, std::string subject, const core::Clock& clock);
  /// Whether a token can be had (a token file, or an HS256 secret).
  [[nodiscard]] bool Available() const noexcept;
  /// The Authorization header value. Throws core::InfraError when the token file cannot be read.
  [[nodiscard]] std::string AuthorizationHeader();
  /// AuthorizationHeader() as a function for HttpClient::SetAuthorization; throws
  /// core::ConfigError now (at wiring) when no token can be had.
  [[nodiscard]] std::function<std::string()> Provider();

 private:
  AuthSettings settings_;
  std::string subject_;
  const core::Clock& clock_;
  std::mutex mu_;
  std::string token_;                        // guarded by mu_
  core::Timestamp renew_at_{};               // guarded by mu_ (minted tokens)
  std::filesystem::file_time_type mtime_{};  // guarded by mu_ (token file)
};

}  // namespace saga::service
