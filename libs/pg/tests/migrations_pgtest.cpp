// MigrationRunner against the real PostgreSQL: applies once, in order, each migration whole or
// not at all; several runners at once apply each migration once; an edited applied migration is
// refused; down reverts newest first.
#include "saga/pg/migrations.hpp"

#include <gtest/gtest.h>

#include <future>
#include <pqxx/pqxx>

#include "saga/pg/connection.hpp"
#include "saga/pg/errors.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::pg {
namespace {

std::vector<Migration> TwoMigrations() {
  return {
      {1, "create_things", "CREATE TABLE things (id int PRIMARY KEY); INSERT INTO things VALUES (1);",
       "DROP TABLE things;"},
      {2, "add_name", "ALTER TABLE things ADD COLUMN name text NOT NULL DEFAULT 'x';",
       "ALTER TABLE things DROP COLUMN name;"},
  };
}

class MigrationsTest : public ::testing::Test {
 protected:
  std::unique_ptr<pqxx::connection> Conn() { return Connect(PgConfig{db_.Dsn(), std::chrono::seconds(3)}); }
  bool TableExists(const std::string& name) {
    auto conn = Conn();
    pqxx::read_transaction tx(*conn);
    return tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", name)[0].as<bool>();
  }
  testing::TemporaryDatabase db_;
};

TEST_F(MigrationsTest, AppliesPendingOnceAndReportsStatus) {
  MigrationRunner runner(TwoMigrations());
  auto conn = Conn();
  EXPECT_EQ(runner.Up(*conn), (std::vector<int>{1, 2}));
  EXPECT_EQ(runner.Up(*conn), std::vector<int>{});
  EXPECT_EQ(runner.CurrentVersion(*conn), 2);
  auto status = runner.Status(*conn);
  ASSERT_EQ(status.size(), 2U);
  EXPECT_TRUE(status[0].applied && status[1].applied);
  EXPECT_TRUE(status[1].checksum_matches);
  EXPECT_TRUE(status[1].applied_at.has_value());
}

TEST_F(MigrationsTest, DownRevertsNewestFirstAndUpAgainWorks) {
  MigrationRunner runner(TwoMigrations());
  auto conn = Conn();
  runner.Up(*conn);
  EXPECT_EQ(runner.Down(*conn, 1), std::vector<int>{2});
  EXPECT_EQ(runner.CurrentVersion(*conn), 1);
  EXPECT_EQ(runner.Down(*conn, 5), std::vector<int>{1});
  EXPECT_FALSE(TableExists("things"));
  EXPECT_EQ(runner.Down(*conn, 1), std::vector<int>{});
  EXPECT_EQ(runner.Up(*conn), (std::vector<int>{1, 2}));
  EXPECT_TRUE(TableExists("things"));
}

TEST_F(MigrationsTest, AFailingMigrationLeavesNothingBehind) {
  auto migrations = TwoMigrations();
  migrations.push_back(
      {3, "broken", "CREATE TABLE half (id int); SELECT no_such_function();", "DROP TABLE half;"});
  MigrationRunner runner(migrations);
  auto conn = Conn();
  EXPECT_THROW(runner.Up(*conn), QueryError);
  EXPECT_EQ(runner.CurrentVersion(*conn), 2) << "1 and 2 applied, 3 not";
  EXPECT_FALSE(TableExists("half")) << "the failed migration's first statement was rolled back";
}

TEST_F(MigrationsTest, RefusesAnAppliedMigrationThatWasEdited) {
  auto conn = Conn();
  MigrationRunner(TwoMigrations()).Up(*conn);
  auto edited = TwoMigrations();
  edited[1].up_sql = "ALTER TABLE things ADD COLUMN name text;";
  MigrationRunner runner(edited);
  EXPECT_THROW(runner.Up(*conn), MigrationError);
  EXPECT_FALSE(runner.Status(*conn)[1].checksum_matches);
}

TEST_F(MigrationsTest, RefusesADatabaseAheadOfTheBuild) {
  auto conn = Conn();
  MigrationRunner(TwoMigrations()).Up(*conn);
  auto older = TwoMigrations();
  older.pop_back();
  EXPECT_THROW(MigrationRunner(older).Up(*conn), MigrationError);
}

TEST_F(MigrationsTest, ConcurrentRunnersApplyEachMigrationOnce) {
  std::vector<std::future<std::vector<int>>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::async(std::launch::async, [&] {
      auto conn = Conn();
      return MigrationRunner(TwoMigrations()).Up(*conn);
    }));
  }
  std::vector<int> all;
  for (auto& run : runs) {
    auto applied = run.get();
    all.insert(all.end(), applied.begin(), applied.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<int>{1, 2}));
  auto conn = Conn();
  pqxx::read_transaction tx(*conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM things")[0].as<int>(), 1) << "the data migration ran once";
}

// Shared migrations (the audit trail is 6 in every service) leave gaps in a service's numbers.
TEST_F(MigrationsTest, GapsAreAllowedButHistoryOnlyGrowsAtTheEnd) {
  auto gapped = TwoMigrations();
  gapped[1].version = 6;
  MigrationRunner runner(gapped);
  auto conn = Conn();
  EXPECT_EQ(runner.Up(*conn), (std::vector<int>{1, 6}));
  EXPECT_EQ(runner.LatestVersion(), 6);
  EXPECT_EQ(runner.CurrentVersion(*conn), 6);

  // A migration numbered into the gap after 6 was applied would run out of order: refused.
  auto late = gapped;
  late.push_back({4, "late", "CREATE TABLE late (id int);", "DROP TABLE late;"});
  try {
    (void)MigrationRunner(late).Up(*conn);
    FAIL() << "an out-of-order migration was applied";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("older than migration 6"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(TableExists("late"));
  EXPECT_EQ(runner.Down(*conn, 1), std::vector<int>{6});
  EXPECT_EQ(runner.Down(*conn, 1), std::vector<int>{1});
}

TEST(MigrationRunnerTest, RejectsDuplicatesAndMissingDown) {
  auto zero = TwoMigrations();
  zero[0].version = 0;
  EXPECT_THROW(MigrationRunner{zero}, MigrationError);
  auto dup = TwoMigrations();
  dup[1].version = 1;
  EXPECT_THROW(MigrationRunner{dup}, MigrationError);
  auto no_down = TwoMigrations();
  no_down[0].down_sql.clear();
  EXPECT_THROW(MigrationRunner{no_down}, MigrationError);
}

}  // namespace
}  // namespace saga::pg
