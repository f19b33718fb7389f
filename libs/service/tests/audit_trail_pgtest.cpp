// PgAuditTrail against the real PostgreSQL: entries recorded while a commit is under way are
// appended together (group commit), every entry lands once in one intact chain, and a failing
// entry does not take the others of its group down.
#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "saga/audit/audit_log.hpp"
#include "saga/service/security.hpp"
#include "saga/testing/metric_samples.hpp"
#include "saga/testing/migrated_database.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::service::audit_migrations {
std::vector<saga::pg::Migration> Migrations();
}

namespace saga::service {
namespace {

audit::AuditEntry Entry(int i) {
  return audit::AuditEntry{core::SystemClock().Now(),
                           "customer-" + std::to_string(i),
                           "POST /api/orders",
                           "/api/orders/" + std::to_string(i),
                           "succeeded",
                           "127.0.0.1",
                           "corr-" + std::to_string(i),
                           "status 202"};
}

class AuditTrailTest : public ::testing::Test {
 protected:
  audit::AuditVerdict Verify() {
    auto lease = db_.Pool().Acquire();
    return audit::VerifyAudit(*lease, {});
  }
  saga::testing::MigratedDatabase db_{audit_migrations::Migrations(), 8};
  observability::Metrics metrics_;
  PgAuditTrail trail_{db_.Pool(), metrics_};
};

TEST_F(AuditTrailTest, EntriesRecordedDuringACommitAreAppendedTogether) {
  // Hold the chain's append lock (as a slow commit would): the first entry waits for it inside
  // its transaction while the others queue up behind it.
  pqxx::connection blocker(db_.Config().dsn);
  pqxx::work hold(blocker);
  hold.exec("SELECT pg_advisory_xact_lock(" + std::to_string(0x5A6A'0A0D) + ")");
  constexpr int kCallers = 8;
  std::vector<std::thread> callers;
  std::atomic<int> returned{0};
  callers.emplace_back([&] {
    trail_.Record(Entry(0));
    ++returned;
  });
  ASSERT_TRUE(saga::testing::WaitFor(
      [&] {
        return db_.Count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 1;
      },
      std::chrono::seconds(10)))
      << "the first entry waits for the lock";
  for (int i = 1; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      trail_.Record(Entry(i));
      ++returned;
    });
  }
  ASSERT_TRUE(
      saga::testing::WaitFor([&] { return trail_.Waiting() == kCallers - 1; }, std::chrono::seconds(10)))
      << "the others queue behind the first";
  EXPECT_EQ(returned.load(), 0) << "Record returns only once its entry is committed";
  hold.commit();  // releases the lock
  for (auto& caller : callers) caller.join();

  EXPECT_EQ(db_.Count("SELECT count(*) FROM audit_log"), kCallers);
  EXPECT_EQ(db_.Count("SELECT count(DISTINCT actor) FROM audit_log"), kCallers) << "each entry once";
  EXPECT_EQ(db_.Count("SELECT count(DISTINCT xmin::text) FROM audit_log"), 2)
      << "the first entry alone, then the seven queued behind it together";
  const auto verdict = Verify();
  EXPECT_TRUE(verdict.intact) << verdict.problem;
  EXPECT_EQ(verdict.entries, kCallers);
  const auto samples = saga::testing::MetricSamples::Parse(metrics_.Expose());
  EXPECT_EQ(samples.Find("saga_audit_entries_total", {{"outcome", "succeeded"}}), kCallers);
}

TEST_F(AuditTrailTest, ManyConcurrentCallersMakeOneIntactChain) {
  constexpr int kThreads = 6;
  constexpr int kEach = 15;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) trail_.Record(Entry(t * 100 + i));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(db_.Count("SELECT count(*) FROM audit_log"), kThreads * kEach);
  EXPECT_EQ(db_.Count("SELECT count(DISTINCT actor) FROM audit_log"), kThreads * kEach);
  const auto verdict = Verify();
  EXPECT_TRUE(verdict.intact) << verdict.problem;
}

TEST_F(AuditTrailTest, AFailingEntryIsCountedAndLeavesTheOthersOfItsGroup) {
  pqxx::connection blocker(db_.Config().dsn);
  pqxx::work hold(blocker);
  hold.exec("SELECT pg_advisory_xact_lock(" + std::to_string(0x5A6A'0A0D) + ")");
  std::vector<std::thread> callers;
  callers.emplace_back([&] { trail_.Record(Entry(0)); });
  ASSERT_TRUE(saga::testing::WaitFor(
      [&] {
        return db_.Count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 1;
      },
      std::chrono::seconds(10)));
  auto broken = Entry(1);
  broken.actor = "bad\xff";  // not UTF-8: the entry cannot be hashed nor stored
  callers.emplace_back([&] { trail_.Record(broken); });
  callers.emplace_back([&] { trail_.Record(Entry(2)); });
  ASSERT_TRUE(saga::testing::WaitFor([&] { return trail_.Waiting() == 2; }, std::chrono::seconds(10)));
  hold.commit();
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(db_.Count("SELECT count(*) FROM audit_log"), 2) << "the good entries of the failed group";
  const auto samples = saga::testing::MetricSamples::Parse(metrics_.Expose());
  EXPECT_EQ(samples.Find("saga_audit_write_failures_total", {}), 1);
  EXPECT_TRUE(Verify().intact);
}

}  // namespace
}  // namespace saga::service
