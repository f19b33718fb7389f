#include "saga/core/time.hpp"

#include <gtest/gtest.h>

namespace saga::core {
namespace {

TEST(TimeTest, FormatsRfc3339WithMicroseconds) {
  EXPECT_EQ(ToRfc3339(FromUnixMicros(0)), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(ToRfc3339(FromUnixMicros(1795910399123456)), "2026-11-28T23:59:59.123456Z");
  EXPECT_EQ(ToRfc3339(FromUnixMicros(-1)), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(ToUnixMicros(FromUnixMicros(42)), 42);
}

}  // namespace
}  // namespace saga::core
