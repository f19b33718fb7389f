// The commands over a fake transport: what each sends, what it prints, which exit code it
// returns (the same commands against the real services: sagactl_e2etest).
#include <gtest/gtest.h>

#include <sstream>

#include "saga/sagactl/commands.hpp"

namespace saga::sagactl {
namespace {

struct Sent {
  std::string service;
  std::string method;
  std::string target;
  std::string body;
  std::map<std::string, std::string> headers;
};

class SagactlCommandsTest : public ::testing::Test {
 protected:
  SagactlCommandsTest() {
    context_.out = &out_;
    context_.err = &err_;
    context_.connection.token = "t0ken";
    context_.make_transport = [this](Service service, const std::string&,
                                     const Context& context) -> Transport {
      EXPECT_EQ(context.Authorization(), "Bearer t0ken");
      return [this, service](const std::string& method, const std::string& target, const std::string& body,
                             const std::map<std::string, std::string>& headers) {
        sent_.push_back({Name(service), method, target, body, headers});
        const auto it = answers_.find(method + " " + target);
        http::ClientReply reply;
        if (it == answers_.end()) {
          reply.status = 404;
          reply.body = R"({"title":"Not Found","status":404,"detail":"no such thing"})";
        } else {
          reply.status = it->second.first;
          reply.body = it->second.second.dump();
        }
        return reply;
      };
    };
    AddConnectionOptions(app_, context_);
    AddOrderCommands(app_, context_);
    AddInventoryCommands(app_, context_);
    AddPaymentCommands(app_, context_);
    AddSagaCommands(app_, context_);
    AddDeadLetterCommands(app_, context_);
    app_.require_subcommand(1);
  }

  int Run(std::vector<std::string> args) {
    args.insert(args.begin(), "sagactl");
    std::vector<const char*> argv;
    argv.reserve(args.size());
    for (const auto& arg : args) argv.push_back(arg.c_str());
    return Main(app_, context_, static_cast<int>(argv.size()), argv.data());
  }

  void Answer(const std::string& call, int status, const Json& body) { answers_[call] = {status, body}; }

  CLI::App app_{"sagactl"};
  Context context_;
  std::ostringstream out_;
  std::ostringstream err_;
  std::map<std::string, std::pair<int, Json>> answers_;
  std::vector<Sent> sent_;
};

TEST_F(SagactlCommandsTest, CreateSendsTheOrderWithAnIdempotencyKey) {
  Answer("POST /api/orders", 202, Json{{"id", "o-1"}, {"status", "Created"}});
  EXPECT_EQ(Run({"orders", "create", "--customer", "c-1", "--item", "p-1:2", "--item", "p-2:1",
                 "--payment-token", "tok_sim_approve", "--idempotency-key", "k-1"}),
            0)
      << err_.str();
  ASSERT_EQ(sent_.size(), 1U);
  EXPECT_EQ(sent_[0].service, "order");
  EXPECT_EQ(Json::parse(sent_[0].body),
            Json::parse(R"({"customerId":"c-1","items":[{"productId":"p-1","quantity":2},)"
                        R"({"productId":"p-2","quantity":1}],"paymentToken":"tok_sim_approve"})"));
  EXPECT_EQ(sent_[0].headers.at("Idempotency-Key"), "k-1");
  EXPECT_NE(out_.str().find("order o-1 accepted (Idempotency-Key k-1)"), std::string::npos) << out_.str();
}

TEST_F(SagactlCommandsTest, ABadItemIsAUsageErrorBeforeAnyCall) {
  EXPECT_EQ(Run({"orders", "create", "--customer", "c", "--item", "p-1", "--payment-token", "t"}), 2);
  EXPECT_TRUE(sent_.empty());
  EXPECT_NE(err_.str().find("--item 'p-1' is not PRODUCT_ID:QUANTITY"), std::string::npos) << err_.str();
}

TEST_F(SagactlCommandsTest, NotFoundIsExit4WithOneLine) {
  EXPECT_EQ(Run({"orders", "get", "nope"}), 4);
  EXPECT_EQ(err_.str(), "sagactl: 404 Not Found: GET /api/orders/nope (order service): no such thing\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(SagactlCommandsTest, ListFiltersBecomeQueryParametersAndJsonIsTheRawDocument) {
  const Json page{{"items", Json::array({Json{{"id", "o-1"}, {"status", "Failed"}}})},
                  {"total", 1},
                  {"limit", 5},
                  {"offset", 0}};
  Answer("GET /api/orders?status=Failed&limit=5", 200, page);
  EXPECT_EQ(Run({"orders", "list", "--status", "Failed", "--limit", "5", "--json"}), 0) << err_.str();
  EXPECT_EQ(Json::parse(out_.str()), page);
}

TEST_F(SagactlCommandsTest, CancelAndPaymentActionsSendIfMatch) {
  Answer("PUT /api/orders/o-1/cancel", 202, Json{{"id", "o-1"}});
  Answer("POST /api/payments/p-1/fail", 200, Json{{"id", "p-1"}});
  EXPECT_EQ(Run({"orders", "cancel", "o-1", "--if-version", "3"}), 0);
  EXPECT_EQ(Run({"payments", "fail", "p-1", "--reason", "fraud"}), 0);
  ASSERT_EQ(sent_.size(), 2U);
  EXPECT_EQ(sent_[0].headers.at("If-Match"), "\"3\"");
  EXPECT_EQ(sent_[0].body, "{}");
  EXPECT_EQ(sent_[1].service, "payment");
  EXPECT_EQ(sent_[1].body, R"({"reason":"fraud"})");
  EXPECT_EQ(sent_[1].headers.count("If-Match"), 0U);
}

TEST_F(SagactlCommandsTest, WatchEndsWithTheExitCodeOfTheTerminalStatus) {
  Answer("GET /api/orders/o-1/status", 200, Json{{"id", "o-1"}, {"status", "Failed"}, {"updatedAt", "t1"}});
  EXPECT_EQ(Run({"orders", "watch", "o-1"}), 8);
  EXPECT_EQ(out_.str(), "t1  Failed\n");
  Answer("GET /api/orders/o-2/status", 200, Json{{"id", "o-2"}, {"status", "Created"}, {"updatedAt", "t0"}});
  EXPECT_EQ(Run({"orders", "watch", "o-2", "--timeout-s", "1", "--interval-ms", "50"}), 10);
  EXPECT_NE(err_.str().find("order o-2 still Created after 1 s"), std::string::npos) << err_.str();
}

TEST_F(SagactlCommandsTest, BatchRetryByFilterListsThenActsOnEachAndReportsFailures) {
  Answer("GET /api/sagas?state=ProcessingPayment&minAgeS=60", 200,
         Json::parse(R"({"state":"ProcessingPayment","counts":{"ProcessingPayment":2},
                         "items":[{"orderId":"o-1","state":"ProcessingPayment"},
                                  {"orderId":"o-2","state":"ProcessingPayment"}]})"));
  Answer("POST /api/orders/o-1/saga/retry", 202, Json{{"orderId", "o-1"}, {"state", "ProcessingPayment"}});
  Answer("POST /api/orders/o-2/saga/retry", 409,
         Json{{"title", "Conflict"}, {"detail", "the saga is at rest"}});
  EXPECT_EQ(Run({"sagas", "retry", "--state", "ProcessingPayment", "--min-age-s", "60", "--yes", "--json"}),
            5)
      << "the one failure was a conflict";
  EXPECT_EQ(
      err_.str(),
      "sagactl: o-2: 409 Conflict: POST /api/orders/o-2/saga/retry (order service): the saga is at rest\n");
  const auto results = Json::parse(out_.str());
  ASSERT_EQ(results.size(), 2U) << out_.str();
  EXPECT_EQ(results[0]["ok"], true);
  EXPECT_EQ(results[1]["ok"], false);
  EXPECT_EQ(results[1]["exit"], 5);
  EXPECT_EQ(sent_.size(), 3U);
}

TEST_F(SagactlCommandsTest, BatchDryRunActsOnNothingAndIdsExcludeAFilter) {
  Answer("GET /api/sagas?state=Failed", 200,
         Json::parse(R"({"state":"Failed","counts":{},"items":[{"orderId":"o-1","state":"Failed"}]})"));
  EXPECT_EQ(Run({"sagas", "compensate", "--state", "Failed", "--dry-run"}), 0) << err_.str();
  EXPECT_NE(out_.str().find("dry run: would compensate 1 saga(s)"), std::string::npos) << out_.str();
  EXPECT_EQ(sent_.size(), 1U);
  EXPECT_EQ(Run({"sagas", "retry", "o-1", "--state", "Failed"}), 2);
  EXPECT_EQ(Run({"sagas", "retry"}), 2);
}

TEST_F(SagactlCommandsTest, CompensateByIdSendsTheReason) {
  Answer("POST /api/orders/o-1/saga/compensate", 202,
         Json{{"orderId", "o-1"}, {"state", "ReleasingInventory"}});
  EXPECT_EQ(Run({"sagas", "compensate", "o-1", "--reason", "stuck"}), 0) << err_.str();
  EXPECT_EQ(sent_.at(0).body, R"({"reason":"stuck"})");
  EXPECT_NE(out_.str().find("o-1  ok      ReleasingInventory"), std::string::npos) << out_.str();
}

TEST_F(SagactlCommandsTest, ReplayAllPagesThroughThePendingDeadLettersOfATopic) {
  Json first = Json::parse(R"({"total":201,"limit":200,"offset":0,"items":[]})");
  for (int i = 0; i < 200; ++i) first["items"].push_back(Json{{"id", i + 1}, {"status", "pending"}});
  Answer("GET /api/dead-letters?topic=t.dlq&status=pending&limit=200&offset=0", 200, first);
  Answer("GET /api/dead-letters?topic=t.dlq&status=pending&limit=200&offset=200", 200,
         Json::parse(R"({"total":201,"limit":200,"offset":200,"items":[{"id":201,"status":"pending"}]})"));
  for (int i = 1; i <= 201; ++i) {
    Answer("POST /api/dead-letters/" + std::to_string(i) + "/replay", 202,
           Json{{"id", i}, {"status", "replayed"}});
  }
  EXPECT_EQ(Run({"dead-letters", "replay", "--service", "inventory", "--all", "--topic", "t.dlq", "--yes"}),
            0)
      << err_.str();
  EXPECT_EQ(sent_.size(), 203U);
  EXPECT_EQ(sent_.back().service, "inventory");
  EXPECT_NE(out_.str().find("replay: 201 ok, 0 failed"), std::string::npos);
}

TEST_F(SagactlCommandsTest, DeadLetterUsageErrors) {
  EXPECT_EQ(Run({"dead-letters", "replay", "--service", "inventory", "--all"}), 2) << "--all needs --topic";
  EXPECT_EQ(Run({"dead-letters", "list", "--service", "shipping"}), 2);
  EXPECT_TRUE(sent_.empty());
}

TEST_F(SagactlCommandsTest, NoTokenAndNoKeyIsAConfigurationError) {
  context_.connection.token.clear();
  context_.connection.dev_key_file = "/nonexistent/key";
  context_.make_transport = [](Service, const std::string&, const Context& context) -> Transport {
    (void)context.Authorization();
    return {};
  };
  EXPECT_EQ(Run({"inventory", "list"}), 2);
  EXPECT_NE(err_.str().find("/nonexistent/key"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace saga::sagactl
