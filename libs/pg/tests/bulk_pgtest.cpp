// pg::BulkRows against the real PostgreSQL: values of every kind survive the array literals
// exactly (quotes, backslashes, braces, commas, the word NULL, empty strings, non-ASCII, NULL),
// rows keep the order they were added in (bigserial ids), one prepared statement serves any
// number of rows, updates can be version-checked through RETURNING, and nothing is sent for no
// rows.
#include "saga/pg/bulk.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "saga/pg/prepared.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::pg {
namespace {

class BulkRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = std::make_unique<pqxx::connection>(testing::PgAdminDsn());
    pqxx::work tx(*conn_);
    tx.exec(
        "CREATE TEMP TABLE bulk_t (id bigserial PRIMARY KEY, name text, n bigint, flag boolean, doc jsonb, "
        "ref uuid, version bigint NOT NULL DEFAULT 1)");
    tx.commit();
  }
  std::unique_ptr<pqxx::connection> conn_;
};

BulkRows Shape() {
  return BulkRows(
      {{"name", "text"}, {"n", "bigint"}, {"flag", "boolean"}, {"doc", "jsonb"}, {"ref", "uuid"}});
}

constexpr const char* kInsert =
    "INSERT INTO bulk_t (name, n, flag, doc, ref) SELECT v.name, v.n, v.flag, v.doc, v.ref FROM {rows} "
    "ORDER BY v.ord RETURNING id";

TEST_F(BulkRowsTest, ValuesRoundTripExactly) {
  const std::vector<std::string> names = {
      "plain",           "",         "NULL",      "with \"quotes\"",  "back\\slash",
      "{braces},commas", " spaced ", "ünïcødé €", "line\nbreak\ttab", "\\\"",
      "'single'"};
  auto rows = Shape();
  std::int64_t n = -3;
  for (const auto& name : names) {
    rows.Add(name, n, n % 2 == 0, std::string(R"({"k": "v \" \\ }", "n": [1, null]})"),
             std::optional<std::string>("0190a5c4-1b2c-7d3e-8f40-123456789abc"));
    ++n;
  }
  rows.Add(std::optional<std::string>(), std::optional<std::int64_t>(), std::optional<bool>(),
           std::optional<std::string>(), std::nullopt);
  pqxx::work tx(*conn_);
  EXPECT_EQ(rows.Exec(tx, kInsert).size(), names.size() + 1);
  const auto stored = tx.exec("SELECT name, n, flag, doc::text, ref::text FROM bulk_t ORDER BY id");
  ASSERT_EQ(stored.size(), names.size() + 1);
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(stored[i][0].as<std::string>(), names[i]) << i;
    EXPECT_EQ(stored[i][1].as<std::int64_t>(), static_cast<std::int64_t>(i) - 3);
    EXPECT_EQ(stored[i][2].as<bool>(), (static_cast<std::int64_t>(i) - 3) % 2 == 0);
    EXPECT_EQ(stored[i][3].as<std::string>(), R"({"k": "v \" \\ }", "n": [1, null]})");
    EXPECT_EQ(stored[i][4].as<std::string>(), "0190a5c4-1b2c-7d3e-8f40-123456789abc");
  }
  for (int column = 0; column < 5; ++column) EXPECT_TRUE(stored[names.size()][column].is_null()) << column;
}

TEST_F(BulkRowsTest, RowsKeepTheirOrderAndOneStatementServesAnyCount) {
  pqxx::work tx(*conn_);
  for (const int count : {1, 7, 300}) {
    auto rows = Shape();
    for (int i = 0; i < count; ++i)
      rows.Add("r" + std::to_string(i), i, true, std::string("{}"), std::nullopt);
    const auto ids = rows.Exec(tx, kInsert);
    ASSERT_EQ(ids.size(), static_cast<std::size_t>(count));
  }
  // Within each statement the ids follow the order the rows were added in.
  const auto stored = tx.exec("SELECT name, n FROM bulk_t ORDER BY id");
  ASSERT_EQ(stored.size(), 308U);
  std::size_t at = 0;
  for (const int count : {1, 7, 300}) {
    for (int i = 0; i < count; ++i, ++at) EXPECT_EQ(stored[at][1].as<int>(), i);
  }
  const auto prepared = tx.exec_params1("SELECT count(*) FROM pg_prepared_statements WHERE name = $1",
                                        StatementName(Shape().Statement(kInsert)));
  EXPECT_EQ(prepared[0].as<int>(), 1) << "one prepared statement whatever the number of rows";
}

TEST_F(BulkRowsTest, VersionCheckedUpdateReportsTheRowsItChanged) {
  pqxx::work tx(*conn_);
  tx.exec("INSERT INTO bulk_t (name, version) VALUES ('a', 1), ('b', 1), ('c', 5)");
  BulkRows updates({{"id", "bigint"}, {"expected", "bigint"}, {"name", "text"}});
  updates.Add(1, 1, "a2");
  updates.Add(2, 1, "b2");
  updates.Add(3, 4, "c2");  // stale: the row is at version 5
  const auto changed = updates.Exec(
      tx,
      "UPDATE bulk_t t SET name = v.name, version = t.version + 1 FROM {rows} WHERE t.id = v.id AND "
      "t.version = v.expected RETURNING t.id");
  EXPECT_EQ(changed.size(), 2U);
  EXPECT_EQ(tx.exec1("SELECT string_agg(name || version, ',' ORDER BY id) FROM bulk_t")[0].as<std::string>(),
            "a22,b22,c5");
}

TEST_F(BulkRowsTest, NothingIsSentForNoRowsAndClearStartsOver) {
  pqxx::work tx(*conn_);
  auto rows = Shape();
  EXPECT_TRUE(rows.Exec(tx, "this is not SQL {rows}").empty()) << "no rows: no statement";
  rows.Add("x", 1, false, std::string("{}"), std::nullopt);
  EXPECT_EQ(rows.Size(), 1U);
  rows.Clear();
  EXPECT_TRUE(rows.Empty());
  rows.Add("y", 2, false, std::string("{}"), std::nullopt);
  EXPECT_EQ(rows.Exec(tx, kInsert).size(), 1U);
  EXPECT_EQ(tx.exec1("SELECT string_agg(name, ',') FROM bulk_t")[0].as<std::string>(), "y");
}

// Writes to several tables in one statement: each part's parameters are its own, each part's
// returned rows are counted, parts without rows are left out.
TEST_F(BulkRowsTest, BulkStatementSendsSeveralPartsAsOne) {
  pqxx::work tx(*conn_);
  tx.exec("CREATE TEMP TABLE bulk_log (id bigserial PRIMARY KEY, line text NOT NULL)");
  tx.exec("INSERT INTO bulk_t (name, version) VALUES ('a', 1), ('b', 3)");
  BulkRows updates({{"id", "bigint"}, {"expected", "bigint"}, {"name", "text"}});
  updates.Add(1, 1, "a2");
  updates.Add(2, 2, "b2");  // stale
  BulkRows lines(std::vector<BulkColumn>{{"line", "text"}});
  for (const char* line : {"one", "two", "three"}) lines.Add(std::string(line));
  BulkRows none(std::vector<BulkColumn>{{"line", "text"}});
  BulkStatement statement;
  const auto changed = statement.Add(updates,
                                     "UPDATE bulk_t t SET name = v.name, version = t.version + 1 FROM {rows} "
                                     "WHERE t.id = v.id AND t.version = "
                                     "v.expected RETURNING t.id");
  const auto empty = statement.Add(none, "INSERT INTO bulk_log (line) SELECT v.line FROM {rows} RETURNING 1");
  const auto logged = statement.Add(
      lines, "INSERT INTO bulk_log (line) SELECT v.line FROM {rows} ORDER BY v.ord RETURNING 1");
  const auto counts = statement.Exec(tx);
  ASSERT_EQ(counts.size(), 3U);
  EXPECT_EQ(counts[changed], 1U) << "the stale row is not counted";
  EXPECT_EQ(counts[empty], 0U);
  EXPECT_EQ(counts[logged], 3U);
  EXPECT_EQ(tx.exec1("SELECT string_agg(line, ',' ORDER BY id) FROM bulk_log")[0].as<std::string>(),
            "one,two,three");
  EXPECT_EQ(tx.exec1("SELECT string_agg(name || version, ',' ORDER BY id) FROM bulk_t")[0].as<std::string>(),
            "a22,b3");
  EXPECT_EQ(
      tx.exec1("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'WITH p0 AS%'")[0].as<int>(),
      1)
      << "one statement";
  BulkStatement nothing;
  nothing.Add(none, "this is not SQL {rows}");
  EXPECT_EQ(nothing.Exec(tx), std::vector<std::size_t>{0}) << "nothing to send: no statement";
}

TEST(BulkRowsShapeTest, WrongNumberOfValuesIsRefused) {
  auto rows = Shape();
  EXPECT_THROW(rows.Add("only", 1), std::logic_error);
  EXPECT_TRUE(rows.Empty());
  EXPECT_THROW(BulkRows({}), std::logic_error);
}

TEST(BulkRowsShapeTest, StatementNamesEveryColumnAndTheOrdinal) {
  const BulkRows rows({{"a", "uuid"}, {"b", "bigint"}});
  EXPECT_EQ(rows.Statement("SELECT * FROM {rows} JOIN {rows} USING (a)"),
            "SELECT * FROM unnest($1::uuid[], $2::bigint[]) WITH ORDINALITY AS v(a, b, ord) JOIN "
            "unnest($1::uuid[], $2::bigint[]) WITH ORDINALITY AS v(a, b, ord) USING (a)");
}

}  // namespace
}  // namespace saga::pg
