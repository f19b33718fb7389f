#include "saga/service/security.hpp"

#include <spdlog/spdlog.h>

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <system_error>

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"
#include "saga/core/secret_file.hpp"
#include "saga/core/trace_context.hpp"
#include "saga/observability/logging.hpp"
#include "saga/pg/errors.hpp"
#include "saga/service/dead_letter_api.hpp"

namespace saga::service {
namespace {

using field = http::beast_http::field;

constexpr std::pair<Role, std::string_view> kRoleNames[] = {
    {Role::kCustomer, "customer"}, {Role::kAdmin, "admin"}, {Role::kService, "service"}};
constexpr std::string_view kAuditOutcomes[] = {"denied", "succeeded", "refused", "failed"};

bool Mutating(http::Verb method) {
  return method == http::Verb::post || method == http::Verb::put || method == http::Verb::patch ||
         method == http::Verb::delete_;
}

std::string MethodName(http::Verb method) {
  const auto name = http::beast_http::to_string(method);
  return {name.data(), name.size()};
}

std::string CorrelationOf(const http::Request& request, const http::RequestContext& context) {
  const auto request_id = request["X-Request-Id"];
  if (!request_id.empty()) return {request_id.data(), std::min<std::size_t>(request_id.size(), 128)};
  const auto trace = core::TraceContext::Parse(context.traceparent);
  return trace ? trace->TraceId() : std::string();
}

audit::AuditEntry EntryFor(const http::Request& request, const http::RequestContext& context,
                           const core::Clock& clock) {
  audit::AuditEntry entry;
  entry.at = clock.Now();
  entry.actor = context.caller.Authenticated() ? context.caller.subject : "anonymous";
  entry.remote = context.remote_address;
  entry.correlation_id = CorrelationOf(request, context);
  return entry;
}

http::Response Unauthenticated(auth::AuthFailure failure) {
  auto res = http::ProblemResponse(http::Status::unauthorized, "Unauthorized", auth::ToString(failure),
                                   {{"type", "urn:saga:problem:unauthenticated"}});
  // RFC 6750: no error code when no credentials were sent.
  res.set(field::www_authenticate,
          failure == auth::AuthFailure::kMissing
              ? std::string("Bearer realm=\"saga\"")
              : "Bearer realm=\"saga\", error=\"invalid_token\", error_description=\"" +
                    std::string(auth::ToString(failure)) + "\"");
  return res;
}

std::string PolicyKey(http::Verb method, std::string_view pattern) {
  return MethodName(method) + " " + std::string(pattern);
}

}  // namespace

std::string Roles::Describe() const {
  std::string out;
  for (const auto& [role, name] : kRoleNames) {
    if (Contains(role)) out += (out.empty() ? "" : ", ") + std::string(name);
  }
  return out.empty() ? "none" : out;
}

Roles Roles::Of(const http::Caller& caller) {
  Roles roles;
  for (const auto& [role, name] : kRoleNames) {
    if (caller.HasRole(name)) roles = roles | role;
  }
  return roles;
}

std::vector<RoutePolicy> StandardRoutePolicies() {
  using http::Verb;
  std::vector<RoutePolicy> policies{{Verb::get, "/health/live", {}},
                                    {Verb::get, "/health/ready", {}},
                                    {Verb::get, "/metrics", {}},
                                    {Verb::get, "/openapi.json", {}}};
  for (auto& policy : DeadLetterRoutePolicies()) policies.push_back(std::move(policy));
  return policies;
}

void CheckPolicyCoverage(const http::Router& router, const std::vector<RoutePolicy>& policies) {
  std::vector<std::string> served;
  for (const auto& [method, pattern] : router.Routes()) served.push_back(PolicyKey(method, pattern));
  std::vector<std::string> declared;
  for (const auto& policy : policies) declared.push_back(PolicyKey(policy.method, policy.pattern));
  std::string problems;
  for (const auto& route : served) {
    if (std::find(declared.begin(), declared.end(), route) == declared.end()) {
      problems += "\n  served without an access policy: " + route;
    }
  }
  for (const auto& route : declared) {
    if (std::find(served.begin(), served.end(), route) == served.end()) {
      problems += "\n  access policy for a route that is not served: " + route;
    }
  }
  if (!problems.empty()) throw std::logic_error("route access policies do not match the routes:" + problems);
}

AuthSettings AuthSettings::FromSource(const config::ConfigSource& source, std::string_view environment) {
  AuthSettings settings;
  auto& jwt = settings.jwt;
  jwt.algorithm = auth::ParseAlgorithm(source.GetString("auth.algorithm", "HS256"), "auth.algorithm");
  if (environment == "production" && jwt.algorithm == auth::JwtAlgorithm::kHS256) {
    throw core::ConfigError(
        "auth.algorithm HS256 (a shared secret) is for development; production verifies RS256 or ES256 "
        "tokens "
        "with the identity provider's public key");
  }
  const auto key_file = source.GetString("auth.key_file", "");
  if (key_file.empty()) {
    throw core::ConfigError("auth.key_file (" + config::ConfigSource::EnvName("auth.key_file") +
                            ") must name the token verification key: every /api route needs a bearer token "
                            "(./saga up generates a development key)");
  }
  jwt.keys.push_back({source.GetString("auth.key_id", ""), auth::ReadKeyFile(key_file, jwt.algorithm)});
  if (environment == "production" && !source.Find("auth.issuer")) {
    throw core::ConfigError("auth.issuer must be set explicitly in production");
  }
  if (environment == "production" && source.GetString("auth.key_id", "").empty()) {
    throw core::ConfigError(
        "auth.key_id must be set in production: identity providers name their signing key (kid) in every "
        "token, and only a configured kid is accepted");
  }
  jwt.issuer = source.GetString("auth.issuer", "saga-dev");
  jwt.audience = source.GetString("auth.audience", "saga-api");
  jwt.leeway = std::chrono::seconds(source.GetInt("auth.leeway_s", 30, 0, 300));
  settings.service_token_file = source.GetString("auth.service_token_file", "");
  jwt.Validate();
  return settings;
}

std::string KeyRingDir(const config::ConfigSource& source) {
  auto dir = source.GetString("crypto.keyring_dir", "");
  if (dir.empty()) {
    throw core::ConfigError("crypto.keyring_dir (" + config::ConfigSource::EnvName("crypto.keyring_dir") +
                            ") must name the key ring that seals payment tokens (./saga up creates one)");
  }
  return dir;
}

PgAuditTrail::PgAuditTrail(pg::ConnectionPool& pool, observability::Metrics& metrics)
    : pool_(pool),
      entries_(&metrics.CounterFamily("saga_audit_entries_total", "Entries appended to the audit trail")),
      failures_(&metrics
                     .CounterFamily("saga_audit_write_failures_total",
                                    "Audit entries that could not be written (logged instead)")
                     .Add({})) {
  for (auto outcome : kAuditOutcomes) entries_->Add({{"outcome", std::string(outcome)}});
}

void PgAuditTrail::Record(const audit::AuditEntry& entry) noexcept {
  Pending mine{&entry, false, {}};
  std::unique_lock lock(mu_);
  queue_.push_back(&mine);
  while (!mine.done) {
    if (writing_) {
      written_.wait(lock);
      continue;
    }
    writing_ = true;  // this caller appends what is queued, its own entry included
    std::vector<Pending*> group;
    group.swap(queue_);
    lock.unlock();
    Write(group);
    lock.lock();
    writing_ = false;
    written_.notify_all();
  }
  lock.unlock();
  if (mine.error.empty()) {
    entries_->Add({{"outcome", entry.outcome}}).Increment();
    return;
  }
  failures_->Increment();
  spdlog::error("audit entry not written ({} {} by {} on {}): {}", entry.action, entry.outcome, entry.actor,
                entry.resource, mine.error);
}

std::size_t PgAuditTrail::Waiting() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void PgAuditTrail::Write(const std::vector<Pending*>& group) noexcept {
  const auto append = [&](const std::vector<Pending*>& entries) {
    std::vector<const audit::AuditEntry*> batch;
    batch.reserve(entries.size());
    for (const auto* pending : entries) batch.push_back(pending->entry);
    auto conn = pool_.Acquire();
    pg::Translated([&] {
      // One statement, its own transaction: the lock, the head and the inserts (AppendAudit).
      pqxx::nontransaction tx(*conn);
      (void)audit::AppendAudit(tx, batch);
    });
  };
  std::string error;
  try {
    append(group);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty() && group.size() > 1) {
    for (auto* pending : group) {  // on its own: one bad entry does not lose the others
      try {
        append({pending});
      } catch (const std::exception& e) {
        pending->error = e.what();
      }
    }
  } else {
    for (auto* pending : group) pending->error = error;
  }
  std::lock_guard lock(mu_);
  for (auto* pending : group) pending->done = true;
}

http::Middleware Authorize(std::vector<RoutePolicy> policies,
                           std::shared_ptr<const auth::JwtVerifier> verifier, IAuditSink& audit,
                           const core::Clock& clock, observability::Metrics& metrics) {
  auto& failures_family = metrics.CounterFamily("saga_http_auth_failures_total",
                                                "Requests refused 401, by why the token was refused");
  std::map<auth::AuthFailure, prometheus::Counter*> failures;
  for (auto failure : auth::kAllAuthFailures) {
    failures[failure] = &failures_family.Add({{"reason", std::string(auth::Code(failure))}});
  }
  auto* denied = &metrics.CounterFamily("saga_http_access_denied_total",
                                        "Requests refused 403: a valid token without a role the route needs");
  std::map<std::string, Roles, std::less<>> table;
  for (auto& policy : policies) {
    table[PolicyKey(policy.method, policy.pattern)] = policy.roles;
    if (!policy.roles.Empty()) denied->Add({{"route", policy.pattern}});  // at 0 from the start
  }

  return [table = std::move(table), verifier = std::move(verifier), &audit, &clock,
          failures = std::move(failures),
          denied](const http::Request& request, http::RequestContext& context, const http::Next& next) {
    const auto found = table.find(PolicyKey(request.method(), context.route));
    // No policy: no such route or method here (CheckPolicyCoverage holds at start-up); the
    // router answers 404 / 405 and nothing is served.
    if (found == table.end() || found->second.Empty()) return next();
    const Roles needed = found->second;
    const auto what = MethodName(request.method()) + " " + context.path;

    const auto header = request[field::authorization];
    auto verified = verifier->VerifyBearer(std::string_view(header.data(), header.size()), clock.Now());
    if (!verified) {
      const auto failure = verified.Error();
      failures.at(failure)->Increment();
      const observability::ScopedLogFields fields(
          {std::pair<std::string, std::string>("auth_failure", auth::Code(failure))});
      spdlog::warn("authentication failed for {}: {}", what, auth::ToString(failure));
      auto entry = EntryFor(request, context, clock);
      entry.action = "auth.failed";
      entry.resource = what;
      entry.outcome = "denied";
      entry.detail = std::string(auth::Code(failure));
      audit.Record(entry);
      return Unauthenticated(failure);
    }
    context.caller = http::Caller{verified.Value().subject, verified.Value().roles};
    context.client_id = "sub:" + context.caller.subject;
    if (!Roles::Of(context.caller).Intersects(needed)) {
      denied->Add({{"route", context.route}}).Increment();
      spdlog::warn("access denied to {} for {} (roles {}; needs {})", what, context.caller.subject,
                   Roles::Of(context.caller).Describe(), needed.Describe());
      auto entry = EntryFor(request, context, clock);
      entry.action = "access.denied";
      entry.resource = what;
      entry.outcome = "denied";
      entry.detail = "needs " + needed.Describe();
      audit.Record(entry);
      return http::ProblemResponse(http::Status::forbidden, "Forbidden",
                                   "this operation needs the role " + needed.Describe(),
                                   {{"type", "urn:saga:problem:forbidden"}});
    }
    if (!Mutating(request.method())) return next();

    http::Response response;
    try {
      response = next();
    } catch (...) {
      response = http::ErrorResponse(request, std::current_exception());  // the one mapping
    }
    const auto status = response.result_int();
    auto entry = EntryFor(request, context, clock);
    entry.action = MethodName(request.method()) + " " + context.route;
    const auto location = response[field::location];
    entry.resource =
        status < 300 && !location.empty() ? std::string(location.data(), location.size()) : context.path;
    entry.outcome = status < 300 ? "succeeded" : status < 500 ? "refused" : "failed";
    entry.detail = "status " + std::to_string(status);
    audit.Record(entry);
    return response;
  };
}

ServiceToken::ServiceToken(const AuthSettings& settings, std::string subject, const core::Clock& clock)
    : settings_(settings), subject_(std::move(subject)), clock_(clock) {}

bool ServiceToken::Available() const noexcept {
  return !settings_.service_token_file.empty() || settings_.jwt.algorithm == auth::JwtAlgorithm::kHS256;
}

std::function<std::string()> ServiceToken::Provider() {
  if (!Available()) {
    throw core::ConfigError("auth.service_token_file must be set: with " +
                            std::string(auth::ToString(settings_.jwt.algorithm)) + " the " + subject_ +
                            " cannot mint its own token for calls to the other services");
  }
  return [this] { return AuthorizationHeader(); };
}

std::string ServiceToken::AuthorizationHeader() {
  std::lock_guard lock(mu_);
  if (!settings_.service_token_file.empty()) {
    std::error_code error;
    const auto mtime = std::filesystem::last_write_time(settings_.service_token_file, error);
    if (error) {
      throw core::InfraError("cannot read auth.service_token_file " + settings_.service_token_file, true);
    }
    if (token_.empty() || mtime != mtime_) {
      try {
        token_ = core::ReadSecretFile(settings_.service_token_file, "auth.service_token_file");
      } catch (const core::ConfigError& e) {
        throw core::InfraError(e.what(), true);  // the platform may be rewriting it: retry
      }
      mtime_ = mtime;
    }
    return "Bearer " + token_;
  }
  const auto now = clock_.Now();
  if (token_.empty() || now >= renew_at_) {
    const auto& key = settings_.jwt.keys.front();
    token_ = auth::MintHs256(key.material,
                             auth::TokenRequest{subject_,
                                                {"service"},
                                                settings_.jwt.issuer,
                                                settings_.jwt.audience,
                                                std::chrono::minutes(10),
                                                key.kid},
                             now);
    renew_at_ = now + std::chrono::minutes(5);
  }
  return "Bearer " + token_;
}

}  // namespace saga::service
