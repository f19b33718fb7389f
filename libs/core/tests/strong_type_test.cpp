#include "saga/core/strong_type.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <type_traits>
#include <unordered_set>

namespace saga::core {
namespace {

using OrderNumber = StrongType<int, struct OrderNumberTag>;
using CustomerName = StrongType<std::string, struct CustomerNameTag>;

static_assert(!std::is_convertible_v<int, OrderNumber>, "construction must be explicit");
static_assert(!std::is_same_v<OrderNumber, StrongType<int, struct OtherTag>>);

TEST(StrongTypeTest, ComparesAndHashesByValue) {
  EXPECT_EQ(OrderNumber(3), OrderNumber(3));
  EXPECT_LT(OrderNumber(2), OrderNumber(3));
  std::unordered_set<CustomerName> names{CustomerName("a"), CustomerName("a"), CustomerName("b")};
  EXPECT_EQ(names.size(), 2U);
}

TEST(StrongTypeTest, Prints) {
  std::ostringstream out;
  out << CustomerName("alice");
  EXPECT_EQ(out.str(), "alice");
}

}  // namespace
}  // namespace saga::core
