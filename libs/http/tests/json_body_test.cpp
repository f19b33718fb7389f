#include "saga/http/json_body.hpp"

#include <gtest/gtest.h>

namespace saga::http {
namespace {

Request Post(std::string body, std::string content_type = "application/json") {
  Request request{Verb::post, "/x", 11};
  if (!content_type.empty()) request.set(beast_http::field::content_type, content_type);
  request.body() = std::move(body);
  return request;
}

Status StatusOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ProblemError& e) {
    return e.GetStatus();
  }
  return Status::ok;
}

nlohmann::json ErrorsOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ProblemError& e) {
    return nlohmann::json::parse(e.ToResponse().body())["errors"];
  }
  return nullptr;
}

TEST(ParseJsonObjectTest, ChecksMediaTypeSyntaxShapeAndDepth) {
  EXPECT_EQ(ParseJsonObject(Post("{\"a\":1}", "application/json; charset=utf-8"))["a"], 1);
  EXPECT_EQ(ParseJsonObject(Post("{}", "Application/JSON")).size(), 0U);
  EXPECT_EQ(StatusOf([] { (void)ParseJsonObject(Post("{}", "text/plain")); }),
            Status::unsupported_media_type);
  EXPECT_EQ(StatusOf([] { (void)ParseJsonObject(Post("{}", "")); }), Status::unsupported_media_type);
  EXPECT_EQ(StatusOf([] { (void)ParseJsonObject(Post("{\"a\":")); }), Status::bad_request);
  EXPECT_EQ(StatusOf([] { (void)ParseJsonObject(Post("[1]")); }), Status::bad_request);
  EXPECT_EQ(StatusOf([] { (void)ParseJsonObject(Post("\"\xff\"")); }), Status::bad_request);
  EXPECT_EQ(
      StatusOf([] { (void)ParseJsonObject(Post(std::string(100000, '[') + std::string(100000, ']'))); }),
      Status::bad_request);
  EXPECT_EQ(
      StatusOf([] { (void)ParseJsonObject(Post("{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}")); }),
      Status::ok)
      << "brackets inside strings do not count";
  EXPECT_EQ(ParseJsonObject(Post("", ""), true).size(), 0U);
  EXPECT_EQ(StatusOf([] { (void)ParseJsonObject(Post("", "")); }), Status::unsupported_media_type);
}

TEST(JsonReaderTest, ReadsValidInput) {
  const auto body =
      nlohmann::json::parse(R"({"name":"Tee","count":3,"id":"6f1c1a2e-8f6e-4a8e-9a57-0a8c7b1d2e3f",
      "price":{"amountMinor":1999,"currency":"EUR"},"items":[{"q":1},{"q":2}]})");
  std::vector<FieldError> errors;
  JsonReader reader(body, "", errors);
  EXPECT_EQ(reader.String("name", 1, 10), "Tee");
  EXPECT_EQ(reader.Integer("count", 1, 5), 3);
  EXPECT_TRUE(reader.IdOf<core::OrderId>("id").has_value());
  EXPECT_EQ(reader.Money("price", 1)->MinorUnits(), 1999);
  std::vector<std::int64_t> qs;
  reader.Objects("items", 1, 5, [&](JsonReader& item) { qs.push_back(item.Integer("q", 1, 9).value_or(0)); });
  EXPECT_EQ(reader.String("absent", 1, 5, false), std::nullopt);
  reader.RejectUnknown();
  EXPECT_TRUE(errors.empty()) << errors.front().field << " " << errors.front().message;
  EXPECT_EQ(qs, (std::vector<std::int64_t>{1, 2}));
}

TEST(JsonReaderTest, ReportsEveryProblemWithItsFieldPath) {
  const auto body = nlohmann::json::parse(R"({"name":" x","count":2.5,"id":"nope","status":"Completed",
      "price":{"amountMinor":"1","currency":"eur","extra":1},"items":[{"q":0},7],"zzz":true,"big":18446744073709551615})");
  std::vector<FieldError> errors;
  JsonReader reader(body, "", errors);
  (void)reader.String("name", 1, 10);
  (void)reader.Integer("count", 1, 5);
  (void)reader.Uuid("id");
  (void)reader.Money("price", 1);
  (void)reader.Integer("big", 0, 10);
  (void)reader.String("missing", 1, 10);
  reader.Objects("items", 1, 5, [](JsonReader& item) { (void)item.Integer("q", 1, 9); });
  reader.Forbidden({"status", "total"});
  reader.RejectUnknown();
  std::map<std::string, std::string> by_field;
  for (const auto& e : errors) by_field[e.field] = e.message;
  EXPECT_EQ(by_field["name"], "must not start or end with white space");
  EXPECT_EQ(by_field["count"], "must be an integer from 1 to 5");
  EXPECT_EQ(by_field["id"], "must be a UUID (8-4-4-4-12 hex digits)");
  EXPECT_EQ(by_field["price.amountMinor"], "must be an integer, not string");
  EXPECT_EQ(by_field["price.currency"], "must be a three-letter ISO 4217 code in upper case");
  EXPECT_EQ(by_field["price.extra"], "is not a known field");
  EXPECT_EQ(by_field["big"], "must be an integer from 0 to 10");
  EXPECT_EQ(by_field["missing"], "is required");
  EXPECT_EQ(by_field["items[0].q"], "must be an integer from 1 to 9");
  EXPECT_EQ(by_field["items[1]"], "must be an object, not number");
  EXPECT_EQ(by_field["status"], "is derived by the server and must not be sent");
  EXPECT_EQ(by_field["zzz"], "is not a known field");
  EXPECT_EQ(by_field.size(), errors.size()) << "one problem per field";
  auto problems = ErrorsOf([&] { ThrowIfInvalid(errors); });
  ASSERT_TRUE(problems.is_array());
  EXPECT_EQ(problems.size(), errors.size());
  EXPECT_NO_THROW(ThrowIfInvalid({}));
}

TEST(QueryReaderTest, ReadsPagingAndRejectsUnknownParameters) {
  RequestContext ctx;
  ctx.query = {{"limit", "10"}, {"offset", "20"}, {"customerId", "6f1c1a2e-8f6e-4a8e-9a57-0a8c7b1d2e3f"}};
  std::vector<FieldError> errors;
  QueryReader query(ctx, errors);
  auto page = query.Page();
  EXPECT_TRUE(query.Uuid("customerId").has_value());
  query.RejectUnknown();
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(page.limit, 10);
  EXPECT_EQ(page.offset, 20);

  RequestContext bad;
  bad.query = {{"limit", "0"}, {"offset", "-1"}, {"customerId", "x"}, {"sort", "name"}, {"threshold", "1e3"}};
  std::vector<FieldError> bad_errors;
  QueryReader bad_query(bad, bad_errors);
  (void)bad_query.Page();
  (void)bad_query.Uuid("customerId");
  (void)bad_query.Integer("threshold", 0, 100);
  bad_query.RejectUnknown();
  EXPECT_EQ(bad_errors.size(), 5U);
}

TEST(QueryReaderTest, ReadsAListOfUuidsInOrderWithoutDuplicates) {
  const std::string a = "6f1c1a2e-8f6e-4a8e-9a57-0a8c7b1d2e3f";
  const std::string b = "01a25178-1a9b-73a4-9200-ddce8ff5389f";
  RequestContext ctx;
  ctx.query = {{"ids", b + "," + a + "," + b}};
  std::vector<FieldError> errors;
  QueryReader query(ctx, errors);
  const auto ids = query.Uuids("ids", 3);
  ASSERT_TRUE(ids.has_value());
  ASSERT_EQ(ids->size(), 2U);
  EXPECT_EQ((*ids)[0].ToString(), b);
  EXPECT_EQ((*ids)[1].ToString(), a);
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(QueryReader(ctx, errors).Uuids("other", 3).has_value()) << "absent: nothing, no error";
  EXPECT_TRUE(errors.empty());
  for (const std::string& bad :
       {std::string(""), a + ",", "," + a, a + ",x", a + "," + b + ",01a25178-1a9b-73a4-9200-000000000000"}) {
    RequestContext bad_ctx;
    bad_ctx.query = {{"ids", bad}};
    std::vector<FieldError> bad_errors;
    EXPECT_FALSE(QueryReader(bad_ctx, bad_errors).Uuids("ids", 2).has_value()) << bad;
    EXPECT_EQ(bad_errors.size(), 1U) << bad;
  }
}

TEST(PathIdTest, RefusesNonUuids) {
  RequestContext ctx;
  ctx.path_params = {{"id", "6f1c1a2e-8f6e-4a8e-9a57-0a8c7b1d2e3f"}};
  EXPECT_EQ(PathId<core::OrderId>(ctx, "id").Get().ToString(), "6f1c1a2e-8f6e-4a8e-9a57-0a8c7b1d2e3f");
  ctx.path_params = {{"id", "123"}};
  EXPECT_EQ(StatusOf([&] { (void)PathId<core::OrderId>(ctx, "id"); }), Status::bad_request);
}

}  // namespace
}  // namespace saga::http
