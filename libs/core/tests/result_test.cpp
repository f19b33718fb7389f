#include "saga/core/result.hpp"

#include <gtest/gtest.h>

#include <string>

namespace saga::core {
namespace {

enum class TestError { kNoStock, kDeclined };

Result<int, TestError> Divide(int a, int b) {
  if (b == 0) return Fail(TestError::kDeclined);
  return a / b;
}

Result<void, TestError> Check(bool ok) {
  if (!ok) return Fail(TestError::kNoStock);
  return Ok<TestError>();
}

TEST(ResultTest, HoldsValue) {
  auto r = Divide(10, 2);
  ASSERT_TRUE(r.HasValue());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.Value(), 5);
}

TEST(ResultTest, HoldsError) {
  auto r = Divide(1, 0);
  ASSERT_FALSE(r.HasValue());
  EXPECT_EQ(r.Error(), TestError::kDeclined);
}

TEST(ResultTest, MovesValueOut) {
  Result<std::string, TestError> r = std::string("payload");
  std::string moved = std::move(r).Value();
  EXPECT_EQ(moved, "payload");
}

TEST(ResultTest, VoidResult) {
  EXPECT_TRUE(Check(true).HasValue());
  auto failed = Check(false);
  ASSERT_FALSE(failed.HasValue());
  EXPECT_EQ(failed.Error(), TestError::kNoStock);
}

}  // namespace
}  // namespace saga::core
