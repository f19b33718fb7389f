// Micro-benchmarks of the order service's domain (no I/O): building an order and walking its
// status table, and the OrderCreationSaga state machine along the happy path and a compensation.
// Run: build/release/bench/domain_bench
#include <benchmark/benchmark.h>

#include "services/order/domain/order.hpp"
#include "services/order/domain/order_saga.hpp"

namespace {

using namespace saga;  // NOLINT(google-build-using-namespace): benchmark file

std::vector<order::OrderItem> Items(int lines) {
  const auto eur = *core::Currency::Parse("EUR");
  std::vector<order::OrderItem> items;
  for (int i = 0; i < lines; ++i)
    items.push_back(
        order::OrderItem::Create(core::NewId<core::ProductId>(), 2, core::Money(1999, eur)).Value());
  return items;
}

void BM_OrderCreateAndComplete(benchmark::State& state) {
  const auto eur = *core::Currency::Parse("EUR");
  const auto items = Items(static_cast<int>(state.range(0)));
  const auto customer = core::NewId<core::CustomerId>();
  const core::Timestamp now{};
  for (auto _ : state) {
    auto created = order::Order::Create(core::NewId<core::OrderId>(), customer, eur, items, now);
    auto& o = created.Value();
    for (auto to : {order::OrderStatus::kInventoryReserved, order::OrderStatus::kPaymentProcessing,
                    order::OrderStatus::kCompleted}) {
      if (!o.UpdateStatus(to, now)) state.SkipWithError("transition refused");
    }
    benchmark::DoNotOptimize(o);
  }
}
BENCHMARK(BM_OrderCreateAndComplete)->Arg(1)->Arg(3)->Arg(20);

// A saga from its start through `inputs` (each must apply), with `reason` on every reply.
void RunSaga(benchmark::State& state, std::initializer_list<order::SagaInput> inputs,
             const std::string& reason) {
  const order::SagaPolicy policy;
  const core::Timestamp now{};
  for (auto _ : state) {
    auto saga = order::SagaInstance::Start(core::NewId<core::SagaId>(), core::NewId<core::OrderId>(),
                                           "sealed", "corr", "", now, policy);
    for (auto input : inputs) {
      auto decision = saga.Handle(input, reason, now, policy);
      if (!decision.applied) state.SkipWithError("input ignored");
      benchmark::DoNotOptimize(decision);
    }
  }
}

void BM_SagaHappyPath(benchmark::State& state) {
  RunSaga(state,
          {order::SagaInput::kInventoryReserved, order::SagaInput::kPaymentCompleted,
           order::SagaInput::kInventoryCommitted},
          "");
}
BENCHMARK(BM_SagaHappyPath);

void BM_SagaDeclinedPayment(benchmark::State& state) {
  RunSaga(state,
          {order::SagaInput::kInventoryReserved, order::SagaInput::kPaymentFailed,
           order::SagaInput::kInventoryReleased},
          "Declined");
}
BENCHMARK(BM_SagaDeclinedPayment);

}  // namespace

BENCHMARK_MAIN();
