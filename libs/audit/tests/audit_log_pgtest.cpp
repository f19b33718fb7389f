// The audit trail against the real PostgreSQL: the chain, the database refusing UPDATE, DELETE
// and TRUNCATE, and verification catching a modified, deleted, reordered or cut-off entry (the
// triggers disabled by a superuser, as someone tampering would); concurrent appends; and
// `sagactl audit verify` as a process.
#include "saga/audit/audit_log.hpp"

#include <gtest/gtest.h>

#include <future>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "saga/pg/errors.hpp"
#include "saga/testing/migrated_database.hpp"
#include "saga/testing/process.hpp"

namespace saga::audit {
std::vector<pg::Migration> TestMigrations();
namespace {

// The audit migrations alone (versions 6 and 10, as in every service) in a database of its own.
std::vector<pg::Migration> AuditOnly() {
  return TestMigrations();
}

const core::Timestamp kT0 = core::FromUnixMicros(1'790'000'000'123'456);

AuditEntry Entry(int i) {
  return AuditEntry{kT0 + std::chrono::seconds(i),
                    "customer-" + std::to_string(i),
                    "order.cancel",
                    "order/" + std::to_string(i),
                    "succeeded",
                    "10.0.0." + std::to_string(i),
                    "corr-" + std::to_string(i),
                    R"({"reason":"test"})"};
}

class AuditLogTest : public ::testing::Test {
 protected:
  void Append(int count) {
    for (int i = 1; i <= count; ++i) {
      auto lease = db_.Pool().Acquire();
      pqxx::work tx(*lease);
      (void)AppendAudit(tx, Entry(i));
      tx.commit();
    }
  }
  AuditVerdict Verify(const std::string& expected_head = {}) {
    auto lease = db_.Pool().Acquire();
    return VerifyAudit(*lease, expected_head);
  }
  // As someone with the owner's rights would: triggers off, change, triggers on.
  void Tamper(const std::string& sql) {
    db_.Exec("ALTER TABLE audit_log DISABLE TRIGGER USER; " + sql +
             "; ALTER TABLE audit_log ENABLE TRIGGER USER");
  }

  saga::testing::MigratedDatabase db_{AuditOnly(), 6};
};

TEST_F(AuditLogTest, EntriesFormAChainThatVerifies) {
  EXPECT_TRUE(Verify().intact) << "an empty log is intact";
  Append(5);
  const auto verdict = Verify();
  EXPECT_TRUE(verdict.intact) << verdict.problem;
  EXPECT_EQ(verdict.entries, 5);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM audit_log a JOIN audit_log b ON b.seq = a.seq + 1 "
                      "WHERE b.prev_hash = a.hash"),
            4);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM audit_log WHERE seq = 1 AND prev_hash = repeat('0', 64)"), 1);
  auto lease = db_.Pool().Acquire();
  pqxx::read_transaction tx(*lease);
  EXPECT_EQ(verdict.head, tx.exec1("SELECT hash FROM audit_log WHERE seq = 5")[0].as<std::string>());
  EXPECT_EQ(verdict.head.size(), 64U);
}

TEST_F(AuditLogTest, TheDatabaseRefusesUpdateDeleteAndTruncate) {
  Append(2);
  for (const char* sql : {"UPDATE audit_log SET actor = 'someone else' WHERE seq = 1",
                          "DELETE FROM audit_log WHERE seq = 2", "TRUNCATE audit_log"}) {
    EXPECT_THROW(db_.Exec(sql), core::InfraError) << sql;
  }
  EXPECT_EQ(db_.Count("SELECT count(*) FROM audit_log WHERE actor = 'customer-1'"), 1);
  EXPECT_TRUE(Verify().intact);
}

TEST_F(AuditLogTest, AModifiedEntryIsFound) {
  Append(5);
  Tamper("UPDATE audit_log SET outcome = 'denied' WHERE seq = 3");
  const auto verdict = Verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.broken_at, 3);
  EXPECT_NE(verdict.problem.find("modified"), std::string::npos) << verdict.problem;
}

TEST_F(AuditLogTest, ADeletedEntryIsFound) {
  Append(5);
  Tamper("DELETE FROM audit_log WHERE seq = 2");
  auto verdict = Verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.broken_at, 2);
  EXPECT_NE(verdict.problem.find("missing"), std::string::npos) << verdict.problem;
  // Renumbering to hide the gap breaks the links instead.
  Tamper("UPDATE audit_log SET seq = seq - 1 WHERE seq > 2");
  verdict = Verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.broken_at, 2);
}

TEST_F(AuditLogTest, ReorderedEntriesAreFound) {
  Append(5);
  // Entries 2 and 3 swap places, hashes and all.
  Tamper(
      "UPDATE audit_log SET seq = seq + 100 WHERE seq IN (2, 3); "
      "UPDATE audit_log SET seq = 3 WHERE seq = 102; UPDATE audit_log SET seq = 2 WHERE seq = 103");
  const auto verdict = Verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.broken_at, 2);
  EXPECT_NE(verdict.problem.find("does not follow"), std::string::npos) << verdict.problem;
}

TEST_F(AuditLogTest, CuttingOffTheNewestEntriesIsFoundAgainstARecordedHead) {
  Append(5);
  const auto recorded = Verify().head;
  Append(1);  // appended since the head was recorded: fine
  EXPECT_TRUE(Verify(recorded).intact);
  Tamper("DELETE FROM audit_log WHERE seq >= 5");
  EXPECT_TRUE(Verify().intact) << "a shorter chain is still a chain";
  const auto verdict = Verify(recorded);
  EXPECT_FALSE(verdict.intact);
  EXPECT_NE(verdict.problem.find("not in the chain"), std::string::npos) << verdict.problem;
}

TEST_F(AuditLogTest, ConcurrentAppendsMakeOneChain) {
  std::vector<std::future<void>> writers;
  for (int w = 0; w < 4; ++w) {
    writers.push_back(std::async(std::launch::async, [this] { Append(10); }));
  }
  for (auto& writer : writers) writer.get();
  const auto verdict = Verify();
  EXPECT_TRUE(verdict.intact) << verdict.problem;
  EXPECT_EQ(verdict.entries, 40);
}

// The database hashes (audit_append, migrations/0010) what AuditHash hashes: every character
// JSON escapes or not, non-ASCII text, empty fields, negative and large numbers.
TEST_F(AuditLogTest, TheDatabaseHashesAsAuditHashDoes) {
  std::string controls;
  for (int c = 1; c < 0x80; ++c) controls += static_cast<char>(c);
  std::vector<AuditEntry> entries = {
      Entry(1),
      AuditEntry{core::FromUnixMicros(-1'234'567), controls, "a\"b\\c/d", "", "\u00e9t\u00e9", "\u4e2d\u6587",
                 "\U0001F600 emoji", "tab\there\nnewline\r\x7f del"},
      AuditEntry{core::FromUnixMicros(253'402'300'799'999'999), "", "x", "", "", "", "", ""},
      AuditEntry{kT0, "quote \" at the end\"", "\\", "\\\\u0041 not an escape", "\b\f", "\x1f", "{}",
                 "[1,2]"},
  };
  auto lease = db_.Pool().Acquire();
  pqxx::nontransaction tx(*lease);
  std::vector<const AuditEntry*> batch;
  for (const auto& entry : entries) batch.push_back(&entry);
  EXPECT_EQ(AppendAudit(tx, batch), 4) << "the last entry's seq";
  const auto rows = tx.exec(
      "SELECT seq, prev_hash, hash, actor, action, resource, outcome, remote, correlation_id, "
      "detail, (extract(epoch FROM at) * 1000000)::bigint FROM audit_log ORDER BY seq");
  ASSERT_EQ(rows.size(), entries.size());
  std::string prev(64, '0');
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[static_cast<int>(i)];
    const auto& entry = entries[i];
    EXPECT_EQ(row[0].as<std::int64_t>(), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(row[1].as<std::string>(), prev) << "entry " << i + 1;
    EXPECT_EQ(row[2].as<std::string>(), AuditHash(static_cast<std::int64_t>(i + 1), entry, prev))
        << "entry " << i + 1;
    const std::vector<std::string> stored = {row[3].c_str(), row[4].c_str(), row[5].c_str(), row[6].c_str(),
                                             row[7].c_str(), row[8].c_str(), row[9].c_str()};
    EXPECT_EQ(stored, (std::vector<std::string>{entry.actor, entry.action, entry.resource, entry.outcome,
                                                entry.remote, entry.correlation_id, entry.detail}))
        << "entry " << i + 1 << " is stored as given";
    EXPECT_EQ(row[10].as<std::int64_t>(), core::ToUnixMicros(entry.at));
    prev = row[2].as<std::string>();
  }
  const auto verdict = Verify();
  EXPECT_TRUE(verdict.intact) << verdict.problem;
  EXPECT_EQ(verdict.entries, 4);
}

TEST_F(AuditLogTest, ABatchContinuesTheChainInOneStatement) {
  Append(2);
  const auto one = Entry(3);
  const auto two = Entry(4);
  auto lease = db_.Pool().Acquire();
  pqxx::nontransaction tx(*lease);
  EXPECT_EQ(AppendAudit(tx, std::vector<const AuditEntry*>{}), 0) << "nothing to append";
  EXPECT_EQ(AppendAudit(tx, std::vector<const AuditEntry*>{&one, &two}), 4);
  EXPECT_EQ(AppendAudit(tx, one), 5);
  const auto verdict = Verify();
  EXPECT_TRUE(verdict.intact) << verdict.problem;
  EXPECT_EQ(verdict.entries, 5);
  // Called by hand with arrays of different lengths, or none, the function refuses.
  EXPECT_THROW(db_.Exec("SELECT audit_append('{1}', '{a,b}', '{a}', '{a}', '{a}', '{a}', '{a}', '{a}')"),
               core::InfraError);
  EXPECT_THROW(db_.Exec("SELECT audit_append('{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')"),
               core::InfraError);
  EXPECT_EQ(Verify().entries, 5);
}

TEST_F(AuditLogTest, SagactlAuditVerifyReportsAndExits3OnABrokenChain) {
  Append(3);
  const auto run = [&](const std::string& log) {
    saga::testing::Process sagactl(SAGACTL_PATH, {"audit", "verify", "--dsn", db_.Config().dsn}, {}, log);
    return sagactl.Wait(std::chrono::seconds(30));
  };
  const std::string dir = ::testing::TempDir();
  EXPECT_EQ(run(dir + "/audit-ok.log"), 0) << saga::testing::ReadFile(dir + "/audit-ok.log");
  EXPECT_NE(saga::testing::ReadFile(dir + "/audit-ok.log").find("3 entries, chain intact"), std::string::npos)
      << saga::testing::ReadFile(dir + "/audit-ok.log");
  Tamper("UPDATE audit_log SET actor = 'admin' WHERE seq = 2");
  EXPECT_EQ(run(dir + "/audit-broken.log"), 3);
  EXPECT_NE(saga::testing::ReadFile(dir + "/audit-broken.log").find("entry 2 was modified"),
            std::string::npos)
      << saga::testing::ReadFile(dir + "/audit-broken.log");
}

}  // namespace
}  // namespace saga::audit
