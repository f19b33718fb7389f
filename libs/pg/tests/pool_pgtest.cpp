// ConnectionPool against the real PostgreSQL: bounded, reuses connections, times out clearly,
// drops broken connections.
#include "saga/pg/pool.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "saga/pg/errors.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::pg {
namespace {

TEST(ConnectionPoolTest, ReusesAndBoundsConnections) {
  ConnectionPool pool(PgConfig{testing::PgAdminDsn(), std::chrono::seconds(3)}, 2,
                      std::chrono::milliseconds(200));
  int backend = 0;
  {
    auto lease = pool.Acquire();
    pqxx::nontransaction tx(*lease);
    backend = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
  }
  {
    auto lease = pool.Acquire();
    pqxx::nontransaction tx(*lease);
    EXPECT_EQ(tx.exec1("SELECT pg_backend_pid()")[0].as<int>(), backend) << "the idle connection is reused";
  }
  auto a = pool.Acquire();
  auto b = pool.Acquire();
  EXPECT_EQ(pool.GetStats().in_use, 2U);
  try {
    (void)pool.Acquire();
    FAIL() << "a third lease must time out";
  } catch (const ConnectionError& e) {
    EXPECT_TRUE(e.IsRetryable());
    EXPECT_NE(std::string(e.what()).find("pool of 2"), std::string::npos) << e.what();
  }
}

TEST(ConnectionPoolTest, DropsBrokenConnections) {
  ConnectionPool pool(PgConfig{testing::PgAdminDsn(), std::chrono::seconds(3)}, 1, std::chrono::seconds(2));
  int killed = 0;
  {
    auto lease = pool.Acquire();
    pqxx::nontransaction tx(*lease);
    killed = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
  }
  {
    pqxx::connection admin(testing::PgAdminDsn());
    pqxx::nontransaction tx(admin);
    tx.exec_params("SELECT pg_terminate_backend($1)", killed);
  }
  {
    auto lease = pool.Acquire();
    EXPECT_THROW(Translated([&] {
                   pqxx::nontransaction tx(*lease);
                   tx.exec1("SELECT 1");
                 }),
                 ConnectionError);
  }
  auto fresh = pool.Acquire();
  pqxx::nontransaction tx(*fresh);
  EXPECT_NE(tx.exec1("SELECT pg_backend_pid()")[0].as<int>(), killed);
}

}  // namespace
}  // namespace saga::pg
