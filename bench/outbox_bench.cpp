// Micro-benchmark of outbox batch writes (libs/outbox Append) against a real PostgreSQL: N
// envelopes appended in one transaction and committed, as a handler that publishes N messages
// does. Needs a superuser DSN in SAGA_BENCH_PG_DSN (e.g. the test infra's: `./saga infra-up
// --test; eval "$(./saga env --test)"; SAGA_BENCH_PG_DSN=$SAGA_TEST_PG_DSN
// build/release/bench/outbox_bench`); without it the benchmark is skipped with a message. It
// works in a schema of its own, dropped at the end. The commit (a WAL flush) is part of the time.
// BM_OutboxAppendBatch: one insert per message (outbox::Append); BM_OutboxBufferFlush: the
// messages of the transaction in one insert (outbox::OutboxBuffer).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>

#include "saga/contracts/envelope.hpp"
#include "saga/core/ids.hpp"
#include "saga/outbox/outbox.hpp"

namespace {

std::string Dsn() {
  const char* dsn = std::getenv("SAGA_BENCH_PG_DSN");  // NOLINT(concurrency-mt-unsafe): before threads
  return dsn == nullptr ? std::string() : std::string(dsn);
}

// A schema with the outbox table (the shared migration's SQL), for the process's lifetime.
class Schema {
 public:
  explicit Schema(const std::string& dsn)
      : connection_(dsn), name_("outbox_bench_" + saga::core::Uuid::Random().ToString().substr(0, 8)) {
    std::ifstream in(SAGA_OUTBOX_MIGRATION);
    std::stringstream sql;
    sql << in.rdbuf();
    pqxx::work tx(connection_);
    tx.exec0("CREATE SCHEMA " + name_);
    tx.exec0("SET LOCAL search_path TO " + name_);
    tx.exec0(sql.str());
    tx.commit();
    pqxx::nontransaction session(connection_);
    session.exec0("SET search_path TO " + name_);  // for the rest of the session
  }
  ~Schema() {
    try {
      pqxx::work tx(connection_);
      tx.exec0("DROP SCHEMA " + name_ + " CASCADE");
      tx.commit();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "outbox_bench: dropping schema %s failed: %s\n", name_.c_str(), e.what());
    }
  }
  pqxx::connection& Connection() { return connection_; }

 private:
  pqxx::connection connection_;
  std::string name_;
};

saga::contracts::Envelope Event(const saga::core::OrderId& order) {
  saga::contracts::EnvelopeContext context;
  context.correlation_id = "bench";
  context.order_id = order;
  context.producer = "outbox-bench";
  context.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  return saga::contracts::MakeEnvelope(
             "OrderUpdated", {{"orderId", order.Get().ToString()}, {"status", "Created"}, {"version", 1}},
             context)
      .Value();
}

// The schema both benchmarks write to, made on first use; null (and the benchmark skipped with
// a message) without SAGA_BENCH_PG_DSN.
Schema* SchemaOf(benchmark::State& state) {
  static std::unique_ptr<Schema> schema;
  if (!schema) {
    const auto dsn = Dsn();
    if (dsn.empty()) {
      state.SkipWithError("SAGA_BENCH_PG_DSN is not set: no PostgreSQL to write to (see the file's header)");
      return nullptr;
    }
    schema = std::make_unique<Schema>(dsn);
  }
  return schema.get();
}

void BM_OutboxAppendBatch(benchmark::State& state) {
  auto* schema = SchemaOf(state);
  if (schema == nullptr) return;
  const auto batch = state.range(0);
  for (auto _ : state) {
    pqxx::work tx(schema->Connection());
    for (std::int64_t i = 0; i < batch; ++i)
      (void)saga::outbox::Append(tx, "bench.topic", Event(saga::core::NewId<saga::core::OrderId>()));
    tx.commit();
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_OutboxAppendBatch)->Arg(1)->Arg(10)->Arg(100)->UseRealTime();

// The same rows through OutboxBuffer: published in memory, stored by one statement at the flush
// (what handlers, units of work and consumer batches do since the fifth round).
void BM_OutboxBufferFlush(benchmark::State& state) {
  auto* schema = SchemaOf(state);
  if (schema == nullptr) return;
  const auto batch = state.range(0);
  for (auto _ : state) {
    pqxx::work tx(schema->Connection());
    saga::outbox::OutboxBuffer buffer;
    for (std::int64_t i = 0; i < batch; ++i)
      buffer.Publish("bench.topic", Event(saga::core::NewId<saga::core::OrderId>()));
    buffer.Flush(tx);
    tx.commit();
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_OutboxBufferFlush)->Arg(1)->Arg(10)->Arg(100)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
