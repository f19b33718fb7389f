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
      "INSERT INTO outbox (message_id, topic, message_key, payload) VALUES "
      "(gen_random_uuid(), 't', 'k', 'p'), (gen_random_uuid(), 't', 'k', 'p')");
  db.Exec("UPDATE outbox SET published_at = now() WHERE id = (SELECT min(id) FROM outbox)");
  const auto scans = [&](const char* column) {
    return db.Count(std::string("SELECT coalesce(") + column +
                    ", 0) FROM pg_stat_user_tables WHERE relname = 'outbox'");
  };
  const auto seq_before = scans("seq_scan");
  const auto idx_before = scans("idx_scan");
  {
    pg::ConnectionPool one(db.Config(), 1, seconds(5));
    observability::Metrics metrics;
    const auto probe = MakeOutboxProbe(one, std::chrono::minutes(5), metrics);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(probe().rfind("1 pending", 0), 0U);
  }  // the pool's backend ends and reports its statistics
  ASSERT_TRUE(saga::testing::WaitFor([&] { return scans("idx_scan") >= idx_before + 3; }, seconds(10)));
  EXPECT_EQ(scans("seq_scan"), seq_before);
}

}  // namespace
}  // namespace saga::service
