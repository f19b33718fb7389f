#pragma once
// A temporary database with a service's migrations applied and a connection pool on it, plus
// the checks every repository test repeats: raw SQL helpers, "each of these statements is refused
// by this constraint", and "migrating up, down and up again leaves the same schema".

#include <cstdint>
#include <string>
#include <vector>

#include "saga/pg/migrations.hpp"
#include "saga/pg/pool.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::testing {

class MigratedDatabase {
 public:
  explicit MigratedDatabase(std::vector<pg::Migration> migrations, std::size_t pool_size = 8);

  [[nodiscard]] const pg::PgConfig& Config() const noexcept { return config_; }
  [[nodiscard]] pg::ConnectionPool& Pool() noexcept { return pool_; }

  /// Runs `sql` in its own transaction; pg errors arrive translated.
  void Exec(const std::string& sql);
  /// The first column of the first row of `sql`, as an integer.
  [[nodiscard]] std::int64_t Count(const std::string& sql);

 private:
  TemporaryDatabase db_;
  pg::PgConfig config_;
  pg::ConnectionPool pool_;
};

struct ConstraintCase {
  std::string sql;
  std::string constraint;  // the constraint expected to refuse it
};

/// Runs every case in its own transaction and checks (gtest) that each is refused by a
/// pg::ConstraintViolation of the named constraint.
void ExpectConstraintViolations(MigratedDatabase& db, const std::vector<ConstraintCase>& cases);

/// On a fresh database: up, snapshot (must mention `expected_in_schema`), down to nothing (must
/// not mention `gone_after_down`), up again, and the snapshot must be identical (gtest checks).
void ExpectMigrationsRoundTrip(const std::vector<pg::Migration>& migrations,
                               const std::string& expected_in_schema, const std::string& gone_after_down);

}  // namespace saga::testing
