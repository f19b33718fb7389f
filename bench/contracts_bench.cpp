// Micro-benchmarks of the message envelope (libs/contracts): every message the saga sends is
// built, encoded into the outbox, decoded by its consumer (and by the load generator).
// Run: build/release/bench/contracts_bench
#include <benchmark/benchmark.h>

#include "saga/contracts/envelope.hpp"
#include "saga/core/ids.hpp"
#include "saga/core/money.hpp"

namespace {

using saga::contracts::Envelope;

// An OrderCreated with `lines` items, as the saga publishes it.
Envelope OrderCreated(int lines) {
  const auto eur = *saga::core::Currency::Parse("EUR");
  const auto order = saga::core::NewId<saga::core::OrderId>();
  nlohmann::json items = nlohmann::json::array();
  for (int i = 0; i < lines; ++i) {
    items.push_back({{"productId", saga::core::NewId<saga::core::ProductId>().Get().ToString()},
                     {"quantity", 2},
                     {"unitPrice", saga::contracts::MoneyJson(saga::core::Money(1999, eur))}});
  }
  saga::contracts::EnvelopeContext context;
  context.correlation_id = "order-" + order.Get().ToString();
  context.saga_id = saga::core::NewId<saga::core::SagaId>();
  context.order_id = order;
  context.producer = "order-service";
  context.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  return saga::contracts::MakeEnvelope(
             "OrderCreated",
             {{"orderId", order.Get().ToString()},
              {"customerId", saga::core::NewId<saga::core::CustomerId>().Get().ToString()},
              {"items", std::move(items)},
              {"total", saga::contracts::MoneyJson(saga::core::Money(1999LL * 2 * lines, eur))}},
             context)
      .Value();
}

void BM_EnvelopeEncode(benchmark::State& state) {
  const auto envelope = OrderCreated(static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto text = saga::contracts::Encode(envelope);
    bytes += text.size();
    benchmark::DoNotOptimize(text);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_EnvelopeEncode)->Arg(1)->Arg(3)->Arg(20);

void BM_EnvelopeDecode(benchmark::State& state) {
  const auto text = saga::contracts::Encode(OrderCreated(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    auto decoded = saga::contracts::Decode(text);
    if (!decoded) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_EnvelopeDecode)->Arg(1)->Arg(3)->Arg(20);

void BM_MakeEnvelope(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(OrderCreated(3));
}
BENCHMARK(BM_MakeEnvelope);

}  // namespace

BENCHMARK_MAIN();
