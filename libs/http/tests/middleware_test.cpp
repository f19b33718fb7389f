#include "saga/http/middleware.hpp"

#include <gtest/gtest.h>

namespace saga::http {
namespace {

using std::chrono::milliseconds;

struct FakeTime {
  std::chrono::steady_clock::time_point now{};
  RateLimiter::Now Fn() {
    return [this] { return now; };
  }
};

TEST(RateLimiterTest, AllowsTheBurstThenRefillsAtTheRate) {
  FakeTime time;
  RateLimiter limiter(RateLimitConfig{2, 3, 100}, time.Fn());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("a").count(), 0) << i;
  EXPECT_EQ(limiter.Acquire("a"), milliseconds(500));
  EXPECT_EQ(limiter.Acquire("b").count(), 0) << "buckets are per client";
  time.now += milliseconds(500);
  EXPECT_EQ(limiter.Acquire("a").count(), 0);
  EXPECT_GT(limiter.Acquire("a").count(), 0);
  time.now += std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("a").count(), 0) << "refill is capped at the burst";
  EXPECT_GT(limiter.Acquire("a").count(), 0);
}

TEST(RateLimiterTest, ZeroRateDisablesAndClientsAreBounded) {
  FakeTime time;
  RateLimiter off(RateLimitConfig{0, 1, 1}, time.Fn());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(off.Acquire("a").count(), 0);
  RateLimiter bounded(RateLimitConfig{1, 1, 2}, time.Fn());
  EXPECT_EQ(bounded.Acquire("a").count(), 0);
  time.now += milliseconds(1);
  EXPECT_EQ(bounded.Acquire("b").count(), 0);
  time.now += milliseconds(1);
  EXPECT_EQ(bounded.Acquire("c").count(), 0) << "the idlest client (a) is forgotten";
  EXPECT_GT(bounded.Acquire("b").count(), 0) << "b is still tracked";
  EXPECT_EQ(bounded.Acquire("a").count(), 0) << "a starts with a full bucket again";
}

Router Limited(std::shared_ptr<RateLimiter> limiter) {
  Router router;
  router.Use(RateLimit(std::move(limiter), {"/health/"}));
  router.Add(Verb::get, "/x",
             [](const Request&, const RequestContext&) { return JsonResponse(Status::ok, {}); });
  router.Add(Verb::get, "/health/live",
             [](const Request&, const RequestContext&) { return JsonResponse(Status::ok, {}); });
  return router;
}

TEST(RateLimitMiddlewareTest, Answers429WithRetryAfterAndExemptsHealth) {
  FakeTime time;
  auto router = Limited(std::make_shared<RateLimiter>(RateLimitConfig{0.5, 1, 10}, time.Fn()));
  RequestContext ctx;
  ctx.client_id = "10.0.0.1";
  EXPECT_EQ(router.Dispatch(Request{Verb::get, "/x", 11}, ctx).result(), Status::ok);
  auto limited = router.Dispatch(Request{Verb::get, "/x", 11}, ctx);
  EXPECT_EQ(limited.result(), Status::too_many_requests);
  EXPECT_EQ(limited[beast_http::field::retry_after], "2");
  EXPECT_EQ(limited[beast_http::field::content_type], "application/problem+json");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(router.Dispatch(Request{Verb::get, "/health/live", 11}, ctx).result(), Status::ok);
  }
  EXPECT_EQ(Limited(nullptr).Dispatch(Request{Verb::get, "/x", 11}, ctx).result(), Status::ok);
}

TEST(ConditionalGetTest, AddsETagAndAnswers304OnMatch) {
  Router router;
  router.Use(ConditionalGet());
  router.Add(Verb::get, "/versioned", [](const Request&, const RequestContext&) {
    auto res = JsonResponse(Status::ok, {{"v", 7}});
    res.set(beast_http::field::etag, VersionETag(7));
    return res;
  });
  router.Add(Verb::get, "/list", [](const Request&, const RequestContext&) {
    return JsonResponse(Status::ok, {{"items", {1, 2}}});
  });
  auto first = router.Dispatch(Request{Verb::get, "/versioned", 11});
  EXPECT_EQ(first[beast_http::field::etag], "\"7\"");
  EXPECT_EQ(first[beast_http::field::cache_control], "private, no-cache");
  Request conditional{Verb::get, "/versioned", 11};
  conditional.set(beast_http::field::if_none_match, "\"6\", \"7\"");
  auto not_modified = router.Dispatch(conditional);
  EXPECT_EQ(not_modified.result(), Status::not_modified);
  EXPECT_TRUE(not_modified.body().empty());
  EXPECT_EQ(not_modified[beast_http::field::etag], "\"7\"");
  conditional.set(beast_http::field::if_none_match, "\"6\"");
  EXPECT_EQ(router.Dispatch(conditional).result(), Status::ok);

  auto list = router.Dispatch(Request{Verb::get, "/list", 11});
  const std::string weak(list[beast_http::field::etag]);
  ASSERT_EQ(weak.rfind("W/\"", 0), 0U) << weak;
  Request again{Verb::get, "/list", 11};
  again.set(beast_http::field::if_none_match, weak);
  EXPECT_EQ(router.Dispatch(again).result(), Status::not_modified);
}

TEST(ETagTest, ListMatching) {
  EXPECT_TRUE(ETagListMatches("*", "\"1\""));
  EXPECT_TRUE(ETagListMatches(" \"2\" ,\"1\"", "\"1\""));
  EXPECT_TRUE(ETagListMatches("W/\"1\"", "\"1\""));
  EXPECT_FALSE(ETagListMatches("\"10\"", "\"1\""));
  EXPECT_FALSE(ETagListMatches("", "\"1\""));
  EXPECT_FALSE(ETagListMatches("1", "\"1\""));
}

TEST(ETagTest, IfMatchVersion) {
  Request request{Verb::put, "/x", 11};
  EXPECT_EQ(IfMatchVersion(request), std::nullopt);
  request.set(beast_http::field::if_match, "*");
  EXPECT_EQ(IfMatchVersion(request), std::nullopt);
  request.set(beast_http::field::if_match, "\"12\"");
  EXPECT_EQ(IfMatchVersion(request), 12);
  for (const char* stale : {"12", "W/\"12\"", "\"x\"", "\"0\"", "\"1\", \"2\"", "\"99999999999999999999\""}) {
    request.set(beast_http::field::if_match, stale);
    EXPECT_EQ(IfMatchVersion(request), -1) << stale;
  }
}

}  // namespace
}  // namespace saga::http
