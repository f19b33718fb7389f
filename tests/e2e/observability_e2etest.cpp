// Observability end to end: the three services as processes on real Kafka and PostgreSQL.
//  - known saga scenarios, then the exact values of the saga, payment, inventory, HTTP, Kafka
//    and outbox metrics each service serves at /metrics;
//  - dead letters and inbox duplicates counted;
//  - one saga's trace id (from the caller's traceparent) in the logs of all three services;
//  - every metric of docs/observability.md exposed;
//  - a real Prometheus (deploy/prometheus/prometheus.yml.in and rules) scraping the services:
//    the saga counters through its query API, every rule evaluating healthily, an instance-down
//    alert when a service is killed;
//  - last: no password, payment token, bearer token or card number in any service's log.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <pqxx/pqxx>
#include <regex>
#include <set>

#include "saga/contracts/envelope.hpp"
#include "saga/core/uuid.hpp"
#include "saga/kafka/consumer.hpp"
#include "saga/kafka/producer.hpp"
#include "saga/kafka/topics.hpp"
#include "saga/outbox/outbox.hpp"
#include "saga/testing/metric_samples.hpp"
#include "saga/testing/process.hpp"
#include "tests/e2e/api_fixture.hpp"

namespace saga::e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::MetricSamples;

constexpr const char* kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kCardNumber = "4111111111111111";  // a Luhn-valid test card
constexpr const char* kBearer = "eyJhbGciOiJIUzI1NiJ9.e2e-secret-bearer.c2lnbmF0dXJl";

[[maybe_unused]] const bool kRegistered = [] {
  SystemOptions options;
  options.env = {{"SAGA_LOG_LEVEL", "info"},  // the trace and secrets checks read the info lines
                 {"SAGA_METRICS_SAMPLE_INTERVAL_MS", "200"},
                 {"SAGA_METRICS_HISTORY_SAMPLE_INTERVAL_MS", "200"},
                 {"SAGA_HEALTH_INTERVAL_MS", "200"},
                 {"SAGA_SAGA_SWEEP_INTERVAL_MS", "200"}};
  RegisterSystem(options);
  return true;
}();

MetricSamples Scrape(ServiceUnderTest& service) {
  const auto reply = testing::HttpRequest("127.0.0.1", service.Port(), "GET", "/metrics");
  EXPECT_EQ(reply.status, 200) << service.Name() << ": " << reply.error;
  return MetricSamples::Parse(reply.body);
}

// Waits until `check` holds on the service's metrics (database gauges lag by a sample).
MetricSamples ScrapeUntil(ServiceUnderTest& service, const std::function<bool(const MetricSamples&)>& check) {
  MetricSamples samples;
  testing::WaitFor(
      [&] {
        samples = Scrape(service);
        return check(samples);
      },
      seconds(30), milliseconds(100));
  return samples;
}

// What the scenario test created, for the tests after it.
struct Scenario {
  bool ran = false;
  std::int64_t on_hand = 0;
};
Scenario& Ran() {
  static Scenario scenario;
  return scenario;
}

class ObservabilityTest : public ::testing::Test {
 protected:
  ApiClient inventory_{System::Get().inventory()};
  ApiClient orders_{System::Get().order()};
  ApiClient payments_{System::Get().payment()};

  std::string Place(const json& product, int quantity, const std::string& token,
                    const std::map<std::string, std::string>& headers = {}) {
    auto reply = orders_.Call("POST", "/api/orders",
                              json{{"customerId", core::Uuid::Random().ToString()},
                                   {"items", {{{"productId", product["id"]}, {"quantity", quantity}}}},
                                   {"paymentToken", token}},
                              headers);
    EXPECT_EQ(reply.status, 202) << reply.body;
    return reply.json.value("id", "");
  }

  json AwaitSaga(const std::string& order_id, const std::set<std::string>& states) {
    json saga;
    EXPECT_TRUE(testing::WaitFor(
        [&] {
          saga = orders_.Call("GET", "/api/orders/" + order_id + "/saga").json;
          return saga.is_object() && states.count(saga.value("state", "")) != 0;
        },
        seconds(60), milliseconds(100)))
        << saga.dump(1);
    return saga;
  }
};

// Five orders with known outcomes: two completed, one out of stock, one declined (compensated),
// one completed then cancelled (refunded, stock returned).
TEST_F(ObservabilityTest, KnownScenariosGiveExactMetricValues) {
  auto a = CreateProduct(inventory_, 1500, 10);
  auto b = CreateProduct(inventory_, 700, 5);
  auto c = CreateProduct(inventory_, 100, 1);
  auto d = CreateProduct(inventory_, 200, 3);
  auto e = CreateProduct(inventory_, 900, 4);
  Ran().on_hand = 10 + 5 + 1 + 3 + 4;
  const auto completed_a = Place(a, 2, "tok_sim_approve");
  const auto completed_b = Place(b, 1, "tok_sim_approve");
  const auto out_of_stock = Place(c, 5, "tok_sim_approve");
  const auto declined = Place(d, 1, "tok_sim_decline");
  const auto cancelled = Place(e, 1, "tok_sim_approve");
  for (const auto& id : {completed_a, completed_b})
    EXPECT_EQ(AwaitSaga(id, {"Completed"})["state"], "Completed");
  for (const auto& id : {out_of_stock, declined}) EXPECT_EQ(AwaitSaga(id, {"Failed"})["state"], "Failed");
  ASSERT_EQ(AwaitSaga(cancelled, {"Completed"})["state"], "Completed");
  const auto version = orders_.Call("GET", "/api/orders/" + cancelled).json["version"].get<int>();
  ASSERT_EQ(orders_
                .Call("PUT", "/api/orders/" + cancelled + "/cancel", std::string(),
                      {{"If-Match", "\"" + std::to_string(version) + "\""}})
                .status,
            202);
  ASSERT_EQ(AwaitSaga(cancelled, {"Cancelled"})["state"], "Cancelled");
  Ran().ran = true;

  // The order service: saga counters and histograms, database gauges, HTTP, Kafka, outbox.
  auto order = ScrapeUntil(System::Get().order(), [](const MetricSamples& m) {
    return m.Find("saga_sagas", {{"state", "Cancelled"}}) == 1 && m.Find("saga_outbox_pending_rows") == 0;
  });
  EXPECT_EQ(order.Find("saga_sagas_started_total"), 5);
  EXPECT_EQ(order.Find("saga_sagas_ended_total", {{"outcome", "completed"}}), 3)
      << "a, b and e before its cancel";
  EXPECT_EQ(order.Find("saga_sagas_ended_total", {{"outcome", "failed"}}), 2);
  EXPECT_EQ(order.Find("saga_sagas_ended_total", {{"outcome", "cancelled"}}), 1);
  EXPECT_EQ(order.Find("saga_sagas_ended_total", {{"outcome", "compensation_failed"}}), 0);
  EXPECT_EQ(order.Find("saga_sagas_compensated_total", {{"target", "failed"}}), 1) << "the decline";
  EXPECT_EQ(order.Find("saga_sagas_compensated_total", {{"target", "cancelled"}}), 1);
  EXPECT_EQ(order.Find("saga_compensations_started_total", {{"reason", "Declined"}}), 1);
  EXPECT_EQ(order.Find("saga_compensations_started_total", {{"reason", "Cancelled"}}), 1);
  EXPECT_EQ(order.Find("saga_duration_seconds_count", {{"outcome", "completed"}}), 3);
  EXPECT_GT(*order.Find("saga_duration_seconds_sum", {{"outcome", "completed"}}), 0);
  const auto steps = [&](const char* step) {
    return order.Find("saga_step_duration_seconds_count", {{"step", step}}).value_or(-1);
  };
  EXPECT_EQ(steps("ReserveInventory"), 5);
  EXPECT_EQ(steps("ProcessPayment"), 4);
  EXPECT_EQ(steps("CommitInventory"), 3);
  EXPECT_EQ(steps("RefundPayment"), 1);
  EXPECT_EQ(steps("ReleaseInventory"), 2);
  EXPECT_EQ(order.Find("saga_sagas", {{"state", "Completed"}}), 2);
  EXPECT_EQ(order.Find("saga_sagas", {{"state", "Failed"}}), 2);
  EXPECT_EQ(order.Find("saga_sagas", {{"state", "ReservingInventory"}}), 0);
  EXPECT_EQ(order.Find("saga_orders", {{"status", "Completed"}}), 2);
  EXPECT_EQ(order.Find("saga_orders", {{"status", "Cancelled"}}), 1);
  EXPECT_EQ(order.Find("saga_orders_revenue_minor", {{"currency", "EUR"}}), 2 * 1500 + 700);
  EXPECT_EQ(order.Find("saga_http_requests_total",
                       {{"method", "POST"}, {"route", "/api/orders"}, {"status_class", "2xx"}}),
            5);
  EXPECT_EQ(order.Find("saga_http_requests_total",
                       {{"method", "PUT"}, {"route", "/api/orders/{id}/cancel"}, {"status_class", "2xx"}}),
            1);
  EXPECT_EQ(
      order.Find("saga_http_request_duration_seconds_count", {{"method", "POST"}, {"route", "/api/orders"}}),
      5);
  EXPECT_EQ(order.Find("saga_http_client_requests_total", {{"peer", "inventory.url"}, {"outcome", "2xx"}}), 5)
      << "one price lookup per order line";
  const auto& prefix = System::Get().TopicPrefix();
  // ReserveInventory x5, CommitInventory x3, ReleaseInventory x2, plus any command sent again.
  EXPECT_EQ(order.Find("saga_kafka_messages_produced_total", {{"topic", prefix + "saga.inventory.commands"}}),
            10 + order.Sum("saga_saga_step_retries_total", {{"command", "ReserveInventory"}}) +
                order.Sum("saga_saga_step_retries_total", {{"command", "CommitInventory"}}) +
                order.Sum("saga_saga_step_retries_total", {{"command", "ReleaseInventory"}}));
  EXPECT_EQ(order.Sum("saga_kafka_produce_errors_total"), 0);
  EXPECT_GE(order.Find("saga_outbox_published_total").value_or(0), 5 * 3) << "OrderCreated, commands, events";
  EXPECT_EQ(order.Find("saga_outbox_relay_leader"), 1);
  EXPECT_EQ(order.Find("saga_outbox_oldest_pending_age_seconds"), 0);
  EXPECT_GT(order.Sum("saga_consumer_messages_total", {{"consumer", "order-saga"}, {"outcome", "applied"}}),
            0);
  EXPECT_EQ(order.Sum("saga_consumer_messages_total", {{"outcome", "dead_lettered"}}), 0);
  EXPECT_EQ(order.Find("saga_circuit_breaker_state", {{"breaker", "postgres"}}), 0);
  EXPECT_GE(order.Find("saga_db_pool_max_connections").value_or(0), 1);
  EXPECT_EQ(order.Find("saga_service_info", {{"service", "order"}, {"version", "0.1.0"}}), 1);

  // The payment service: four charges (a, b, d, e), one declined; one refund (e).
  auto payment = ScrapeUntil(System::Get().payment(), [](const MetricSamples& m) {
    return m.Find("saga_payments", {{"status", "Refunded"}}) == 1;
  });
  EXPECT_EQ(payment.Find("saga_payment_charges_total", {{"outcome", "approved"}}), 3);
  EXPECT_EQ(payment.Find("saga_payment_charges_total", {{"outcome", "declined"}}), 1);
  EXPECT_EQ(payment.Find("saga_payment_refunds_total"), 1);
  EXPECT_EQ(payment.Find("saga_payment_gateway_duration_seconds_count", {{"operation", "charge"}}), 4);
  EXPECT_EQ(payment.Find("saga_payments", {{"status", "Completed"}}), 2);
  EXPECT_EQ(payment.Find("saga_payments", {{"status", "Failed"}}), 1);
  EXPECT_EQ(payment.Find("saga_payments_amount_minor", {{"status", "Completed"}, {"currency", "EUR"}}), 3700);
  EXPECT_EQ(payment.Find("saga_payments_amount_minor", {{"status", "Refunded"}, {"currency", "EUR"}}), 900);
  EXPECT_EQ(
      payment.Find("saga_consumer_messages_total",
                   {{"consumer", "payment-commands"}, {"type", "ProcessPayment"}, {"outcome", "applied"}}),
      4 + order.Sum("saga_saga_step_retries_total", {{"command", "ProcessPayment"}}));
  EXPECT_GE(payment.Sum("saga_kafka_messages_consumed_total", {{"consumer", "payment-commands"}}), 5);

  // The inventory service: reservations by status, units over all products.
  // The consumer's members report their partitions' lag once a second: a scrape right after the
  // saga ended may come before the first report since the assignment.
  auto inventory = ScrapeUntil(System::Get().inventory(), [](const MetricSamples& m) {
    return m.Find("saga_inventory_reservations", {{"status", "Returned"}}) == 1 &&
           m.Count("saga_kafka_consumer_lag", {{"consumer", "inventory-commands"}}) >= 6U;
  });
  EXPECT_EQ(inventory.Find("saga_inventory_reservations", {{"status", "Committed"}}), 2);
  EXPECT_EQ(inventory.Find("saga_inventory_reservations", {{"status", "Released"}}), 1);
  EXPECT_EQ(inventory.Find("saga_inventory_reservations", {{"status", "Active"}}), 0);
  EXPECT_EQ(inventory.Find("saga_inventory_stock_units", {{"kind", "on_hand"}}), Ran().on_hand - 2 - 1)
      << "a sold 2, b sold 1; e's sale came back";
  EXPECT_EQ(inventory.Find("saga_inventory_stock_units", {{"kind", "reserved"}}), 0);
  EXPECT_EQ(inventory.Find("saga_http_requests_total",
                           {{"method", "POST"}, {"route", "/api/inventory"}, {"status_class", "2xx"}}),
            5);
  EXPECT_EQ(inventory.Find(
                "saga_consumer_messages_total",
                {{"consumer", "inventory-commands"}, {"type", "ReserveInventory"}, {"outcome", "applied"}}),
            5 + order.Sum("saga_saga_step_retries_total", {{"command", "ReserveInventory"}}));
  EXPECT_GT(inventory.Sum("saga_kafka_rebalances_total",
                          {{"consumer", "inventory-commands"}, {"kind", "assigned"}}),
            0);
  EXPECT_EQ(inventory.Count("saga_kafka_consumer_lag", {{"consumer", "inventory-commands"}}), 6U)
      << "one series per assigned partition of saga.inventory.commands";
}

TEST_F(ObservabilityTest, DeadLettersAndInboxDuplicatesAreCounted) {
  auto config = testing::KafkaTestConfig();
  kafka::Producer producer(config);
  const auto topic = System::Get().TopicPrefix() + "saga.inventory.commands";
  const auto order_id = core::Uuid::Random().ToString();
  (void)producer.Produce({topic, order_id, "{not an envelope", {}}).get();
  contracts::EnvelopeContext context;
  context.correlation_id = "e2e-duplicate";
  context.order_id = core::OrderId(*core::Uuid::Parse(order_id));
  context.producer = "e2e";
  context.traceparent = contracts::NewTraceparent(core::Uuid::Random());
  context.occurred_at = core::FromUnixMicros(1'790'000'000'000'000);
  const auto release =
      contracts::MakeEnvelope("ReleaseInventory", {{"orderId", order_id}, {"reason", "e2e"}}, context)
          .Value();
  for (int i = 0; i < 2; ++i) {
    (void)producer.Produce({topic, order_id, contracts::Encode(release), outbox::HeadersFor(release)}).get();
  }
  const auto inventory = ScrapeUntil(System::Get().inventory(), [&](const MetricSamples& m) {
    return m.Find("saga_kafka_dead_letters_total", {{"consumer", "inventory-commands"}, {"topic", topic}}) ==
               1 &&
           m.Sum("saga_consumer_messages_total", {{"type", "ReleaseInventory"}, {"outcome", "duplicate"}}) >=
               1;
  });
  EXPECT_EQ(
      inventory.Find("saga_kafka_dead_letters_total", {{"consumer", "inventory-commands"}, {"topic", topic}}),
      1);
  EXPECT_EQ(inventory.Find(
                "saga_consumer_messages_total",
                {{"consumer", "inventory-commands"}, {"type", "undecodable"}, {"outcome", "dead_lettered"}}),
            1);
  EXPECT_EQ(inventory.Find(
                "saga_consumer_messages_total",
                {{"consumer", "inventory-commands"}, {"type", "ReleaseInventory"}, {"outcome", "duplicate"}}),
            1)
      << "the second copy was skipped by the inbox";
}

TEST_F(ObservabilityTest, OneTraceIdSpansTheSagaInAllThreeServices) {
  auto product = CreateProduct(inventory_, 400, 3);
  const std::string caller_span = std::string("00-") + kTraceId + "-00f067aa0ba902b7-01";
  auto reply = orders_.Call("POST", "/api/orders",
                            json{{"customerId", core::Uuid::Random().ToString()},
                                 {"items", {{{"productId", product["id"]}, {"quantity", 1}}}},
                                 {"paymentToken", "tok_sim_approve"}},
                            {{"traceparent", caller_span}});
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(reply.Header("traceresponse").substr(3, 32), kTraceId)
      << "the server span is in the caller's trace";
  const auto saga = AwaitSaga(reply.json["id"], {"Completed"});
  EXPECT_EQ(saga["traceId"], kTraceId);
  const std::string field = std::string("\"trace_id\":\"") + kTraceId + "\"";
  for (auto* service : {&System::Get().order(), &System::Get().inventory(), &System::Get().payment()}) {
    EXPECT_TRUE(testing::WaitFor([&] { return service->Log().find(field) != std::string::npos; }, seconds(10),
                                 milliseconds(100)))
        << service->Name() << " never logged the saga's trace id";
  }
  // The inventory's command handling line carries the saga's ids with the trace.
  bool found = false;
  const auto log = System::Get().inventory().Log();
  for (std::size_t at = log.find(field); at != std::string::npos && !found; at = log.find(field, at + 1)) {
    const auto start = log.rfind('\n', at) + 1;
    const auto line = json::parse(log.substr(start, log.find('\n', at) - start), nullptr, false);
    found = line.is_object() && line.value("order_id", "") == reply.json["id"] &&
            line.value("saga_id", "") == saga["sagaId"] && line.contains("message_type") &&
            line.contains("span_id") && line.contains("correlation_id");
  }
  EXPECT_TRUE(found) << "no inventory line with trace, saga, order, message and span ids";
}

// docs/observability.md's tables list every metric; each must be served by some service.
TEST_F(ObservabilityTest, EveryCatalogueMetricIsExposed) {
  std::ifstream doc(std::string(SAGA_REPO_ROOT) + "/docs/observability.md");
  ASSERT_TRUE(doc) << "docs/observability.md";
  std::set<std::string> catalogue;
  const std::regex row(R"(^\| `((saga|process)_[a-z0-9_]+)` \|)");
  for (std::string line; std::getline(doc, line);) {
    std::smatch match;
    if (std::regex_search(line, match, row)) catalogue.insert(match[1]);
  }
  ASSERT_GT(catalogue.size(), 40U);
  std::set<std::string> exposed;
  for (auto* service : {&System::Get().order(), &System::Get().inventory(), &System::Get().payment()}) {
    const auto families = Scrape(*service).Families();
    exposed.insert(families.begin(), families.end());
  }
  for (const auto& name : catalogue)
    EXPECT_TRUE(exposed.count(name)) << name << " is documented but not served";
  for (const auto& name : exposed) {
    if (name.rfind("saga_", 0) == 0) {
      EXPECT_TRUE(catalogue.count(name)) << name << " is served but not documented";
    }
  }
}

std::uint16_t FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(address.sin_port);
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class Prometheus {
 public:
  explicit Prometheus(const std::filesystem::path& dir) : port_(FreePort()) {
    std::ifstream in(std::string(SAGA_REPO_ROOT) + "/deploy/prometheus/prometheus.yml.in");
    std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto target = [](ServiceUnderTest& s) { return "'127.0.0.1:" + std::to_string(s.Port()) + "'"; };
    config = Replace(config, "@SCRAPE_INTERVAL@", "1s");
    config = Replace(config, "@RULES_DIR@", std::string(SAGA_REPO_ROOT) + "/deploy/prometheus/rules");
    config = Replace(config, "@SCHEME@", "http");  // the test system serves plain HTTP
    config = Replace(config, "@CA_FILE@", "");
    config = Replace(config, "@ORDER_TARGETS@", target(System::Get().order()));
    config = Replace(config, "@INVENTORY_TARGETS@", target(System::Get().inventory()));
    config = Replace(config, "@PAYMENT_TARGETS@", target(System::Get().payment()));
    std::filesystem::create_directories(dir / "prometheus-data");
    std::ofstream(dir / "prometheus.yml") << config;
    log_ = (dir / "prometheus.log").string();
    process_ = std::make_unique<testing::Process>(
        "/usr/bin/prometheus",
        std::vector<std::string>{"--config.file=" + (dir / "prometheus.yml").string(),
                                 "--storage.tsdb.path=" + (dir / "prometheus-data").string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                 "--log.level=warn"},
        std::map<std::string, std::string>{}, log_);
  }
  ~Prometheus() {
    process_->Signal(SIGTERM);
    if (!process_->Wait(seconds(10))) process_->Signal(SIGKILL);
  }
  Prometheus(const Prometheus&) = delete;
  Prometheus& operator=(const Prometheus&) = delete;

  bool Ready() {
    return testing::WaitFor(
        [&] { return testing::HttpRequest("127.0.0.1", port_, "GET", "/-/ready").status == 200; },
        seconds(30), milliseconds(200));
  }
  json Get(const std::string& target) {
    const auto reply = testing::HttpRequest("127.0.0.1", port_, "GET", target);
    return json::parse(reply.body, nullptr, false);
  }
  // The single value of an instant query, or nullopt when the result is empty.
  std::optional<double> Query(const std::string& promql) {
    std::string encoded;
    for (unsigned char c : promql) {
      if (std::isalnum(c) != 0 || c == '_' || c == '.' || c == '-') {
        encoded += static_cast<char>(c);
      } else {
        char hex[4];
        std::snprintf(hex, sizeof(hex), "%%%02X", c);
        encoded += hex;
      }
    }
    const auto answer = Get("/api/v1/query?query=" + encoded);
    if (!answer.is_object() || answer.value("status", "") != "success") return std::nullopt;
    const auto& result = answer["data"]["result"];
    if (result.size() != 1) return std::nullopt;
    return std::stod(result[0]["value"][1].get<std::string>());
  }
  std::string Log() const { return testing::ReadFile(log_); }

 private:
  std::uint16_t port_;
  std::string log_;
  std::unique_ptr<testing::Process> process_;
};

TEST_F(ObservabilityTest, PrometheusScrapesTheServicesAndEvaluatesTheRules) {
  ASSERT_TRUE(Ran().ran) << "needs the scenarios of the first test";
  Prometheus prometheus(System::Get().Dir());
  ASSERT_TRUE(prometheus.Ready()) << prometheus.Log();
  const auto eventually = [&](const std::string& promql, double expected) {
    std::optional<double> value;
    const bool ok = testing::WaitFor(
        [&] {
          value = prometheus.Query(promql);
          return value == expected;
        },
        seconds(30), milliseconds(250));
    EXPECT_TRUE(ok) << promql << " = " << (value ? std::to_string(*value) : "no result") << ", expected "
                    << expected << "\n"
                    << prometheus.Log();
  };
  eventually(R"(count(up{job=~"order|inventory|payment"} == 1))", 3);
  eventually(R"(sum(saga_sagas_ended_total{outcome="completed"}))", 4);  // three scenarios, the traced order
  eventually(R"(sum(saga_sagas_started_total))", 6);
  eventually(R"(max(saga_sagas{state="CompensationFailed"}))", 0);
  eventually(R"(sum(saga_payment_charges_total{outcome="declined"}))", 1);
  eventually(R"(sum by (service) (saga_service_info{service="payment"}))", 1);

  // Every recording and alerting rule loaded and evaluated against the real series.
  std::set<std::string> alerts;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        const auto rules = prometheus.Get("/api/v1/rules");
        if (!rules.is_object() || rules.value("status", "") != "success") return false;
        std::size_t evaluated = 0;
        std::size_t total = 0;
        alerts.clear();
        for (const auto& group : rules["data"]["groups"]) {
          for (const auto& rule : group["rules"]) {
            ++total;
            if (rule.value("health", "") == "ok") ++evaluated;
            EXPECT_NE(rule.value("health", ""), "err") << rule.dump();
            if (rule.value("type", "") == "alerting") alerts.insert(rule.value("name", ""));
          }
        }
        return total > 0 && evaluated == total;
      },
      seconds(30), milliseconds(250)));
  for (const char* alert : {"SagaFailureRatioHigh", "SagaCompensationFailed", "SagaOutboxBacklogStale",
                            "SagaConsumerLagHigh", "SagaDeadLetters", "SagaServiceDown"}) {
    EXPECT_TRUE(alerts.count(alert)) << alert << " is not loaded";
  }
  // The dead letter of the test above shows as an alert.
  const auto alert_state = [&](const std::string& name) {
    const auto answer = prometheus.Get("/api/v1/alerts");
    std::string state;
    for (const auto& alert : answer["data"]["alerts"]) {
      if (alert["labels"].value("alertname", "") == name) state = alert.value("state", "");
    }
    return state;
  };
  EXPECT_TRUE(testing::WaitFor([&] { return !alert_state("SagaDeadLetters").empty(); }, seconds(30),
                               milliseconds(250)))
      << "no SagaDeadLetters alert after a dead letter";

  // A killed instance: its target goes down and the instance-down alert starts.
  System::Get().payment().Kill();
  eventually(R"(up{job="payment"})", 0);
  EXPECT_TRUE(testing::WaitFor([&] { return !alert_state("SagaInstanceDown").empty(); }, seconds(30),
                               milliseconds(250)))
      << "SagaInstanceDown did not start";
  System::Get().payment().Restart();
  eventually(R"(up{job="payment"})", 1);
}

bool LuhnValid(const std::string& digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

// Luhn-valid numbers of 13-19 digits standing alone (not inside a longer word: a random hex trace
// or span id may hold such a run of digits, by chance).
std::vector<std::string> CardNumbersIn(const std::string& text) {
  static const std::regex long_digits("(^|[^0-9A-Za-z])([0-9]{13,19})(?![0-9A-Za-z])");
  std::vector<std::string> found;
  for (std::sregex_iterator it(text.begin(), text.end(), long_digits), end; it != end; ++it) {
    if (LuhnValid((*it)[2].str())) found.push_back((*it)[2].str());
  }
  return found;
}

// Runs last: the logs of everything above (and of refused requests made here) hold no secret.
TEST_F(ObservabilityTest, ZzLogsHoldNoSecretsTokensOrCardNumbers) {
  auto product = CreateProduct(inventory_, 100, 2);
  auto refused = orders_.Call("POST", "/api/orders",
                              json{{"customerId", core::Uuid::Random().ToString()},
                                   {"items", {{{"productId", product["id"]}, {"quantity", 1}}}},
                                   {"paymentToken", kCardNumber}});
  EXPECT_EQ(refused.status, 400) << "a card number is never a payment token";
  EXPECT_EQ(payments_
                .Call("GET", "/api/payments/order/" + core::Uuid::Random().ToString(), std::string(),
                      {{"Authorization", std::string("Bearer ") + kBearer}})
                .status,
            401)
      << "a refused token is logged and audited without the token";

  // "eyJ": how every JWT (base64url of '{"') starts, the valid ones the tests sent included.
  // And the keys: the token signing secret, the key ring's key-encryption key.
  std::vector<std::string> secrets{kCardNumber,
                                   kBearer,
                                   "Bearer ",
                                   "eyJ",
                                   "tok_sim_",
                                   "password=",
                                   testing::AuthSecret(),
                                   testing::ReadFile(testing::KeyRingDir() + "/k1.key")};
  for (const auto& dsn :
       {System::Get().OrderDsn(), System::Get().InventoryDsn(), System::Get().PaymentDsn()}) {
    const auto at = dsn.find("password=");
    if (at != std::string::npos) secrets.push_back(dsn.substr(at + 9, dsn.find(' ', at) - at - 9));
  }
  const auto cards_in = [](const std::string& text) { return CardNumbersIn(text); };
  ASSERT_EQ(cards_in(std::string(R"({"msg":"token )") + kCardNumber + R"("})"),
            std::vector<std::string>{kCardNumber})
      << "the scan finds a card number in a log line";
  ASSERT_TRUE(cards_in(R"({"trace_id":"ab4111111111111111cd"})").empty()) << "but not digits inside an id";
  for (auto* service : {&System::Get().order(), &System::Get().inventory(), &System::Get().payment()}) {
    const auto log = service->Log();
    ASSERT_FALSE(log.empty()) << service->Name();
    for (const auto& secret : secrets) {
      if (secret.empty()) continue;
      const auto at = log.find(secret);
      EXPECT_EQ(at, std::string::npos) << service->Name() << " logged '" << secret
                                       << "': " << log.substr(at == std::string::npos ? 0 : at, 200);
    }
    EXPECT_TRUE(cards_in(log).empty())
        << service->Name() << " logged a card-like number " << cards_in(log)[0];
  }
}

// After every scenario above: every row of every table of the three databases and every message
// of the system's topics hold no card number, no CVV and no payment token in clear; the tokens
// the sagas kept and sent are sealed (libs/crypto envelope text).
TEST_F(ObservabilityTest, ZzzDatabasesAndTopicsHoldNoCardDataOrClearTokens) {
  const std::regex cvv(R"((cvv|cvc|cvn|securityCode)\W)", std::regex::icase);
  const auto check = [&](const std::string& where, const std::string& text) {
    EXPECT_TRUE(CardNumbersIn(text).empty()) << where << " holds a card-like number: " << text.substr(0, 300);
    EXPECT_FALSE(std::regex_search(text, cvv)) << where << " mentions a CVV: " << text.substr(0, 300);
    EXPECT_EQ(text.find("tok_sim_"), std::string::npos)
        << where << " holds a clear payment token: " << text.substr(0, 300);
    EXPECT_EQ(text.find("eyJ"), std::string::npos) << where << " holds a JWT: " << text.substr(0, 300);
  };
  int rows = 0;
  for (const auto& dsn :
       {System::Get().OrderDsn(), System::Get().InventoryDsn(), System::Get().PaymentDsn()}) {
    pqxx::connection conn(dsn);
    pqxx::read_transaction tx(conn);
    for (const auto& table : tx.exec(
             "SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public'")) {
      for (const auto& row : tx.exec("SELECT t::text FROM " + std::string(table[0].c_str()) + " t")) {
        check(std::string(table[0].c_str()), row[0].c_str());
        ++rows;
      }
    }
  }
  EXPECT_GT(rows, 100) << "the scenarios left data to scan";
  {
    pqxx::connection conn(System::Get().OrderDsn());
    pqxx::read_transaction tx(conn);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM sagas WHERE payment_token NOT LIKE 'v1.%'")[0].as<int>(), 0)
        << "every saga keeps its token sealed";
    EXPECT_GT(tx.exec1("SELECT count(*) FROM sagas")[0].as<int>(), 0);
  }

  auto config = testing::KafkaTestConfig();
  kafka::ConsumerOptions options;
  options.group_id = testing::UniqueName("scan");
  for (const auto& spec : kafka::LoadTopicsFile(testing::RequiredEnv("SAGA_TOPICS_FILE"))) {
    options.topics.push_back(System::Get().TopicPrefix() + spec.name);
  }
  kafka::Consumer consumer(config, options);
  int messages = 0;
  int process_payments = 0;
  auto idle_since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - idle_since < seconds(5)) {
    auto message = consumer.Poll(milliseconds(200));
    if (!message) continue;
    idle_since = std::chrono::steady_clock::now();
    ++messages;
    check("topic " + message->topic, message->payload);
    auto envelope = json::parse(message->payload, nullptr, false);
    if (!envelope.is_discarded() && envelope.is_object() && envelope.value("type", "") == "ProcessPayment") {
      ++process_payments;
      EXPECT_EQ(envelope["payload"]["paymentToken"].get<std::string>().rfind("v1.", 0), 0U) << "sealed";
    }
  }
  EXPECT_GT(messages, 50);
  EXPECT_GE(process_payments, 4);
}

}  // namespace
}  // namespace saga::e2e
