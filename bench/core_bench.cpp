// Micro-benchmarks of core value types. Run: build/release/bench/core_bench
#include <benchmark/benchmark.h>

#include "saga/core/uuid.hpp"

namespace {

void BM_UuidRandom(benchmark::State& state) {
  std::mt19937_64 rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(saga::core::Uuid::Random(rng));
}
BENCHMARK(BM_UuidRandom);

void BM_UuidToString(benchmark::State& state) {
  std::mt19937_64 rng(1);
  const auto id = saga::core::Uuid::Random(rng);
  for (auto _ : state) benchmark::DoNotOptimize(id.ToString());
}
BENCHMARK(BM_UuidToString);

void BM_UuidParse(benchmark::State& state) {
  const std::string text = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
  for (auto _ : state) benchmark::DoNotOptimize(saga::core::Uuid::Parse(text));
}
BENCHMARK(BM_UuidParse);

}  // namespace

BENCHMARK_MAIN();
