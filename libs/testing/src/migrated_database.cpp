#include "saga/testing/migrated_database.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "saga/pg/errors.hpp"
#include "saga/testing/schema.hpp"

namespace saga::testing {

MigratedDatabase::MigratedDatabase(std::vector<pg::Migration> migrations, std::size_t pool_size)
    : config_{db_.Dsn(), std::chrono::seconds(3)}, pool_(config_, pool_size, std::chrono::seconds(5)) {
  auto conn = pg::Connect(config_);
  pg::MigrationRunner(std::move(migrations)).Up(*conn);
}

void MigratedDatabase::Exec(const std::string& sql) {
  auto lease = pool_.Acquire();
  pg::Translated([&] {
    pqxx::work tx(*lease);
    tx.exec0(sql);
    tx.commit();
  });
}

std::int64_t MigratedDatabase::Count(const std::string& sql) {
  auto lease = pool_.Acquire();
  return pg::Translated([&] {
    pqxx::read_transaction tx(*lease);
    return tx.exec1(sql)[0].as<std::int64_t>();
  });
}

void ExpectConstraintViolations(MigratedDatabase& db, const std::vector<ConstraintCase>& cases) {
  for (const auto& c : cases) {
    try {
      db.Exec(c.sql);
      ADD_FAILURE() << "accepted: " << c.sql;
    } catch (const pg::ConstraintViolation& e) {
      EXPECT_EQ(e.Constraint(), c.constraint) << e.what();
    }
  }
}

void ExpectMigrationsRoundTrip(const std::vector<pg::Migration>& migrations,
                               const std::string& expected_in_schema, const std::string& gone_after_down) {
  TemporaryDatabase db;
  auto conn = pg::Connect(pg::PgConfig{db.Dsn(), std::chrono::seconds(3)});
  pg::MigrationRunner runner(migrations);
  runner.Up(*conn);
  const auto first = SchemaSnapshot(*conn);
  EXPECT_NE(first.find(expected_in_schema), std::string::npos) << first;
  runner.Down(*conn, runner.LatestVersion());
  const auto empty = SchemaSnapshot(*conn);
  EXPECT_EQ(empty.find(gone_after_down), std::string::npos) << empty;
  runner.Up(*conn);
  EXPECT_EQ(SchemaSnapshot(*conn), first);
}

}  // namespace saga::testing
