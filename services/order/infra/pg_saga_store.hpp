#pragma once
// PostgreSQL implementations of the saga ports (tables sagas and saga_log, migration 4, and
// the outbox): PgSagaUnitOfWork works inside a given transaction (a consumer's inbox
// transaction, or one PgSagaTransactions opens); PgSagaQueries reads on the pool.

#include <functional>

#include "saga/pg/pool.hpp"
#include "services/order/app/saga_store.hpp"
#include "services/order/infra/pg_order_repository.hpp"

namespace saga::order {

class PgSagaUnitOfWork final : public ISagaUnitOfWork {
 public:
  /// `after_commit` collects what AfterCommit() is given; its owner runs it after the commit
  /// (the consumer's HandlerContext::after_commit, or PgSagaTransactions).
  PgSagaUnitOfWork(pqxx::transaction_base& tx, std::vector<std::function<void()>>& after_commit)
      : tx_(tx), orders_(tx), after_commit_(after_commit) {}

  IOrderRepository& Orders() override { return orders_; }
  [[nodiscard]] std::optional<SagaInstance> LockSaga(const core::OrderId& order_id) override;
  void CreateSaga(SagaInstance& saga) override;
  void UpdateSaga(SagaInstance& saga) override;
  void AppendLog(const SagaInstance& saga, const SagaLogEntry& entry) override;
  void Publish(const std::string& topic, const contracts::Envelope& envelope) override;
  [[nodiscard]] std::vector<SagaInstance> LockDue(core::Timestamp now, int limit) override;
  [[nodiscard]] std::vector<core::OrderId> LockAbandoned(core::Timestamp created_before, int limit) override;
  void AfterCommit(std::function<void()> action) override { after_commit_.push_back(std::move(action)); }
  /// Outbox rows appended so far (Publish).
  [[nodiscard]] int Published() const noexcept { return published_; }

 private:
  pqxx::transaction_base& tx_;
  PgOrderRepository orders_;
  std::vector<std::function<void()>>& after_commit_;
  int published_ = 0;
};

/// Each Run() is a transaction on a pooled connection. `published`, when given, runs after a
/// commit that appended outbox rows (the service wires OutboxRelay::Notify, so the messages of
/// a POST or a sweep go out now rather than at the relay's next poll).
class PgSagaTransactions final : public ISagaTransactions {
 public:
  explicit PgSagaTransactions(pg::ConnectionPool& pool, std::function<void()> published = {})
      : pool_(pool), published_(std::move(published)) {}
  void Run(const std::function<void(ISagaUnitOfWork&)>& work) override;

 private:
  pg::ConnectionPool& pool_;
  std::function<void()> published_;
};

class PgSagaQueries final : public ISagaQueries {
 public:
  explicit PgSagaQueries(pg::ConnectionPool& pool) : pool_(pool) {}
  [[nodiscard]] std::optional<SagaInstance> GetSaga(const core::OrderId& order_id) override;
  [[nodiscard]] std::vector<SagaLogEntry> GetLog(const core::SagaId& saga_id) override;
  [[nodiscard]] std::vector<SagaInstance> ListInState(SagaState state, int limit,
                                                      std::optional<core::Timestamp> updated_before) override;
  [[nodiscard]] std::vector<SagaStateCount> CountByState() override;

 private:
  pg::ConnectionPool& pool_;
};

}  // namespace saga::order
