// sagactl as a process against the three real services (the shared e2e System, saga running):
// every command group, its human and --json output, and its failures with their exit codes
// (unknown id 4, refused 5, bad token / customer role 6, unreachable or TLS failure 7,
// validation errors naming the field).
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>

#include "saga/core/uuid.hpp"
#include "saga/kafka/producer.hpp"
#include "saga/testing/process.hpp"
#include "saga/testing/test_auth.hpp"
#include "saga/testing/test_env.hpp"
#include "tests/e2e/api_fixture.hpp"

namespace saga::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

[[maybe_unused]] const bool kRegistered = [] {
  RegisterSystem(SystemOptions{});
  return true;
}();

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
  [[nodiscard]] json Json() const { return json::parse(out); }
};

std::ostream& operator<<(std::ostream& os, const CliRun& run) {
  return os << "exit " << run.code << "\n--- stdout\n" << run.out << "--- stderr\n" << run.err;
}

class SagactlE2eTest : public ::testing::Test {
 protected:
  // sagactl with the System's URLs and the tests' development key; `env` overrides.
  static CliRun Sagactl(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env = {}) {
    static int runs = 0;
    const auto base = System::Get().Dir() / ("sagactl-" + std::to_string(runs++));
    std::map<std::string, std::string> all{{"SAGA_ORDER_URL", System::Get().order().Url()},
                                           {"SAGA_INVENTORY_URL", System::Get().inventory().Url()},
                                           {"SAGA_PAYMENT_URL", System::Get().payment().Url()},
                                           {"SAGA_AUTH_SECRET_FILE", testing::AuthKeyFile()},
                                           {"SAGA_TOKEN", ""},
                                           {"SAGA_TLS_CA_FILE", ""},
                                           {"SAGACTL_ERR", base.string() + ".err"}};
    for (const auto& [key, value] : env) all[key] = value;
    // Through sh only to keep stderr apart from stdout (Process writes both to one file).
    std::vector<std::string> sh_args{"-c", R"(exec "$0" "$@" 2>"$SAGACTL_ERR")", SAGACTL_PATH};
    sh_args.insert(sh_args.end(), args.begin(), args.end());
    testing::Process process("/bin/sh", sh_args, all, base.string() + ".out");
    CliRun run;
    run.code = process.Wait(seconds(60)).value_or(-1);
    run.out = testing::ReadFile(base.string() + ".out");
    run.err = testing::ReadFile(base.string() + ".err");
    return run;
  }

  // A product with `quantity` units at 2.50 EUR, created with sagactl; its id.
  static std::string NewProduct(int quantity) {
    auto sku = "CLI-" + core::Uuid::Random().ToString().substr(0, 8);
    for (auto& c : sku) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const auto run = Sagactl({"inventory", "create", "--name", "cli widget", "--sku", sku, "--price", "2.50",
                              "--quantity", std::to_string(quantity), "--json"});
    EXPECT_EQ(run.code, 0) << run;
    return run.Json().at("id").get<std::string>();
  }

  // An order placed with sagactl; its id.
  static std::string NewOrder(const std::string& product, const std::string& payment_token) {
    const auto run = Sagactl({"orders", "create", "--customer", core::Uuid::Random().ToString(), "--item",
                              product + ":2", "--payment-token", payment_token, "--json"});
    EXPECT_EQ(run.code, 0) << run;
    return run.Json().at("id").get<std::string>();
  }

  static bool Contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

TEST_F(SagactlE2eTest, Inventory) {
  const auto product = NewProduct(5);
  auto run = Sagactl({"inventory", "get", product});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, "price        2.50 EUR")) << run;
  run = Sagactl({"inventory", "list", "--limit", "200", "--json"});
  ASSERT_EQ(run.code, 0) << run;
  EXPECT_GE(run.Json().at("total").get<int>(), 1);
  run = Sagactl({"inventory", "stock", product, "--quantity", "3", "--if-version", "1", "--json"});
  ASSERT_EQ(run.code, 0) << run;
  EXPECT_EQ(run.Json().at("quantity"), 3);
  run = Sagactl({"inventory", "stock", product, "--quantity", "4", "--if-version", "1"});
  EXPECT_EQ(run.code, 5) << "stale If-Match: 412\n" << run;
  EXPECT_TRUE(Contains(run.err, "sagactl: 412 Precondition Failed: PUT /api/inventory/")) << run;
  run = Sagactl({"inventory", "low-stock", "--threshold", "4"});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, product)) << run;
  run = Sagactl({"inventory", "reserve", "--order", core::Uuid::Random().ToString(), "--item", product + ":2",
                 "--ttl-s", "60", "--json"});
  ASSERT_EQ(run.code, 0) << run;
  EXPECT_EQ(run.Json().at("reservations").size(), 1U);
  run =
      Sagactl({"inventory", "reserve", "--order", core::Uuid::Random().ToString(), "--item", product + ":2"});
  EXPECT_EQ(run.code, 5) << "insufficient stock: 422\n" << run;
  run = Sagactl({"inventory", "get", core::Uuid::Random().ToString()});
  EXPECT_EQ(run.code, 4) << run;
  run = Sagactl({"inventory", "create", "--name", "x", "--sku", "lower case", "--price", "1"});
  EXPECT_EQ(run.code, 2) << run;
  EXPECT_TRUE(Contains(run.err, "\n  sku: ")) << run;
}

TEST_F(SagactlE2eTest, OrdersFromCreationToTheirEnd) {
  const auto product = NewProduct(100);
  const auto customer = core::Uuid::Random().ToString();
  auto run = Sagactl({"orders", "create", "--customer", customer, "--item", product + ":2", "--payment-token",
                      "tok_sim_approve", "--idempotency-key", "cli-" + customer});
  ASSERT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, "accepted (Idempotency-Key cli-" + customer + ")")) << run;
  const auto order = run.out.substr(6, 36);  // "order <id> accepted"
  run = Sagactl({"orders", "create", "--customer", customer, "--item", product + ":2", "--payment-token",
                 "tok_sim_approve", "--idempotency-key", "cli-" + customer});
  EXPECT_TRUE(
      Contains(run.out, "order " + order + " accepted (Idempotency-Key cli-" + customer + ", replayed)"))
      << run;

  run = Sagactl({"orders", "watch", order, "--timeout-s", "30", "--interval-ms", "100"});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, "  Completed\n")) << run;
  run = Sagactl({"orders", "get", order, "--json"});
  ASSERT_EQ(run.code, 0) << run;
  EXPECT_EQ(run.Json().at("totalAmount").at("amountMinor"), 500);
  run = Sagactl({"orders", "get", order});
  EXPECT_TRUE(Contains(run.out, "totalAmount  5.00 EUR")) << run;
  EXPECT_TRUE(Contains(run.out, "items (1):")) << run;
  run = Sagactl({"orders", "status", order, "--json"});
  EXPECT_EQ(run.Json().at("status"), "Completed") << run;
  run = Sagactl({"orders", "list", "--customer", customer, "--status", "Completed"});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, order)) << run;
  EXPECT_TRUE(Contains(run.out, "1 of 1 (offset 0)")) << run;

  const auto declined = NewOrder(product, "tok_sim_decline");
  run = Sagactl({"orders", "watch", declined, "--timeout-s", "30", "--interval-ms", "100"});
  EXPECT_EQ(run.code, 8) << "Failed\n" << run;

  run = Sagactl({"orders", "cancel", order, "--if-version", "1"});
  EXPECT_EQ(run.code, 5) << "stale version\n" << run;
  run = Sagactl({"orders", "cancel", declined});
  EXPECT_EQ(run.code, 5) << "a Failed order cannot be cancelled\n" << run;
  run = Sagactl({"orders", "cancel", order, "--json"});
  EXPECT_EQ(run.code, 0) << run;
  // Cancelling a Completed order refunds it first (202): Cancelled comes later.
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        return Sagactl({"orders", "status", order, "--json"}).Json().at("status") == "Cancelled";
      },
      seconds(30)));
  run = Sagactl({"orders", "watch", order, "--timeout-s", "30", "--interval-ms", "100"});
  EXPECT_EQ(run.code, 9) << "Cancelled\n" << run;
  run = Sagactl({"orders", "get", core::Uuid::Random().ToString()});
  EXPECT_EQ(run.code, 4) << run;
  EXPECT_TRUE(Contains(run.err, "sagactl: 404 Not Found: GET /api/orders/")) << run;
}

TEST_F(SagactlE2eTest, Payments) {
  const auto product = NewProduct(10);
  const auto order = NewOrder(product, "tok_sim_approve");
  ASSERT_EQ(Sagactl({"orders", "watch", order, "--timeout-s", "30", "--interval-ms", "100"}).code, 0);
  auto run = Sagactl({"payments", "by-order", order, "--json"});
  ASSERT_EQ(run.code, 0) << run;
  const auto payment = run.Json().at("items").at(0).at("id").get<std::string>();
  run = Sagactl({"payments", "by-order", order});
  EXPECT_TRUE(Contains(run.out, payment + "  " + order + "  5.00 EUR  Completed")) << run;
  run = Sagactl({"payments", "get", payment, "--json"});
  EXPECT_EQ(run.Json().at("status"), "Completed") << run;
  for (const std::vector<std::string>& refused : {std::vector<std::string>{"process", payment},
                                                  {"complete", payment, "--transaction-id", "tx-cli"},
                                                  {"fail", payment, "--reason", "cli"},
                                                  {"refund", payment, "--if-version", "1"}}) {
    auto args = refused;
    args.insert(args.begin(), "payments");
    run = Sagactl(args);
    EXPECT_EQ(run.code, 5) << refused[0] << "\n" << run;
  }
  run = Sagactl({"payments", "refund", payment, "--json"});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_EQ(run.Json().at("status"), "Refunded") << run;
  run = Sagactl({"payments", "create", "--order", order});
  EXPECT_EQ(run.code, 5) << "the order has a payment that has not failed\n" << run;
  run = Sagactl({"payments", "get", core::Uuid::Random().ToString()});
  EXPECT_EQ(run.code, 4) << run;
}

TEST_F(SagactlE2eTest, Sagas) {
  const auto product = NewProduct(10);
  const auto order = NewOrder(product, "tok_sim_approve");
  ASSERT_EQ(Sagactl({"orders", "watch", order, "--timeout-s", "30", "--interval-ms", "100"}).code, 0);
  auto run = Sagactl({"sagas", "show", order});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, "state                 Completed")) << run;
  EXPECT_TRUE(Contains(run.out, "\nlog (")) << run;
  run = Sagactl({"sagas", "show", order, "--json"});
  EXPECT_EQ(run.Json().at("state"), "Completed") << run;
  run = Sagactl({"sagas", "list", "--state", "Completed", "--limit", "200", "--json"});
  ASSERT_EQ(run.code, 0) << run;
  EXPECT_GE(run.Json().at("counts").at("Completed").get<int>(), 1) << run;
  run = Sagactl({"sagas", "show", core::Uuid::Random().ToString()});
  EXPECT_EQ(run.code, 4) << run;
}

// A saga held in ProcessingPayment (the payment service frozen): listed as stuck, retried,
// compensated by the operator, and Failed once the payment service is back.
TEST_F(SagactlE2eTest, OperatorsRetryAndCompensateStuckSagas) {
  const auto product = NewProduct(10);
  auto& payment = System::Get().payment();
  payment.Pause();
  const auto order = NewOrder(product, "tok_sim_approve");
  const bool stuck = testing::WaitFor(
      [&] {
        return Sagactl({"sagas", "show", order, "--json"}).Json().value("state", "") == "ProcessingPayment";
      },
      seconds(30));
  auto run = Sagactl({"sagas", "list", "--state", "ProcessingPayment", "--min-age-s", "0"});
  EXPECT_TRUE(Contains(run.out, order)) << run;
  EXPECT_TRUE(Contains(run.out, "state ProcessingPayment: ")) << run;
  run = Sagactl({"sagas", "retry", "--state", "ProcessingPayment", "--min-age-s", "0", "--dry-run"});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, "dry run: would retry ")) << run;
  run = Sagactl({"sagas", "retry", order});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, order + "  ok      ProcessingPayment")) << run;
  run = Sagactl({"sagas", "compensate", order, "--reason", "cli test", "--json"});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_EQ(run.Json().at(0).at("result").at("compensationTarget"), "Failed") << run;
  run = Sagactl({"sagas", "compensate", order});
  EXPECT_EQ(run.code, 5) << "already compensating\n" << run;
  EXPECT_TRUE(Contains(run.out, "compensate: 0 ok, 1 failed")) << run;
  payment.Resume();
  ASSERT_TRUE(stuck);
  run = Sagactl({"orders", "watch", order, "--timeout-s", "30", "--interval-ms", "100"});
  EXPECT_EQ(run.code, 8) << run;
  EXPECT_TRUE(Contains(Sagactl({"sagas", "show", order}).out, "cli test"));

  run = Sagactl({"sagas", "retry", order, core::Uuid::Random().ToString()});
  EXPECT_EQ(run.code, 1) << "one at rest (409), one unknown (404)\n" << run;
  run = Sagactl({"sagas", "retry", core::Uuid::Random().ToString()});
  EXPECT_EQ(run.code, 4) << run;
  run = Sagactl({"sagas", "retry", "--state", "Failed", "--limit", "1", "--yes", "--json"});
  EXPECT_EQ(run.code, 5) << "a Failed saga is at rest\n" << run;
  EXPECT_EQ(run.Json().at(0).at("exit"), 5) << run;
  run = Sagactl({"sagas", "retry", "--state", "Failed"});
  EXPECT_EQ(run.code, 2) << "a filter without --yes and no terminal\n" << run;
  EXPECT_TRUE(Contains(run.err, "add --yes")) << run;
}

// Messages the inventory service's consumer gave up on: listed with their reason, shown,
// replayed (one by id, the rest with --all), discarded.
TEST_F(SagactlE2eTest, DeadLetters) {
  const auto topic = System::Get().TopicPrefix() + "saga.inventory.commands";
  {
    kafka::Producer producer(testing::KafkaTestConfig());
    for (int i = 0; i < 3; ++i)
      (void)producer.Produce({topic, "cli-" + std::to_string(i), "{not an envelope", {}}).get();
  }
  const auto pending = [&] {
    return Sagactl({"dead-letters", "list", "--service", "inventory", "--topic", topic, "--status", "pending",
                    "--json"})
        .Json();
  };
  ASSERT_TRUE(testing::WaitFor([&] { return pending().value("total", 0) == 3; }, seconds(30)));
  auto run = Sagactl({"dead-letters", "list", "--service", "inventory", "--topic", topic + ".dlq"});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, "inventory-commands")) << run;
  EXPECT_TRUE(Contains(run.out, "3 of 3 (offset 0)")) << run;
  const auto ids = pending().at("items");
  const auto first = std::to_string(ids.at(0).at("id").get<std::int64_t>());
  const auto second = std::to_string(ids.at(1).at("id").get<std::int64_t>());
  run = Sagactl({"dead-letters", "show", "--service", "inventory", first});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, "payload        {not an envelope")) << run;

  run = Sagactl({"dead-letters", "discard", "--service", "inventory", first, "--reason", "cli garbage"});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, "\n" + first + " ") && Contains(run.out, " ok      discarded\n")) << run;
  run = Sagactl({"dead-letters", "discard", "--service", "inventory", first});
  EXPECT_EQ(run.code, 5) << "already discarded\n" << run;
  run = Sagactl({"dead-letters", "replay", "--service", "inventory", second, "--json"});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_EQ(run.Json().at(0).at("result").at("status"), "replayed") << run;
  run = Sagactl({"dead-letters", "replay", "--service", "inventory", "--all", "--topic", topic, "--dry-run"});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, "dry run: would replay ")) << run;
  run = Sagactl({"dead-letters", "replay", "--service", "inventory", "--all", "--topic", topic, "--yes"});
  EXPECT_EQ(run.code, 0) << run;
  EXPECT_TRUE(Contains(run.out, " ok, 0 failed")) << run;

  run = Sagactl({"dead-letters", "show", "--service", "inventory", "999999999"});
  EXPECT_EQ(run.code, 4) << run;
  run = Sagactl({"dead-letters", "replay", "--service", "payment", "999999999"});
  EXPECT_EQ(run.code, 4) << run;
  run = Sagactl({"dead-letters", "list", "--service", "order", "--as-role", "customer"});
  EXPECT_EQ(run.code, 6) << run;
  run = Sagactl({"dead-letters", "list", "--service", "order", "--status", "lost"});
  EXPECT_EQ(run.code, 2) << run;
}

TEST_F(SagactlE2eTest, AuthenticationAuthorizationAndReachability) {
  auto run = Sagactl({"orders", "list", "--token", "not-a-jwt"});
  EXPECT_EQ(run.code, 6) << run;
  EXPECT_TRUE(Contains(run.err, "sagactl: 401 Unauthorized: GET /api/orders (order service)")) << run;
  run = Sagactl({"sagas", "list", "--as-role", "customer", "--as-sub", core::Uuid::Random().ToString()});
  EXPECT_EQ(run.code, 6) << run;
  EXPECT_TRUE(Contains(
      run.err, "sagactl: 403 Forbidden: GET /api/sagas (order service): this operation needs the role"))
      << run;
  run = Sagactl({"payments", "get", core::Uuid::Random().ToString()},
                {{"SAGA_TOKEN", testing::BearerToken("c", {"customer"})}});
  EXPECT_EQ(run.code, 6) << run;
  run = Sagactl({"orders", "list"}, {{"SAGA_AUTH_SECRET_FILE", ""}});
  EXPECT_EQ(run.code, 2) << "no token at all\n" << run;

  run = Sagactl({"orders", "list", "--order-url", "http://127.0.0.1:1"});
  EXPECT_EQ(run.code, 7) << run;
  EXPECT_EQ(run.err, "sagactl: order service unreachable at http://127.0.0.1:1 (Connection refused)\n")
      << run;
  const auto https = "https://127.0.0.1:" + std::to_string(System::Get().inventory().Port());
  run = Sagactl({"inventory", "list", "--inventory-url", https});
  EXPECT_EQ(run.code, 7) << "TLS to a plain HTTP port\n" << run;
  EXPECT_TRUE(Contains(run.err, "sagactl: inventory service unreachable at " + https + " (")) << run;
  run = Sagactl({"inventory", "list", "--inventory-url", "ftp://x"});
  EXPECT_EQ(run.code, 2) << run;

  run = Sagactl({"orders", "create", "--customer", "not-a-uuid", "--item",
                 core::Uuid::Random().ToString() + ":20000", "--payment-token", "tok_sim_approve"});
  EXPECT_EQ(run.code, 2) << run;
  EXPECT_TRUE(Contains(run.err, "sagactl: 400 Validation failed: POST /api/orders (order service)")) << run;
  EXPECT_TRUE(Contains(run.err, "\n  customerId: ")) << run;
  EXPECT_TRUE(Contains(run.err, "\n  items[0].quantity: ")) << run;
  run = Sagactl({"orders", "watch"});
  EXPECT_EQ(run.code, 2) << run;
}

}  // namespace
}  // namespace saga::e2e
