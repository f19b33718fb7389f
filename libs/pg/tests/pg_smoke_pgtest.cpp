// Against the real PostgreSQL of `./saga test`: connect, write and read a row, and check that
// server errors arrive as the typed exceptions of saga/pg/errors.hpp.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "saga/pg/connection.hpp"
#include "saga/pg/errors.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::pg {
namespace {

class PgSmokeTest : public ::testing::Test {
 protected:
  testing::TemporaryDatabase db_;
  PgConfig Config() const { return PgConfig{db_.Dsn(), std::chrono::seconds(3)}; }
};

TEST_F(PgSmokeTest, WritesAndReadsARow) {
  auto conn = Connect(Config());
  {
    pqxx::work tx(*conn);
    tx.exec0("CREATE TABLE smoke (id bigint PRIMARY KEY, body text NOT NULL)");
    tx.exec_params0("INSERT INTO smoke (id, body) VALUES ($1, $2)", 1, "hello \"saga\"");
    tx.commit();
  }
  auto other = Connect(Config());  // a second connection sees the committed row
  pqxx::read_transaction tx(*other);
  auto row = tx.exec_params1("SELECT body FROM smoke WHERE id = $1", 1);
  EXPECT_EQ(row[0].as<std::string>(), "hello \"saga\"");
}

TEST_F(PgSmokeTest, UniqueViolationIsATypedConstraintError) {
  auto conn = Connect(Config());
  pqxx::work setup(*conn);
  setup.exec0("CREATE TABLE skus (sku text CONSTRAINT skus_sku_key UNIQUE)");
  setup.exec0("INSERT INTO skus VALUES ('A-1')");
  setup.commit();

  pqxx::work tx(*conn);
  try {
    Translated([&] { tx.exec0("INSERT INTO skus VALUES ('A-1')"); });
    FAIL() << "expected a ConstraintViolation";
  } catch (const ConstraintViolation& e) {
    EXPECT_EQ(e.SqlState(), "23505");
    EXPECT_EQ(e.Constraint(), "skus_sku_key");
    EXPECT_FALSE(e.IsRetryable());
  }
}

TEST_F(PgSmokeTest, CheckViolationAndSyntaxErrorAreTranslated) {
  auto conn = Connect(Config());
  pqxx::work setup(*conn);
  setup.exec0("CREATE TABLE stock (qty int CONSTRAINT stock_qty_nonneg CHECK (qty >= 0))");
  setup.commit();
  {
    pqxx::work tx(*conn);
    EXPECT_THROW(Translated([&] { tx.exec0("INSERT INTO stock VALUES (-1)"); }), ConstraintViolation);
  }
  {
    pqxx::work tx(*conn);
    try {
      Translated([&] { tx.exec0("SELEC 1"); });
      FAIL() << "expected a QueryError";
    } catch (const QueryError& e) {
      EXPECT_EQ(e.SqlState(), "42601");
      EXPECT_FALSE(e.IsRetryable());
    }
  }
}

TEST(PgConnectTest, WrongPasswordIsARetryableConnectionErrorWithoutTheSecret) {
  PgConfig config{testing::PgAdminDsn() + " password=definitely-wrong", std::chrono::seconds(3)};
  try {
    (void)Connect(config);
    FAIL() << "expected a ConnectionError";
  } catch (const ConnectionError& e) {
    EXPECT_TRUE(e.IsRetryable());
    EXPECT_EQ(std::string(e.what()).find("definitely-wrong"), std::string::npos) << e.what();
  }
}

TEST(PgConnectTest, UnreachableServerFailsFast) {
  // Port 1 on loopback: nothing listens there, so the refusal is immediate.
  PgConfig config{"host=127.0.0.1 port=1 dbname=x user=x", std::chrono::seconds(2)};
  EXPECT_THROW((void)Connect(config), ConnectionError);
}

}  // namespace
}  // namespace saga::pg
