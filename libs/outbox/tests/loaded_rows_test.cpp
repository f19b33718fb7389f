// LoadedRows (no I/O): a key asked for serves its rows, or none, until written; a key not asked
// for has nothing, and rows added under it are dropped.
#include "saga/outbox/loaded_rows.hpp"

#include <gtest/gtest.h>

namespace saga::outbox {
namespace {

TEST(LoadedRowsTest, AnAskedKeyServesItsRowsUntilWritten) {
  LoadedRows<int> rows({"a", "b"});
  rows.Add("a", 1);
  rows.Add("a", 2);
  rows.Add("c", 3);  // not asked for: dropped
  EXPECT_EQ(rows.Of("a"), (std::vector<int>{1, 2})) << "in the order added";
  EXPECT_EQ(rows.Of("b"), std::vector<int>{}) << "asked for, without rows: none, not nothing";
  EXPECT_FALSE(rows.Of("c")) << "not asked for";
  rows.Wrote("a");
  EXPECT_FALSE(rows.Of("a")) << "written since: read again";
  EXPECT_EQ(rows.Of("b"), std::vector<int>{}) << "the other keys still serve";
  rows.Add("a", 4);
  EXPECT_FALSE(rows.Of("a")) << "a written key takes no rows";
}

}  // namespace
}  // namespace saga::outbox
