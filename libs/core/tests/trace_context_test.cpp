#include "saga/core/trace_context.hpp"

#include <gtest/gtest.h>

namespace saga::core {
namespace {

constexpr const char* kSample = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceContextTest, ParsesAndPrintsAW3cTraceparent) {
  const auto tc = TraceContext::Parse(kSample);
  ASSERT_TRUE(tc);
  EXPECT_EQ(tc->TraceId(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(tc->SpanId(), "00f067aa0ba902b7");
  EXPECT_EQ(tc->Flags(), "01");
  EXPECT_EQ(tc->ToTraceparent(), kSample);
}

TEST(TraceContextTest, RefusesMalformedValues) {
  for (const char* bad : {"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // uppercase
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero span
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // version ff
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // v00 extra
                          "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"}) {
    EXPECT_FALSE(TraceContext::Parse(bad)) << bad;
  }
}

TEST(TraceContextTest, AcceptsALaterVersionByItsFirstFields) {
  const auto tc = TraceContext::Parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future");
  ASSERT_TRUE(tc);
  EXPECT_EQ(tc->ToTraceparent(), kSample);  // re-emitted as version 00
  EXPECT_FALSE(TraceContext::Parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"));
}

TEST(TraceContextTest, ChildKeepsTheTraceAndFlagsWithANewSpan) {
  const auto parent = *TraceContext::Parse(kSample);
  const auto child = parent.Child();
  EXPECT_EQ(child.TraceId(), parent.TraceId());
  EXPECT_EQ(child.Flags(), parent.Flags());
  EXPECT_NE(child.SpanId(), parent.SpanId());
  EXPECT_TRUE(TraceContext::Parse(child.ToTraceparent()));
}

TEST(TraceContextTest, RootsAreValidAndDistinct) {
  const auto a = TraceContext::NewRoot();
  const auto b = TraceContext::NewRoot();
  EXPECT_NE(a.TraceId(), b.TraceId());
  EXPECT_TRUE(TraceContext::Parse(a.ToTraceparent()));
  EXPECT_EQ(a.TraceId().size(), 32U);
}

TEST(TraceContextTest, ForTraceUsesTheUuidDigits) {
  const auto id = *Uuid::Parse("4bf92f35-77b3-4da6-a3ce-929d0e0e4736");
  const auto tc = TraceContext::ForTrace(id);
  EXPECT_EQ(tc.TraceId(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(TraceContext::Parse(tc.ToTraceparent()));
}

}  // namespace
}  // namespace saga::core
