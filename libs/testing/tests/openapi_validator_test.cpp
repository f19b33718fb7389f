#include "saga/testing/openapi_validator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace saga::testing {
namespace {

using nlohmann::json;

// An orders API shaped like ours: shared schemas and responses reached through $ref.
json OrdersDocument() {
  return json::parse(R"json({
    "openapi": "3.0.3",
    "info": {"title": "orders", "version": "1"},
    "paths": {
      "/api/orders": {
        "get": {"responses": {"200": {"description": "all",
          "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}}}}}}},
        "post": {"responses": {
          "201": {"description": "created",
                  "headers": {"Location": {"required": true, "schema": {"type": "string"}},
                              "X-Trace": {"schema": {"type": "string"}}},
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
          "4XX": {"$ref": "#/components/responses/Problem"}}}
      },
      "/api/orders/{id}": {
        "get": {"responses": {
          "200": {"description": "one", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
          "404": {"$ref": "#/components/responses/Problem"},
          "default": {"description": "anything else", "content": {"text/plain": {"schema": {"type": "string"}}}}}},
        "delete": {"responses": {"204": {"description": "deleted"}}}
      },
      "/api/inventory/{sku}": {"get": {"responses": {"200": {"description": "item"}}}},
      "/api/inventory/low-stock": {"get": {"responses": {"200": {"description": "low"}}}},
      "/api/inventory/{sku}/reservations": {"$ref": "#/components/pathItems/Reservations"}
    },
    "components": {
      "pathItems": {"Reservations": {"get": {"responses": {"200": {"description": "r"}}}}},
      "schemas": {
        "Order": {
          "type": "object", "required": ["id", "status", "items"], "additionalProperties": false,
          "description": "an order", "example": {"$ref": "not a reference: examples are data"},
          "properties": {
            "id": {"type": "string", "format": "uuid", "readOnly": true},
            "status": {"$ref": "#/components/schemas/OrderStatus"},
            "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/OrderItem"}},
            "createdAt": {"type": "string", "format": "date-time"},
            "note": {"type": "string", "nullable": true}}},
        "OrderStatus": {"type": "string", "enum": ["Submitted", "Paid", "Cancelled"]},
        "OrderItem": {"type": "object", "required": ["productId", "quantity"],
          "properties": {"productId": {"type": "string", "format": "uuid"},
                         "quantity": {"type": "integer", "minimum": 1}}},
        "Problem": {"type": "object", "required": ["title", "status"],
          "properties": {"title": {"type": "string"}, "status": {"type": "integer"}}},
        "a/b~c": {"type": "integer"},
        "{braced}": {"type": "boolean"}
      },
      "responses": {
        "Problem": {"description": "problem",
          "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}
    }
  })json");
}

const OpenApiValidator& Orders() {
  static const OpenApiValidator validator(OrdersDocument());
  return validator;
}

std::vector<std::string> Check(std::string_view schema, std::string_view value) {
  return Orders().ValidateValue(json::parse(schema), json::parse(value), "v");
}

std::string Join(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& problem : problems) out += problem + "\n";
  return out;
}

// Exactly one problem, containing `needle`.
::testing::AssertionResult OneProblem(const std::vector<std::string>& problems, std::string_view needle) {
  if (problems.size() == 1 && problems[0].find(needle) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "expected one problem containing '" << needle << "', got " << problems.size() << ":\n"
         << Join(problems);
}

::testing::AssertionResult NoProblems(const std::vector<std::string>& problems) {
  if (problems.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "unexpected problems:\n" << Join(problems);
}

const std::string kOrderJson = R"({"id": "0b6f2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b", "status": "Paid",
  "items": [{"productId": "7d9e1f20-3a4b-4c5d-9e8f-a0b1c2d3e4f5", "quantity": 2}],
  "createdAt": "2026-11-24T23:59:59.123456Z", "note": null})";

std::map<std::string, std::string> JsonHeaders() {
  return {{"Content-Type", "application/json"}};
}

// --- construction ---------------------------------------------------------------------------------

TEST(OpenApiValidatorTest, AcceptsOpenApi3Document) {
  EXPECT_NO_THROW(OpenApiValidator{OrdersDocument()});
}

TEST(OpenApiValidatorTest, RejectsWhatIsNotAnOpenApi3Document) {
  EXPECT_THROW(OpenApiValidator(json::array()), std::invalid_argument);
  EXPECT_THROW(OpenApiValidator(json{{"paths", json::object()}}), std::invalid_argument);
  EXPECT_THROW(OpenApiValidator(json{{"openapi", "2.0"}, {"paths", json::object()}}), std::invalid_argument);
  EXPECT_THROW(OpenApiValidator(json{{"openapi", 3}, {"paths", json::object()}}), std::invalid_argument);
  EXPECT_THROW(OpenApiValidator(json{{"openapi", "3.0.3"}}), std::invalid_argument);
  EXPECT_THROW(OpenApiValidator(json{{"openapi", "3.0.3"}, {"paths", json::array()}}), std::invalid_argument);
  EXPECT_NO_THROW(OpenApiValidator(json{{"openapi", "3.0.0"}, {"paths", json::object()}}));
}

TEST(OpenApiValidatorTest, ThrowsOnUnresolvableRefAnywhereInTheDocument) {
  json missing_schema = OrdersDocument();
  missing_schema["components"]["schemas"]["OrderItem"]["properties"]["quantity"] = {
      {"$ref", "#/components/schemas/Quantity"}};
  EXPECT_THROW(OpenApiValidator{missing_schema}, std::invalid_argument);

  json missing_response = OrdersDocument();
  missing_response["paths"]["/api/orders/{id}"]["get"]["responses"]["404"] = {
      {"$ref", "#/components/responses/NotFound"}};
  EXPECT_THROW(OpenApiValidator{missing_response}, std::invalid_argument);

  json remote = OrdersDocument();
  remote["components"]["schemas"]["Remote"] = {{"$ref", "common.yaml#/components/schemas/Problem"}};
  EXPECT_THROW(OpenApiValidator{remote}, std::invalid_argument);

  json bad_index = OrdersDocument();
  bad_index["components"]["schemas"]["Second"] = {{"$ref", "#/components/schemas/Order/required/7"}};
  EXPECT_THROW(OpenApiValidator{bad_index}, std::invalid_argument);

  json cycle = OrdersDocument();
  cycle["components"]["schemas"]["A"] = {{"$ref", "#/components/schemas/B"}};
  cycle["components"]["schemas"]["B"] = {{"$ref", "#/components/schemas/A"}};
  EXPECT_THROW(OpenApiValidator{cycle}, std::invalid_argument);
}

TEST(OpenApiValidatorTest, ResolvesEscapedAndIndexedRefs) {
  EXPECT_TRUE(NoProblems(Check(R"({"$ref": "#/components/schemas/a~1b~0c"})", "1")));
  EXPECT_TRUE(
      OneProblem(Check(R"({"$ref": "#/components/schemas/a~1b~0c"})", "true"), "v: expected integer"));
  EXPECT_TRUE(OneProblem(Check(R"({"$ref": "#/components/schemas/%7Bbraced%7D"})", "1"), "expected boolean"));
  EXPECT_TRUE(OneProblem(Check(R"({"$ref": "#/components/schemas/Order/properties/items/items"})",
                               R"({"productId": "0b6f2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"})"),
                         "v: missing required property 'quantity'"));
  EXPECT_TRUE(OneProblem(Check(R"({"$ref": "#/components/schemas/Nope"})", "1"), "unresolvable $ref"));
}

// --- schema keywords ------------------------------------------------------------------------------

TEST(OpenApiValidatorTest, Type) {
  EXPECT_TRUE(NoProblems(Check(R"({"type": "object"})", "{}")));
  EXPECT_TRUE(OneProblem(Check(R"({"type": "object"})", "[]"), "v: expected object, got array"));
  EXPECT_TRUE(NoProblems(Check(R"({"type": "array"})", "[1]")));
  EXPECT_TRUE(OneProblem(Check(R"({"type": "array"})", "{}"), "expected array, got object"));
  EXPECT_TRUE(NoProblems(Check(R"({"type": "string"})", R"("x")")));
  EXPECT_TRUE(OneProblem(Check(R"({"type": "string"})", "1"), "expected string, got integer"));
  EXPECT_TRUE(NoProblems(Check(R"({"type": "integer"})", "-3")));
  EXPECT_TRUE(OneProblem(Check(R"({"type": "integer"})", "1.5"), "expected integer, got number"));
  EXPECT_TRUE(OneProblem(Check(R"({"type": "integer"})", "1.0"), "expected integer"));
  EXPECT_TRUE(NoProblems(Check(R"({"type": "number"})", "1.5")));
  EXPECT_TRUE(NoProblems(Check(R"({"type": "number"})", "7")));
  EXPECT_TRUE(OneProblem(Check(R"({"type": "number"})", R"("7")"), "expected number, got string"));
  EXPECT_TRUE(NoProblems(Check(R"({"type": "boolean"})", "false")));
  EXPECT_TRUE(OneProblem(Check(R"({"type": "boolean"})", "0"), "expected boolean"));
}

TEST(OpenApiValidatorTest, NullableAllowsNullOnlyWhenTrue) {
  EXPECT_TRUE(NoProblems(Check(R"({"type": "string", "nullable": true})", "null")));
  EXPECT_TRUE(NoProblems(Check(R"({"type": "string", "nullable": true})", R"("x")")));
  EXPECT_TRUE(OneProblem(Check(R"({"type": "string"})", "null"), "expected string, got null"));
  EXPECT_TRUE(OneProblem(Check(R"({"type": "string", "nullable": false})", "null"), "got null"));
  EXPECT_TRUE(NoProblems(
      Check(R"({"allOf": [{"$ref": "#/components/schemas/Problem"}], "nullable": true})", "null")));
}

TEST(OpenApiValidatorTest, Enum) {
  EXPECT_TRUE(NoProblems(Check(R"({"$ref": "#/components/schemas/OrderStatus"})", R"("Paid")")));
  EXPECT_TRUE(OneProblem(Check(R"({"$ref": "#/components/schemas/OrderStatus"})", R"("paid")"),
                         R"(v: "paid" is not one of ["Submitted","Paid","Cancelled"])"));
  EXPECT_TRUE(NoProblems(Check(R"({"enum": [1, 2]})", "2")));
  EXPECT_TRUE(OneProblem(Check(R"({"enum": [1, 2]})", "3"), "not one of"));
}

TEST(OpenApiValidatorTest, PropertiesAndRequiredNameTheJsonPath) {
  EXPECT_TRUE(NoProblems(
      Orders().ValidateValue(json{{"$ref", "#/components/schemas/Order"}}, json::parse(kOrderJson), "body")));
  json order = json::parse(kOrderJson);
  order["items"][0].erase("productId");
  order["items"].push_back({{"productId", "7d9e1f20-3a4b-4c5d-9e8f-a0b1c2d3e4f5"}, {"quantity", "2"}});
  order.erase("status");
  auto problems = Orders().ValidateValue(json{{"$ref", "#/components/schemas/Order"}}, order, "body");
  ASSERT_EQ(problems.size(), 3u) << Join(problems);
  EXPECT_EQ(problems[0], "body: missing required property 'status'");
  EXPECT_EQ(problems[1], "body.items[0]: missing required property 'productId'");
  EXPECT_EQ(problems[2], "body.items[1].quantity: expected integer, got string");
}

TEST(OpenApiValidatorTest, AdditionalProperties) {
  EXPECT_TRUE(NoProblems(Check(R"({"properties": {"a": {"type": "integer"}}})", R"({"a": 1, "b": "x"})")));
  EXPECT_TRUE(NoProblems(
      Check(R"({"properties": {"a": {}}, "additionalProperties": true})", R"({"a": 1, "b": "x"})")));
  EXPECT_TRUE(
      OneProblem(Check(R"({"properties": {"a": {}}, "additionalProperties": false})", R"({"a": 1, "b": 2})"),
                 "v: unexpected property 'b'"));
  EXPECT_TRUE(NoProblems(Check(R"({"additionalProperties": {"type": "integer"}})", R"({"x": 1, "y": 2})")));
  EXPECT_TRUE(OneProblem(Check(R"({"additionalProperties": {"type": "integer"}})", R"({"x": 1, "y": "2"})"),
                         "v.y: expected integer"));
}

TEST(OpenApiValidatorTest, ItemsAndArrayLength) {
  const char* schema = R"({"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "integer"}})";
  EXPECT_TRUE(NoProblems(Check(schema, "[1, 2]")));
  EXPECT_TRUE(OneProblem(Check(schema, "[]"), "fewer than minItems 1"));
  EXPECT_TRUE(OneProblem(Check(schema, "[1, 2, 3]"), "more than maxItems 2"));
  EXPECT_TRUE(OneProblem(Check(schema, R"([1, "2"])"), "v[1]: expected integer"));
}

TEST(OpenApiValidatorTest, StringLengthCountsCodePoints) {
  const char* schema = R"({"type": "string", "minLength": 2, "maxLength": 5})";
  EXPECT_TRUE(NoProblems(Check(schema, "\"h\xC3\xA9llo\"")));  // 5 code points, 6 bytes
  EXPECT_TRUE(NoProblems(Check(schema, "\"\xE2\x82\xAC\xE2\x82\xAC\"")));
  EXPECT_TRUE(OneProblem(Check(schema, R"("a")"), "shorter than minLength 2"));
  EXPECT_TRUE(OneProblem(Check(schema, R"("abcdef")"), "longer than maxLength 5"));
}

TEST(OpenApiValidatorTest, PatternUsesEcmaScriptWithAnchorsAsWritten) {
  EXPECT_TRUE(NoProblems(Check(R"({"pattern": "^SKU-[0-9]{3}$"})", R"("SKU-042")")));
  EXPECT_TRUE(
      OneProblem(Check(R"({"pattern": "^SKU-[0-9]{3}$"})", R"("SKU-0420")"), "does not match pattern"));
  EXPECT_TRUE(NoProblems(Check(R"({"pattern": "\\d"})", R"("ab1c")")));  // unanchored: search
  EXPECT_TRUE(OneProblem(Check(R"({"pattern": "\\d"})", R"("abc")"), "does not match pattern '\\d'"));
  EXPECT_TRUE(OneProblem(Check(R"({"pattern": "(unclosed"})", R"("x")"), "invalid pattern"));
  EXPECT_TRUE(NoProblems(Check(R"({"pattern": "^x$"})", "1")));  // string keywords skip other types
}

TEST(OpenApiValidatorTest, MinimumAndMaximum) {
  const char* inclusive = R"({"type": "number", "minimum": 1, "maximum": 10})";
  EXPECT_TRUE(NoProblems(Check(inclusive, "1")));
  EXPECT_TRUE(NoProblems(Check(inclusive, "10")));
  EXPECT_TRUE(OneProblem(Check(inclusive, "0.5"), "v: 0.5 is less than minimum 1"));
  EXPECT_TRUE(OneProblem(Check(inclusive, "11"), "11 is greater than maximum 10"));
  const char* exclusive =
      R"({"type": "number", "minimum": 1, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true})";
  EXPECT_TRUE(NoProblems(Check(exclusive, "1.5")));
  EXPECT_TRUE(OneProblem(Check(exclusive, "1"), "less than or equal to minimum 1"));
  EXPECT_TRUE(OneProblem(Check(exclusive, "10"), "greater than or equal to maximum 10"));
  EXPECT_TRUE(NoProblems(Check(R"({"minimum": 1, "exclusiveMinimum": false})", "1")));
}

TEST(OpenApiValidatorTest, FormatUuid) {
  const char* schema = R"({"type": "string", "format": "uuid"})";
  EXPECT_TRUE(NoProblems(Check(schema, R"("0b6f2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b")")));
  EXPECT_TRUE(NoProblems(Check(schema, R"("0B6F2A4E-1C3D-4E5F-8A9B-0C1D2E3F4A5B")")));
  EXPECT_TRUE(OneProblem(Check(schema, R"("0b6f2a4e1c3d4e5f8a9b0c1d2e3f4a5b")"), "is not a uuid"));
  EXPECT_TRUE(OneProblem(Check(schema, R"("0b6f2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5g")"), "is not a uuid"));
  EXPECT_TRUE(OneProblem(Check(schema, R"("{0b6f2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b}")"), "is not a uuid"));
}

TEST(OpenApiValidatorTest, FormatDateTime) {
  const char* schema = R"({"type": "string", "format": "date-time"})";
  for (const char* ok : {R"("2026-11-24T23:59:59.123456Z")", R"("2026-11-24T23:59:59+01:00")",
                         R"("2024-02-29T00:00:00-05:30")", R"("2026-06-30t12:00:00z")"}) {
    EXPECT_TRUE(NoProblems(Check(schema, ok))) << ok;
  }
  for (const char* bad :
       {R"("2026-11-24T23:59:59")", R"("2026-11-24 23:59:59Z")", R"("2026-13-01T00:00:00Z")",
        R"("2025-02-29T00:00:00Z")", R"("2026-11-24T24:00:00Z")", R"("2026-11-24T23:59:59.Z")",
        R"("2026-11-24T23:59:59+0100")", R"("2026-11-24")", R"("2026-11-24T23:59:59Zjunk")"}) {
    EXPECT_TRUE(OneProblem(Check(schema, bad), "is not an RFC 3339 date-time")) << bad;
  }
}

TEST(OpenApiValidatorTest, OtherFormatsAndUnknownKeywordsAreIgnored) {
  EXPECT_TRUE(NoProblems(Check(R"({"type": "string", "format": "email"})", R"("not an email")")));
  EXPECT_TRUE(NoProblems(Check(R"({"type": "integer", "description": "d", "example": 3, "readOnly": true,
                                  "x-internal": {"$ref": "#/nowhere"}, "discriminator": {"propertyName": "t"}})",
                               "3")));
  EXPECT_TRUE(NoProblems(Check("{}", R"({"anything": [null]})")));
}

TEST(OpenApiValidatorTest, AllOf) {
  const char* schema = R"({"allOf": [{"$ref": "#/components/schemas/Problem"},
                                      {"properties": {"detail": {"type": "string"}}}]})";
  EXPECT_TRUE(NoProblems(Check(schema, R"({"title": "t", "status": 409, "detail": "d"})")));
  auto problems = Check(schema, R"({"title": "t", "detail": 1})");
  ASSERT_EQ(problems.size(), 2u) << Join(problems);
  EXPECT_EQ(problems[0], "v: missing required property 'status'");
  EXPECT_EQ(problems[1], "v.detail: expected string, got integer");
}

TEST(OpenApiValidatorTest, OneOfNeedsExactlyOneMatch) {
  const char* schema =
      R"({"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}, {"type": "string"}]})";
  EXPECT_TRUE(NoProblems(Check(schema, "3")));
  EXPECT_TRUE(NoProblems(Check(schema, "10.5")));
  EXPECT_TRUE(NoProblems(Check(schema, R"("x")")));
  EXPECT_TRUE(
      OneProblem(Check(schema, "12"), "matches 2 oneOf alternatives (#0, #1); exactly one must match"));
  EXPECT_TRUE(
      OneProblem(Check(schema, "true"), "v: matches none of the oneOf alternatives (#0 v: expected integer"));
}

TEST(OpenApiValidatorTest, AnyOfNeedsAtLeastOneMatch) {
  const char* schema = R"({"anyOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]})";
  EXPECT_TRUE(NoProblems(Check(schema, "12")));
  EXPECT_TRUE(NoProblems(Check(schema, "10.5")));
  EXPECT_TRUE(OneProblem(Check(schema, "1.5"), "matches none of the anyOf alternatives"));
}

TEST(OpenApiValidatorTest, EmptyWhereHasNoPrefix) {
  auto problems = Orders().ValidateValue(json{{"type", "integer"}}, "x", "");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "expected integer, got string");
}

// --- paths and operations -------------------------------------------------------------------------

TEST(OpenApiValidatorTest, MatchPath) {
  EXPECT_EQ(Orders().MatchPath("/api/orders"), "/api/orders");
  EXPECT_EQ(Orders().MatchPath("/api/orders/123"), "/api/orders/{id}");
  EXPECT_EQ(Orders().MatchPath("/api/orders/123?expand=items#top"), "/api/orders/{id}");
  EXPECT_EQ(Orders().MatchPath("/api/orders?status=Paid"), "/api/orders");
  EXPECT_EQ(Orders().MatchPath("/api/inventory/low-stock"), "/api/inventory/low-stock");
  EXPECT_EQ(Orders().MatchPath("/api/inventory/SKU-1"), "/api/inventory/{sku}");
  EXPECT_EQ(Orders().MatchPath("/api/inventory/low-stock/reservations"), "/api/inventory/{sku}/reservations");
  EXPECT_EQ(Orders().MatchPath("/api/orders/"), std::nullopt);  // a parameter is never empty
  EXPECT_EQ(Orders().MatchPath("/api/orders/1/2"), std::nullopt);
  EXPECT_EQ(Orders().MatchPath("/api/payments"), std::nullopt);
}

TEST(OpenApiValidatorTest, LiteralSegmentWinsWhereTemplatesFirstDiffer) {
  OpenApiValidator validator(json{
      {"openapi", "3.0.3"},
      {"paths", {{"/a/{x}/c", json::object()}, {"/a/b/{y}", json::object()}, {"/{z}/b/c", json::object()}}}});
  EXPECT_EQ(validator.MatchPath("/a/b/c"), "/a/b/{y}");
  EXPECT_EQ(validator.MatchPath("/a/q/c"), "/a/{x}/c");
  EXPECT_EQ(validator.MatchPath("/q/b/c"), "/{z}/b/c");
}

TEST(OpenApiValidatorTest, OperationsListsEveryMethodAndPathTemplate) {
  std::set<std::pair<std::string, std::string>> expected = {
      {"GET", "/api/orders"},
      {"POST", "/api/orders"},
      {"GET", "/api/orders/{id}"},
      {"DELETE", "/api/orders/{id}"},
      {"GET", "/api/inventory/{sku}"},
      {"GET", "/api/inventory/low-stock"},
      {"GET", "/api/inventory/{sku}/reservations"},
  };
  EXPECT_EQ(Orders().Operations(), expected);
}

// --- responses ------------------------------------------------------------------------------------

TEST(OpenApiValidatorTest, ConformingResponses) {
  EXPECT_TRUE(
      NoProblems(Orders().ValidateResponse("GET", "/api/orders/123", 200, JsonHeaders(), kOrderJson)));
  EXPECT_TRUE(NoProblems(
      Orders().ValidateResponse("get", "/api/orders?limit=5", 200, JsonHeaders(), "[" + kOrderJson + "]")));
  EXPECT_TRUE(NoProblems(Orders().ValidateResponse("DELETE", "/api/orders/123", 204, {}, "")));
  EXPECT_TRUE(NoProblems(Orders().ValidateResponse("GET", "/api/inventory/low-stock", 200, {}, "")));
  EXPECT_TRUE(NoProblems(Orders().ValidateResponse("GET", "/api/inventory/SKU-1/reservations", 200, {}, "")));
}

TEST(OpenApiValidatorTest, UndocumentedPathOrMethod) {
  EXPECT_TRUE(OneProblem(Orders().ValidateResponse("GET", "/api/payments", 200, {}, ""),
                         "no documented path matches '/api/payments'"));
  EXPECT_TRUE(OneProblem(Orders().ValidateResponse("PUT", "/api/orders/1", 200, {}, ""),
                         "PUT /api/orders/{id} is not documented"));
}

TEST(OpenApiValidatorTest, StatusFallsBackToRangeThenDefault) {
  const std::map<std::string, std::string> problem_headers = {{"Content-Type", "application/problem+json"}};
  const std::string problem = R"({"title": "Conflict", "status": 409})";
  // POST documents "4XX" only.
  EXPECT_TRUE(NoProblems(Orders().ValidateResponse("POST", "/api/orders", 409, problem_headers, problem)));
  EXPECT_TRUE(
      OneProblem(Orders().ValidateResponse("POST", "/api/orders", 422, problem_headers, R"({"status": 422})"),
                 "body: missing required property 'title'"));
  EXPECT_TRUE(OneProblem(
      Orders().ValidateResponse("POST", "/api/orders", 500, problem_headers, problem),
      R"(POST /api/orders: status 500 is not documented (no "500", "5XX" or "default" response))"));
  // GET /api/orders/{id} documents "404" exactly and "default" (text/plain) for everything else.
  EXPECT_TRUE(NoProblems(Orders().ValidateResponse("GET", "/api/orders/1", 404, problem_headers, problem)));
  EXPECT_TRUE(NoProblems(Orders().ValidateResponse("GET", "/api/orders/1", 503,
                                                   {{"content-type", "text/plain"}}, "unavailable")));
  EXPECT_TRUE(
      OneProblem(Orders().ValidateResponse("GET", "/api/orders/1", 503, problem_headers, problem),
                 "Content-Type 'application/problem+json' is not documented (documented: text/plain)"));

  OpenApiValidator lower_case_range(
      json{{"openapi", "3.0.3"},
           {"paths", {{"/x", {{"get", {{"responses", {{"5xx", {{"description", "e"}}}}}}}}}}}});
  EXPECT_TRUE(NoProblems(lower_case_range.ValidateResponse("GET", "/x", 502, {}, "")));
}

TEST(OpenApiValidatorTest, ContentTypeMustBeDocumented) {
  EXPECT_TRUE(OneProblem(
      Orders().ValidateResponse("GET", "/api/orders/1", 200, {{"Content-Type", "text/html"}}, kOrderJson),
      "GET /api/orders/{id} -> 200: Content-Type 'text/html' is not documented (documented: "
      "application/json)"));
  EXPECT_TRUE(OneProblem(Orders().ValidateResponse("GET", "/api/orders/1", 200, {}, kOrderJson),
                         "missing Content-Type header"));
  EXPECT_TRUE(NoProblems(Orders().ValidateResponse(
      "GET", "/api/orders/1", 200, {{"CONTENT-TYPE", "Application/JSON; charset=utf-8"}}, kOrderJson)));
}

TEST(OpenApiValidatorTest, BodyMustBeJsonAndMatchTheSchema) {
  EXPECT_TRUE(OneProblem(Orders().ValidateResponse("GET", "/api/orders/1", 200, JsonHeaders(), "{oops"),
                         "body: not valid JSON"));
  EXPECT_TRUE(OneProblem(Orders().ValidateResponse("GET", "/api/orders/1", 200, JsonHeaders(), ""),
                         "body: not valid JSON"));
  json order = json::parse(kOrderJson);
  order["items"][0]["quantity"] = 0;
  order["extra"] = true;
  auto problems = Orders().ValidateResponse("GET", "/api/orders/1", 200, JsonHeaders(), order.dump());
  ASSERT_EQ(problems.size(), 2u) << Join(problems);
  EXPECT_EQ(problems[0], "body: unexpected property 'extra'");
  EXPECT_EQ(problems[1], "body.items[0].quantity: 0 is less than minimum 1");
}

TEST(OpenApiValidatorTest, BodyMustBeEmptyWithoutDocumentedContent) {
  EXPECT_TRUE(
      OneProblem(Orders().ValidateResponse("DELETE", "/api/orders/1", 204, JsonHeaders(), "{}"),
                 "DELETE /api/orders/{id} -> 204: documented without content, but the body has 2 bytes"));
}

TEST(OpenApiValidatorTest, RequiredHeadersMustBePresentInAnyCase) {
  auto headers = JsonHeaders();
  EXPECT_TRUE(OneProblem(Orders().ValidateResponse("POST", "/api/orders", 201, headers, kOrderJson),
                         "POST /api/orders -> 201: missing required header 'Location'"));
  headers["location"] = "/api/orders/0b6f2a4e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";  // X-Trace is optional
  EXPECT_TRUE(NoProblems(Orders().ValidateResponse("POST", "/api/orders", 201, headers, kOrderJson)));
}

}  // namespace
}  // namespace saga::testing
