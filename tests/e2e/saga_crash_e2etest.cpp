// Crash test: concurrent orders (with retries under one Idempotency-Key each) while a chaos
// thread SIGKILLs the services at random moments and restarts them. Afterwards every saga must
// end within a bounded time and the invariant checker must find the three databases consistent:
// stock and money conserved, at most one charge per order, every acknowledged order present,
// no outbox row left behind. Seeded (SAGA_CRASH_SEED), so a failure can be replayed.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "saga/core/uuid.hpp"
#include "saga/invariants/checker.hpp"
#include "tests/e2e/api_fixture.hpp"

namespace saga::e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

[[maybe_unused]] const bool kRegistered = [] {
  SystemOptions options;
  // Short deadlines, so work lost with a crash is retried or compensated quickly.
  options.env = {{"SAGA_SAGA_SWEEP_INTERVAL_MS", "200"},
                 {"SAGA_SAGA_RESERVE_TIMEOUT_MS", "4000"},
                 {"SAGA_SAGA_PAYMENT_TIMEOUT_MS", "6000"},
                 {"SAGA_SAGA_COMMIT_TIMEOUT_MS", "4000"},
                 {"SAGA_SAGA_COMPENSATION_TIMEOUT_MS", "2000"},
                 {"SAGA_SAGA_MAX_COMPENSATION_BACKOFF_MS", "8000"},
                 {"SAGA_SAGA_MAX_COMPENSATION_ATTEMPTS", "20"},
                 {"SAGA_GATEWAY_SLOW_MS", "300"},
                 {"SAGA_INVENTORY_TIMEOUT_MS", "1000"},
                 {"SAGA_ORDER_TIMEOUT_MS", "1000"},
                 {"SAGA_CONSUMER_THREADS", "3"}};
  RegisterSystem(options);
  return true;
}();

std::uint64_t Seed() {
  const char* env = std::getenv("SAGA_CRASH_SEED");
  return env != nullptr ? std::stoull(env) : 424242ULL;
}

TEST(SagaCrashTest, EverySagaEndsConsistentlyAfterRandomKills) {
  auto& system = System::Get();
  std::printf("crash seed %llu (set SAGA_CRASH_SEED to replay)\n", static_cast<unsigned long long>(Seed()));
  std::vector<std::string> products;
  {
    ApiClient inventory(system.inventory());
    for (int i = 0; i < 5; ++i) products.push_back(CreateProduct(inventory, 250 + 100 * i, 400)["id"]);
  }
  std::vector<ServiceUnderTest*> services{&system.inventory(), &system.order(), &system.payment()};
  std::mutex services_mu;  // a service is not called while it is being restarted
  std::atomic<bool> stop{false};
  std::mutex acknowledged_mu;
  std::vector<std::string> acknowledged;
  std::atomic<int> attempts{0};
  std::atomic<int> kills{0};

  auto client = [&](int index) {
    std::mt19937_64 rng(Seed() + static_cast<std::uint64_t>(index));
    const std::vector<std::string> tokens{"tok_sim_approve", "tok_sim_approve", "tok_sim_approve",
                                          "tok_sim_slow",    "tok_sim_decline", "tok_sim_insufficient_funds",
                                          "tok_sim_timeout"};
    while (!stop.load()) {
      const auto& product = products[rng() % products.size()];
      // Each order by a customer of its own, with that customer's token.
      const auto customer = core::Uuid::Random().ToString();
      auto headers = testing::AuthHeaders(customer, {"customer"});
      const json body{{"customerId", customer},
                      {"items", {{{"productId", product}, {"quantity", static_cast<int>(1 + rng() % 3)}}}},
                      {"paymentToken", tokens[rng() % tokens.size()]}};
      const auto key = "crash-" + core::Uuid::Random().ToString();
      auto post_headers = headers;
      post_headers["Idempotency-Key"] = key;
      // A steady load with headroom (about 10 orders/s): the test is about crashes, not capacity
      // (a backlog makes deadlines fire and retries pile onto it; the benchmark measures that).
      std::this_thread::sleep_for(milliseconds(300 + rng() % 200));
      for (int attempt = 0; attempt < 20 && !stop.load(); ++attempt) {
        ++attempts;
        const auto reply = testing::HttpRequest("127.0.0.1", system.order().Port(), "POST", "/api/orders",
                                                body.dump(), post_headers, seconds(5));
        if (reply.status == 202) {
          const auto id = json::parse(reply.body)["id"].get<std::string>();
          std::lock_guard lock(acknowledged_mu);
          acknowledged.push_back(id);
          // Now and then the customer changes their mind.
          if (rng() % 8 == 0) {
            (void)testing::HttpRequest("127.0.0.1", system.order().Port(), "PUT",
                                       "/api/orders/" + id + "/cancel", "", headers, seconds(5));
          }
          break;
        }
        ASSERT_TRUE(reply.status == 0 || reply.status == 503 || reply.status == 500 || reply.status == 409)
            << "unexpected " << reply.status << ": " << reply.body;
        std::this_thread::sleep_for(milliseconds(200));
      }
    }
  };
  auto chaos = [&] {
    std::mt19937_64 rng(Seed() ^ 0x9e3779b97f4a7c15ULL);
    while (!stop.load()) {
      std::this_thread::sleep_for(milliseconds(1500 + rng() % 2500));
      if (stop.load()) break;
      auto* victim = services[rng() % services.size()];
      victim->Kill();
      ++kills;
      std::this_thread::sleep_for(milliseconds(200 + rng() % 800));
      victim->Restart();
    }
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(client, i);
  std::thread chaos_thread(chaos);
  std::this_thread::sleep_for(seconds(25));
  stop.store(true);
  chaos_thread.join();
  for (auto& t : threads) t.join();
  for (auto* service : services) ASSERT_TRUE(service->Running()) << service->Name() << "\n" << service->Log();
  std::printf("%zu orders acknowledged, %d attempts, %d kills\n", acknowledged.size(), attempts.load(),
              kills.load());
  ASSERT_GE(kills.load(), 3);
  ASSERT_GE(acknowledged.size(), 20U);

  // Every saga ends within a bounded time, and then everything adds up.
  invariants::CheckInput input{system.OrderDsn(), system.InventoryDsn(), system.PaymentDsn(), acknowledged,
                               true};
  invariants::CheckReport report;
  const auto started = std::chrono::steady_clock::now();
  const bool settled = testing::WaitFor(
      [&] {
        report = invariants::Check(input);
        return report.Ok();
      },
      seconds(150), milliseconds(1000));
  const auto waited = std::chrono::duration_cast<seconds>(std::chrono::steady_clock::now() - started);
  std::printf("settled after %lld s: %s", static_cast<long long>(waited.count()), report.Summary().c_str());
  EXPECT_TRUE(settled) << report.Summary();
  if (!settled) {
    // What the first unsettled sagas went through, and what the participants hold for them.
    int shown = 0;
    for (const auto& id : acknowledged) {
      const auto saga = testing::HttpRequest("127.0.0.1", system.order().Port(), "GET",
                                             "/api/orders/" + id + "/saga", "", testing::AdminHeaders());
      const auto state = json::parse(saga.body, nullptr, false);
      if (state.is_discarded() || state.value("state", "") == "Completed" ||
          state.value("state", "") == "Failed" || state.value("state", "") == "Cancelled") {
        continue;
      }
      std::printf("--- order %s\nsaga: %s\npayments: %s\n", id.c_str(), state.dump(1).c_str(),
                  testing::HttpRequest("127.0.0.1", system.payment().Port(), "GET",
                                       "/api/payments/order/" + id, "", testing::AdminHeaders())
                      .body.c_str());
      if (++shown == 2) break;
    }
  }
  EXPECT_GE(report.stats["completed"], 1);
}

}  // namespace
}  // namespace saga::e2e
