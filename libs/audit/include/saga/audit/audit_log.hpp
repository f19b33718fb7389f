#pragma once
// The audit trail of a service: every service embeds migrations/0006_audit and 0010, and
// libs/service's authorization middleware (security.hpp) appends to it. Table audit_log: append-only
// (UPDATE, DELETE and TRUNCATE refused by the database) and hash-chained: entry n stores
// prev_hash = hash of entry n-1 (64 zeros for the first) and
// hash = SHA-256(canonical JSON of [seq, at in Unix microseconds, actor, action, resource,
// outcome, remote, correlation_id, detail, prev_hash]), in lowercase hex.
// VerifyAudit() recomputes the chain: a modified entry, a deleted one (a gap in seq or a broken
// link) or a reordering shows at the first entry affected. Deleting the newest entries leaves a
// shorter valid chain: compare the head hash with one recorded elsewhere (`expected_head`).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "saga/core/time.hpp"

namespace saga::audit {

struct AuditEntry {
  core::Timestamp at{};
  /// Who: the principal's subject, "anonymous", or a service.
  std::string actor;
  /// What: "order.cancel", "auth.denied", "payment.refund"...
  std::string action;
  /// On what: "order/<id>", a route.
  std::string resource;
  /// "allowed", "denied", "succeeded", "failed".
  std::string outcome;
  /// From where: the remote address.
  std::string remote;
  std::string correlation_id;
  /// Extra facts as text (never secrets or tokens).
  std::string detail;
};

/// The hash of entry `seq` whose predecessor's hash is `prev_hash` (64 hex digits).
[[nodiscard]] std::string AuditHash(std::int64_t seq, const AuditEntry& entry, const std::string& prev_hash);

/// Appends `entries`, in order, in the caller's transaction (they commit with the action they
/// record), in one statement: the database function audit_append (migrations/0010) takes the
/// chain's transaction-scoped advisory lock, so the chain has no forks, reads the head, and
/// hashes and inserts each entry (the same hash as AuditHash). In a pqxx::nontransaction the
/// statement is its own transaction. Returns the last entry's seq (0 for no entries: nothing is
/// sent). Throws pg errors (pg::RethrowTranslated) like any statement.
std::int64_t AppendAudit(pqxx::transaction_base& tx, const std::vector<const AuditEntry*>& entries);
std::int64_t AppendAudit(pqxx::transaction_base& tx, const AuditEntry& entry);

struct AuditVerdict {
  bool intact = true;
  std::int64_t entries = 0;
  /// Hash of the newest entry (64 zeros when empty).
  std::string head;
  /// The first entry found wrong, and why.
  std::optional<std::int64_t> broken_at;
  std::string problem;
};

/// Reads the whole log in one snapshot and checks every link and hash. With `expected_head`,
/// also checks that the newest entry is the one recorded earlier (or that the recorded one is
/// still in the chain: entries appended since are fine).
[[nodiscard]] AuditVerdict VerifyAudit(pqxx::connection& conn, const std::string& expected_head = {});

}  // namespace saga::audit
