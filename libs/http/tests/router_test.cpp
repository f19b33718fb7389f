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

TEST(ProblemTest, HasRfc7807Shape) {
  auto res = ProblemResponse(Status::conflict, "Conflict", "version mismatch", {{"currentVersion", 3}});
  auto body = Body(res);
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_EQ(body["title"], "Conflict");
  EXPECT_EQ(body["status"], 409);
  EXPECT_EQ(body["detail"], "version mismatch");
  EXPECT_EQ(body["currentVersion"], 3);
}

}  // namespace
}  // namespace saga::http
