#include "saga/http/router.hpp"

#include <gtest/gtest.h>

namespace saga::http {
namespace {

Request Make(Verb verb, const std::string& target) {
  return Request{verb, target, 11};
}

nlohmann::json Body(const Response& res) {
  return nlohmann::json::parse(res.body());
}

Router TestRouter() {
  Router router;
  router.Add(Verb::get, "/api/orders/{id}", [](const Request&, const RequestContext& ctx) {
    return JsonResponse(Status::ok, {{"id", ctx.path_params.at("id")}});
  });
  router.Add(Verb::put, "/api/orders/{id}/cancel", [](const Request&, const RequestContext& ctx) {
    return JsonResponse(Status::accepted, {{"cancel", ctx.path_params.at("id")}});
  });
  router.Add(Verb::get, "/api/orders", [](const Request&, const RequestContext& ctx) {
    nlohmann::json q = nlohmann::json::object();
    for (const auto& [k, v] : ctx.query) q[k] = v;
    return JsonResponse(Status::ok, q);
  });
  return router;
}

TEST(RouterTest, CapturesPathParameters) {
  auto res = TestRouter().Dispatch(Make(Verb::get, "/api/orders/abc"));
  EXPECT_EQ(res.result(), Status::ok);
  EXPECT_EQ(Body(res)["id"], "abc");
  auto cancel = TestRouter().Dispatch(Make(Verb::put, "/api/orders/xyz/cancel"));
  EXPECT_EQ(cancel.result(), Status::accepted);
  EXPECT_EQ(Body(cancel)["cancel"], "xyz");
}

TEST(RouterTest, DecodesQueryParameters) {
  auto res = TestRouter().Dispatch(Make(Verb::get, "/api/orders?status=Created&customer=a%20b&page=2&&x"));
  EXPECT_EQ(res.result(), Status::ok);
  auto q = Body(res);
  EXPECT_EQ(q["status"], "Created");
  EXPECT_EQ(q["customer"], "a b");
  EXPECT_EQ(q["page"], "2");
  EXPECT_EQ(q["x"], "");
}

TEST(RouterTest, UnknownPathIsProblem404) {
  for (const char* target : {"/api/nothing", "/api/orders/a/b/c", "/api/orders//cancel", "/"}) {
    auto res = TestRouter().Dispatch(Make(Verb::get, target));
    EXPECT_EQ(res.result(), Status::not_found) << target;
    EXPECT_EQ(res[beast_http::field::content_type], "application/problem+json");
    EXPECT_EQ(Body(res)["status"], 404);
  }
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  auto res = TestRouter().Dispatch(Make(Verb::delete_, "/api/orders/abc"));
  EXPECT_EQ(res.result(), Status::method_not_allowed);
  EXPECT_EQ(res[beast_http::field::allow], "GET");
}

TEST(RouterTest, MalformedTargetIs400) {
  for (const char* target : {"/api/orders?x=%zz", "/api/orders?x=%4", "relative"}) {
    auto res = TestRouter().Dispatch(Make(Verb::get, target));
    EXPECT_EQ(res.result(), Status::bad_request) << target;
  }
}

TEST(RouterTest, LiteralSegmentsWinOverCaptures) {
  Router router;
  router.Add(Verb::get, "/api/inventory/{id}", [](const Request&, const RequestContext& ctx) {
    return JsonResponse(Status::ok, {{"id", ctx.path_params.at("id")}});
  });
  router.Add(Verb::get, "/api/inventory/low-stock", [](const Request&, const RequestContext&) {
    return JsonResponse(Status::ok, {{"low", true}});
  });
  router.Add(Verb::post, "/api/inventory/reserve", [](const Request&, const RequestContext&) {
    return JsonResponse(Status::ok, {{"reserve", true}});
  });
  EXPECT_EQ(Body(router.Dispatch(Make(Verb::get, "/api/inventory/low-stock")))["low"], true);
  EXPECT_EQ(Body(router.Dispatch(Make(Verb::get, "/api/inventory/abc")))["id"], "abc");
  auto wrong = router.Dispatch(Make(Verb::get, "/api/inventory/reserve"));
  EXPECT_EQ(wrong.result(), Status::method_not_allowed) << "the literal route decides, not {id}";
  EXPECT_EQ(wrong[beast_http::field::allow], "POST");
  ASSERT_EQ(router.Routes().size(), 3U);
  EXPECT_EQ(router.Routes()[1].second, "/api/inventory/low-stock");
}

TEST(RouterTest, MiddlewareWrapsInOrderAndSeesThePath) {
  Router router;
  std::vector<std::string> calls;
  router.Use([&calls](const Request&, const RequestContext& ctx, const Next& next) {
    calls.push_back("outer " + ctx.path);
    auto res = next();
    calls.push_back("outer after");
    return res;
  });
  router.Use([&calls](const Request&, const RequestContext& ctx, const Next& next) {
    calls.push_back("inner " + ctx.client_id);
    return next();
  });
  router.Add(Verb::get, "/x", [&calls](const Request&, const RequestContext&) {
    calls.push_back("handler");
    return JsonResponse(Status::ok, {});
  });
  RequestContext ctx;
  ctx.client_id = "me";
  EXPECT_EQ(router.Dispatch(Make(Verb::get, "/x?q=1"), ctx).result(), Status::ok);
  EXPECT_EQ(calls, (std::vector<std::string>{"outer /x", "inner me", "handler", "outer after"}));
}

TEST(ProblemTest, HasRfc7807Shape) {
  auto res = ProblemResponse(Status::conflict, "Conflict", "version mismatch", {{"currentVersion", 3}});
  auto body = Body(res);
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_EQ(body["title"], "Conflict");
  EXPECT_EQ(body["status"], 409);
  EXPECT_EQ(body["detail"], "version mismatch");
  EXPECT_EQ(body["currentVersion"], 3);
  ProblemError error(Status::too_many_requests, "Too Many Requests", "slow down", {{"x", 1}},
                     {{beast_http::field::retry_after, "3"}});
  auto from_error = error.ToResponse();
  EXPECT_EQ(from_error.result(), Status::too_many_requests);
  EXPECT_EQ(from_error[beast_http::field::retry_after], "3");
  EXPECT_EQ(Body(from_error)["x"], 1);
}

}  // namespace
}  // namespace saga::http
