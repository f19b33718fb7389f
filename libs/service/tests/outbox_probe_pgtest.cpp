// The readiness probe of the outbox against the real PostgreSQL: it counts the pending rows and
// their age by the outbox's pending index, even when the table's statistics say it is empty (a
// sequential scan would read every page of the rows deleted since the last vacuum).
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "saga/service/health.hpp"
#include "saga/testing/migrated_database.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::service {
namespace testing_migrations {
std::vector<pg::Migration> Migrations();
}  // namespace testing_migrations
namespace {

using std::chrono::seconds;

TEST(OutboxProbeTest, CountsThePendingRowsByTheIndexEvenWhenTheOutboxLooksEmpty) {
  saga::testing::MigratedDatabase db(testing_migrations::Migrations());
  db.Exec("ANALYZE outbox");  // empty: a sequential scan looks cheapest from now on
  db.Exec(
      "INSERT INTO outbox (message_id, topic, message_key, payload, published_at) VALUES "
      "(gen_random_uuid(), 't', 'k', 'p', now()), (gen_random_uuid(), 't', 'k', 'p', NULL)");
  // Rows read by sequential scans: the set-up's scans of the empty table read none, however late
  // their backends report them, so any growth is the probe's.
  const auto scanned = [&](const char* column) {
    return db.Count(std::string("SELECT coalesce(") + column +
                    ", 0) FROM pg_stat_user_tables WHERE relname = 'outbox'");
  };
  const auto read_before = scanned("seq_tup_read");
  const auto idx_before = scanned("idx_scan");
  {
    pg::ConnectionPool one(db.Config(), 1, seconds(5));
    observability::Metrics metrics;
    const auto probe = MakeOutboxProbe(one, std::chrono::minutes(5), metrics);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(probe().rfind("1 pending", 0), 0U);
  }  // the pool's backend ends and reports its statistics
  ASSERT_TRUE(saga::testing::WaitFor([&] { return scanned("idx_scan") >= idx_before + 3; }, seconds(10)));
  EXPECT_EQ(scanned("seq_tup_read"), read_before);
}

}  // namespace
}  // namespace saga::service
