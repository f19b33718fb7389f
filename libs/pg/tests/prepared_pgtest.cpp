// pg::Exec against the real PostgreSQL: statements are prepared once per connection and reused,
// survive a rolled-back transaction, work again on a new connection, and keep pqxx's row checks.
#include "saga/pg/prepared.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "saga/pg/connection.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/pool.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::pg {
namespace {

constexpr const char* kSql = "SELECT $1::int + $2::int";

// (prepared under this name on this connection, executions with a generic or a custom plan)
std::pair<bool, std::int64_t> Prepared(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction tx(conn);
  const auto rows = tx.exec_params(
      "SELECT coalesce(sum(generic_plans + custom_plans), 0)::bigint, count(*) FROM pg_prepared_statements "
      "WHERE name = $1",
      StatementName(sql));
  return {rows[0][1].as<std::int64_t>() == 1, rows[0][0].as<std::int64_t>()};
}

TEST(PreparedTest, NamesAreStableAndDistinct) {
  EXPECT_EQ(StatementName(kSql), StatementName(std::string(kSql)));
  EXPECT_NE(StatementName(kSql), StatementName("SELECT $1::int - $2::int"));
  EXPECT_EQ(StatementName(kSql).size(), 17U);
  EXPECT_EQ(StatementName(kSql)[0], 's');
}

TEST(PreparedTest, PreparedOncePerConnectionAndReused) {
  pqxx::connection conn(testing::PgAdminDsn());
  for (int i = 0; i < 7; ++i) {
    pqxx::work tx(conn);
    EXPECT_EQ(Exec1(tx, kSql, i, 40)[0].as<int>(), i + 40);
    tx.commit();
  }
  const auto [prepared, executions] = Prepared(conn, kSql);
  EXPECT_TRUE(prepared) << "one server-side statement under the hashed name";
  EXPECT_EQ(executions, 7) << "every execution ran the prepared statement";
}

TEST(PreparedTest, OutlivesARollbackAndComesBackOnANewConnection) {
  ConnectionPool pool(PgConfig{testing::PgAdminDsn(), std::chrono::seconds(3)}, 1, std::chrono::seconds(2));
  int backend = 0;
  {
    auto lease = pool.Acquire();
    pqxx::work tx(*lease);
    EXPECT_EQ(Exec1(tx, kSql, 1, 2)[0].as<int>(), 3);
    backend = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
    // rolled back: the statement stays prepared on the connection
  }
  {
    auto lease = pool.Acquire();
    EXPECT_TRUE(Prepared(*lease, kSql).first);
    pqxx::work tx(*lease);
    EXPECT_EQ(Exec1(tx, kSql, 2, 2)[0].as<int>(), 4);
    tx.commit();
  }
  {
    pqxx::connection admin(testing::PgAdminDsn());
    pqxx::nontransaction tx(admin);
    tx.exec_params("SELECT pg_terminate_backend($1)", backend);
  }
  {
    auto lease = pool.Acquire();
    EXPECT_THROW(Translated([&] {
                   pqxx::work tx(*lease);
                   (void)Exec1(tx, kSql, 1, 1);
                 }),
                 ConnectionError);
  }
  auto lease = pool.Acquire();  // a new connection, without the statement: prepared again
  pqxx::work tx(*lease);
  EXPECT_EQ(Exec1(tx, kSql, 20, 22)[0].as<int>(), 42);
}

// Left to choose, PostgreSQL plans a statement over an array parameter again on every execution
// (a plan for the values looks cheaper); connections from pg::Connect run the generic plan, and
// ExecPlanned is planned with its values each time.
TEST(PreparedTest, ConnectionsRunTheGenericPlanAndExecPlannedPlansWithTheValues) {
  const std::string sql = "SELECT count(*) FROM pg_class WHERE oid = ANY($1::oid[]) AND relname <> $2";
  const auto executions = [&](pqxx::connection& conn) {
    for (int i = 0; i < 8; ++i) {
      pqxx::work tx(conn);
      (void)Exec1(tx, sql, "{1259,1247}", "x");
      tx.commit();
    }
    pqxx::nontransaction tx(conn);
    return tx.exec_params1("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1",
                           StatementName(sql));
  };
  pqxx::connection plain(testing::PgAdminDsn());
  const auto chosen = executions(plain);
  EXPECT_EQ(chosen[1].as<int>(), 8) << "without the setting: planned again every time (the reason for it)";
  auto conn = Connect(PgConfig{testing::PgAdminDsn(), std::chrono::seconds(3)});
  const auto generic = executions(*conn);
  EXPECT_EQ(generic[0].as<int>(), 8);
  EXPECT_EQ(generic[1].as<int>(), 0);
  pqxx::work tx(*conn);
  EXPECT_EQ(ExecPlanned(tx, "SELECT count(*) FROM pg_class WHERE ($1::text IS NULL OR relname = $1)",
                        std::optional<std::string>("pg_class"))[0][0]
                .as<int>(),
            1);
}

TEST(PreparedTest, KeepsRowChecksAndErrors) {
  pqxx::connection conn(testing::PgAdminDsn());
  pqxx::work tx(conn);
  EXPECT_THROW((void)Exec0(tx, kSql, 1, 2), pqxx::unexpected_rows);
  EXPECT_THROW((void)Exec1(tx, "SELECT 1 WHERE $1::int > 0", 0), pqxx::unexpected_rows);
  EXPECT_EQ(Exec(tx, "SELECT generate_series(1, $1::int)", 3).size(), 3U);
  EXPECT_THROW((void)Translated([&] { return Exec(tx, "SELECT $1::int / 0", 1); }), QueryError);
}

}  // namespace
}  // namespace saga::pg
