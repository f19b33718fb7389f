// The pure parts of sagactl: exit codes, failure messages, tables, input parsing.
#include <gtest/gtest.h>

#include "saga/sagactl/api_client.hpp"
#include "saga/sagactl/exit_codes.hpp"
#include "saga/sagactl/input.hpp"
#include "saga/sagactl/output.hpp"

namespace saga::sagactl {
namespace {

TEST(SagactlExitCodes, MapEveryStatusClass) {
  EXPECT_EQ(ExitForStatus(200), Exit::kOk);
  EXPECT_EQ(ExitForStatus(202), Exit::kOk);
  EXPECT_EQ(ExitForStatus(0), Exit::kUnreachable);
  EXPECT_EQ(ExitForStatus(400), Exit::kUsage);
  EXPECT_EQ(ExitForStatus(401), Exit::kDenied);
  EXPECT_EQ(ExitForStatus(403), Exit::kDenied);
  EXPECT_EQ(ExitForStatus(404), Exit::kNotFound);
  EXPECT_EQ(ExitForStatus(409), Exit::kConflict);
  EXPECT_EQ(ExitForStatus(412), Exit::kConflict);
  EXPECT_EQ(ExitForStatus(422), Exit::kConflict);
  EXPECT_EQ(ExitForStatus(429), Exit::kFailed);
  EXPECT_EQ(ExitForStatus(500), Exit::kFailed);
  EXPECT_EQ(ExitForStatus(503), Exit::kFailed);
  // The documented numbers are what scripts rely on.
  EXPECT_EQ(Code(Exit::kNotFound), 4);
  EXPECT_EQ(Code(Exit::kConflict), 5);
  EXPECT_EQ(Code(Exit::kDenied), 6);
  EXPECT_EQ(Code(Exit::kUnreachable), 7);
  for (int code = 0; code <= 10; ++code) {
    EXPECT_NE(ExitCodesHelp().find((code < 10 ? "  " : " ") + std::to_string(code) + "  "), std::string::npos)
        << code;
  }
}

http::ClientReply Reply(int status, const std::string& body, const std::string& error = {}) {
  http::ClientReply reply;
  reply.status = status;
  reply.body = body;
  reply.error = error;
  return reply;
}

TEST(SagactlFailures, UnreachableNamesTheServiceAndWhy) {
  const auto e = DescribeFailure("order", "https://127.0.0.1:8081", "GET", "/api/orders",
                                 Reply(0, "", "Connection refused"));
  EXPECT_EQ(e.Code(), Exit::kUnreachable);
  EXPECT_STREQ(e.what(), "order service unreachable at https://127.0.0.1:8081 (Connection refused)");
}

TEST(SagactlFailures, ProblemsGiveStatusTitleRouteAndDetail) {
  const auto e =
      DescribeFailure("order", "u", "POST", "/api/orders/x/saga/retry",
                      Reply(403, R"({"type":"urn:saga:problem:forbidden","title":"Forbidden","status":403,)"
                                 R"("detail":"this operation needs the role admin or service"})"));
  EXPECT_EQ(e.Code(), Exit::kDenied);
  EXPECT_STREQ(
      e.what(),
      "403 Forbidden: POST /api/orders/x/saga/retry (order service): this operation needs the role admin or "
      "service");
}

TEST(SagactlFailures, ValidationProblemsListEveryField) {
  const auto e =
      DescribeFailure("order", "u", "POST", "/api/orders",
                      Reply(400, R"({"title":"Bad Request","status":400,"detail":"invalid input","errors":[)"
                                 R"({"field":"items[0].quantity","message":"must be at least 1"},)"
                                 R"({"field":"customerId","message":"must be a UUID"}]})"));
  EXPECT_EQ(e.Code(), Exit::kUsage);
  EXPECT_STREQ(e.what(),
               "400 Bad Request: POST /api/orders (order service): invalid input\n"
               "  items[0].quantity: must be at least 1\n"
               "  customerId: must be a UUID");
}

TEST(SagactlFailures, ABodyThatIsNotAProblemIsShownShort) {
  const auto e = DescribeFailure("payment", "u", "GET", "/x", Reply(502, "<html>bad gateway</html>\n"));
  EXPECT_EQ(e.Code(), Exit::kFailed);
  EXPECT_STREQ(e.what(), "502 Bad Gateway: GET /x (payment service): <html>bad gateway</html>");
  EXPECT_STREQ(DescribeFailure("p", "u", "GET", "/x", Reply(599, "")).what(), "599: GET /x (p service)");
}

TEST(SagactlUrls, EncodeSegmentsAndSkipEmptyParameters) {
  EXPECT_EQ(UrlEncode("a b/c?d&e=f"), "a%20b%2Fc%3Fd%26e%3Df");
  EXPECT_EQ(UrlEncode("Ab-1._~"), "Ab-1._~");
  EXPECT_EQ(QueryString({{"a", ""}, {"b", ""}}), "");
  EXPECT_EQ(QueryString({{"state", "Failed"}, {"minAgeS", ""}, {"topic", "x.dlq"}}),
            "?state=Failed&topic=x.dlq");
}

TEST(SagactlTable, AlignsColumnsWithoutTrailingSpaces) {
  Table table({"id", "status", "x"});
  table.Add({"1", "Completed", ""});
  table.Add({"1234", "Failed"});
  EXPECT_EQ(table.Render(),
            "id    status     x\n"
            "1     Completed\n"
            "1234  Failed     -\n");
}

TEST(SagactlCells, FormatMoneyNullsAndNesting) {
  EXPECT_EQ(Cell(Json{{"amountMinor", 1234}, {"currency", "EUR"}}), "12.34 EUR");
  EXPECT_EQ(Cell(Json(nullptr)), "-");
  EXPECT_EQ(Cell(Json(7)), "7");
  EXPECT_EQ(Cell(Json(true)), "true");
  EXPECT_EQ(Cell(Json{{"a", 1}}), R"({"a":1})");
  EXPECT_EQ(Cell(Json{{"a", 1}}, "b"), "-");
  EXPECT_EQ(Cell(Json::array(), "b"), "-");
}

TEST(SagactlRender, AnObjectThenItsArraysAsTables) {
  const auto order =
      Json::parse(R"({"id":"o-1","status":"Completed","totalAmount":{"amountMinor":500,"currency":"EUR"},
    "items":[{"productId":"p-1","quantity":2},{"productId":"p-22","quantity":1,"note":"x"}],"version":3})");
  EXPECT_EQ(RenderObject(order),
            "id           o-1\n"
            "status       Completed\n"
            "totalAmount  5.00 EUR\n"
            "version      3\n"
            "\n"
            "items (2):\n"
            "productId  quantity  note\n"
            "p-1        2         -\n"
            "p-22       1         x\n");
}

TEST(SagactlRender, ListsPagesAndBatches) {
  const auto page = Json::parse(R"({"items":[{"id":"a","status":"Failed"}],"total":3,"limit":1,"offset":0})");
  EXPECT_EQ(RenderList(page["items"], {"id", "status", "absent"}) + RenderPageFooter(page),
            "id  status  absent\n"
            "a   Failed  -\n"
            "1 of 3 (offset 0)\n");
  std::vector<BatchResult> results(2);
  results[0] = {"o-1", true, Exit::kOk, "ReservingInventory", Json{{"state", "ReservingInventory"}}};
  results[1] = {"o-2", false, Exit::kConflict, "409 Conflict: the saga has ended\n  x: y", Json()};
  EXPECT_EQ(RenderBatch(results, "retry"),
            "id   result  detail\n"
            "o-1  ok      ReservingInventory\n"
            "o-2  FAILED  409 Conflict: the saga has ended   x: y\n"
            "retry: 1 ok, 1 failed\n");
  const auto json = BatchJson(results);
  ASSERT_EQ(json.size(), 2U);
  EXPECT_EQ(json[0]["result"]["state"], "ReservingInventory");
  EXPECT_EQ(json[1]["exit"], 5);
  EXPECT_EQ(RenderBatch({}, "replay"), "replay: 0 ok, 0 failed\n");
  EXPECT_EQ(BatchExit(results), Exit::kConflict) << "every failure was a conflict";
  results.push_back({"o-3", false, Exit::kNotFound, "404", Json()});
  EXPECT_EQ(BatchExit(results), Exit::kFailed) << "failures of different kinds";
  EXPECT_EQ(BatchExit({results[0]}), Exit::kOk);
  EXPECT_EQ(BatchExit({}), Exit::kOk);
}

TEST(SagactlInput, ItemsAndAmounts) {
  EXPECT_EQ(ParseItem("p-1:3"), (Json{{"productId", "p-1"}, {"quantity", 3}}));
  for (const auto* bad : {"p-1", ":3", "p-1:0", "p-1:-2", "p-1:x", "p-1:3x", "p-1:"}) {
    EXPECT_THROW((void)ParseItem(bad), CommandError) << bad;
  }
  EXPECT_EQ(ParseAmount("12"), 1200);
  EXPECT_EQ(ParseAmount("12.5"), 1250);
  EXPECT_EQ(ParseAmount("0.07"), 7);
  for (const auto* bad : {"", "-1", "1.234", "1.", ".5", "1,5", "abc", "99999999999999999999"}) {
    EXPECT_THROW((void)ParseAmount(bad), CommandError) << bad;
  }
}

}  // namespace
}  // namespace saga::sagactl
