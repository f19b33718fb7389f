#include "saga/audit/audit_log.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <stdexcept>

#include "saga/crypto/digest.hpp"
#include "saga/pg/bulk.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"
#include "saga/pg/sql.hpp"

namespace saga::audit {
namespace {

const std::string kGenesis(64, '0');

}  // namespace

std::string AuditHash(std::int64_t seq, const AuditEntry& entry, const std::string& prev_hash) {
  const nlohmann::json record = {
      seq,          core::ToUnixMicros(entry.at), entry.actor,  entry.action, entry.resource, entry.outcome,
      entry.remote, entry.correlation_id,         entry.detail, prev_hash};
  return crypto::Sha256Hex(record.dump());
}

std::int64_t AppendAudit(pqxx::transaction_base& tx, const std::vector<const AuditEntry*>& entries) {
  if (entries.empty()) return 0;
  pg::BulkRows rows({{"at", "bigint"},
                     {"actor", "text"},
                     {"action", "text"},
                     {"resource", "text"},
                     {"outcome", "text"},
                     {"remote", "text"},
                     {"correlation_id", "text"},
                     {"detail", "text"}});
  for (const auto* entry : entries) {
    // The stored time is what is hashed: microseconds, as PostgreSQL keeps them.
    rows.Add(core::ToUnixMicros(entry->at), entry->actor, entry->action, entry->resource, entry->outcome,
             entry->remote, entry->correlation_id, entry->detail);
  }
  return pg::Translated([&] {
    // migrations/0010_audit_append.up.sql: the lock, the head, the hashes and the inserts.
    static const std::string kAppend =
        "SELECT audit_append($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
        "$7::text[], $8::text[])";
    const auto params = rows.Parameters();
    return tx.exec_prepared1(pg::Prepare(tx, kAppend), pqxx::prepare::make_dynamic_params(params))[0]
        .as<std::int64_t>();
  });
}

std::int64_t AppendAudit(pqxx::transaction_base& tx, const AuditEntry& entry) {
  return AppendAudit(tx, std::vector<const AuditEntry*>{&entry});
}

AuditVerdict VerifyAudit(pqxx::connection& conn, const std::string& expected_head) {
  AuditVerdict verdict;
  verdict.head = kGenesis;
  bool head_seen = expected_head.empty() || expected_head == kGenesis;
  pg::Translated([&] {
    pqxx::transaction<pqxx::repeatable_read, pqxx::readwrite_policy::read_only> tx(conn);
    const auto rows =
        tx.exec("SELECT seq, " + pg::MicrosOf("at") +
                ", actor, action, resource, outcome, remote, correlation_id, detail, prev_hash, hash "
                "FROM audit_log ORDER BY seq");
    std::int64_t expected_seq = 1;
    for (const auto& row : rows) {
      const auto seq = row[0].as<std::int64_t>();
      const auto fail = [&](std::int64_t at, std::string problem) {
        verdict.intact = false;
        verdict.broken_at = at;
        verdict.problem = std::move(problem);
      };
      if (seq != expected_seq) {
        fail(expected_seq, "entry " + std::to_string(expected_seq) + " is missing (deleted), next is " +
                               std::to_string(seq));
        return;
      }
      AuditEntry entry{pg::TimestampOf(row[1]), row[2].c_str(), row[3].c_str(), row[4].c_str(),
                       row[5].c_str(),          row[6].c_str(), row[7].c_str(), row[8].c_str()};
      const std::string prev = row[9].c_str();
      const std::string hash = row[10].c_str();
      if (prev != verdict.head) {
        fail(seq, "entry " + std::to_string(seq) + " does not follow entry " + std::to_string(seq - 1) +
                      " (reordered, or an earlier entry was replaced)");
        return;
      }
      if (AuditHash(seq, entry, prev) != hash) {
        fail(seq, "entry " + std::to_string(seq) + " was modified (its content does not match its hash)");
        return;
      }
      verdict.head = hash;
      verdict.entries = seq;
      head_seen = head_seen || hash == expected_head;
      ++expected_seq;
    }
  });
  if (verdict.intact && !head_seen) {
    verdict.intact = false;
    verdict.broken_at = verdict.entries + 1;
    verdict.problem = "the recorded head " + expected_head + " is not in the chain (newest entries deleted)";
  }
  return verdict;
}

}  // namespace saga::audit
