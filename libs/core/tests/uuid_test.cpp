#include "saga/core/uuid.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

namespace saga::core {
namespace {

TEST(UuidTest, ParsesAndPrintsCanonicalForm) {
  auto id = Uuid::Parse("3F2504E0-4F89-41D3-9A0C-0305E82C3301");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->ToString(), "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  EXPECT_FALSE(id->IsNil());
}

TEST(UuidTest, RejectsMalformedText) {
  for (const char* bad :
       {"", "3f2504e0", "3f2504e0-4f89-41d3-9a0c-0305e82c330", "3f2504e0-4f89-41d3-9a0c-0305e82c33011",
        "3f2504e04f8941d39a0c0305e82c3301", "3f2504e0-4f89-41d3-9a0c_0305e82c3301",
        "zf2504e0-4f89-41d3-9a0c-0305e82c3301", "3f2504e0-4f89-41d3-9a0c-0305e82c330g"}) {
    EXPECT_FALSE(Uuid::Parse(bad).has_value()) << bad;
  }
}

TEST(UuidTest, RandomIsVersion4AndRoundTrips) {
  std::mt19937_64 rng(42);
  std::unordered_set<Uuid> seen;
  for (int i = 0; i < 1000; ++i) {
    Uuid id = Uuid::Random(rng);
    EXPECT_EQ(id.Bytes()[6] >> 4U, 4U);
    EXPECT_EQ(id.Bytes()[8] & 0xC0U, 0x80U);
    auto again = Uuid::Parse(id.ToString());
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, id);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000U);
}

TEST(UuidTest, TimeOrderedIsVersion7WithTheTimeInFrontAndSortsByIt) {
  std::mt19937_64 rng(7);
  const std::int64_t t0 = 1764072000123;  // 2025-11-25T12:00:00.123Z
  const auto id = Uuid::TimeOrdered(t0, rng);
  EXPECT_EQ(id.ToString().substr(0, 13), "019abae2-8a7b") << "the milliseconds, big-endian, in front";
  EXPECT_EQ(id.Bytes()[6] >> 4U, 7U);
  EXPECT_EQ(id.Bytes()[8] & 0xC0U, 0x80U);
  EXPECT_EQ(Uuid::Parse(id.ToString()), id);

  std::unordered_set<Uuid> seen;
  Uuid previous = Uuid::TimeOrdered(t0, rng);
  for (int i = 1; i <= 1000; ++i) {
    const auto later = Uuid::TimeOrdered(t0 + i, rng);
    EXPECT_LT(previous, later) << "a later millisecond sorts after, whatever the random bits";
    EXPECT_LT(previous.ToString(), later.ToString()) << "in text too (PostgreSQL compares uuid bytes)";
    seen.insert(Uuid::TimeOrdered(t0, rng));
    previous = later;
  }
  EXPECT_EQ(seen.size(), 1000U) << "ids of one millisecond differ";

  const auto now = Uuid::TimeOrdered();
  EXPECT_EQ(now.Bytes()[6] >> 4U, 7U);
  EXPECT_LT(id, now);
}

TEST(UuidTest, DefaultIsNil) {
  EXPECT_TRUE(Uuid().IsNil());
  EXPECT_EQ(Uuid().ToString(), "00000000-0000-0000-0000-000000000000");
}

}  // namespace
}  // namespace saga::core
