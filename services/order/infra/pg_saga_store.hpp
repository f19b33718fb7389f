#pragma once
// PostgreSQL implementations of the saga ports (tables sagas and saga_log, migration 4, and
// the outbox): PgSagaUnitOfWork works inside a given transaction (a consumer's inbox
// transaction, or one PgSagaTransactions opens); PgSagaQueries reads on the pool.

#include <functional>
#include <memory>
#include <vector>

#include "saga/outbox/reliable_consumer.hpp"
#include "saga/pg/pool.hpp"
#include "services/order/app/saga_orchestrator.hpp"
#include "services/order/app/saga_store.hpp"
#include "services/order/infra/pg_order_repository.hpp"

namespace saga::order {

/// ONE transaction's view of orders and sagas: a consumer's inbox transaction (for every reply
/// of a batch; see MakeSagaReplyHandler) or one PgSagaTransactions opens. Rows it read are kept
/// (locked) for the rest of the transaction, so the replies of one batch see each other's changes
/// without reading again; writes that return nothing to the caller (new orders with their items,
/// new sagas, order and saga updates, saga log lines, outbox rows) are put off and sent by
/// Flush() as ONE statement (pg::BulkStatement), which whoever commits calls first. Version
/// checks stay exact: an update of a kept row at another version than it holds is a
/// core::ConcurrencyConflict at once; a row it did not read is kept at the version its caller
/// read (an order whose items changed is written at once, checked against its row); and Flush()
/// checks every row against the version it was read at. Creating an order or a saga it holds already is a
/// pg::ConstraintViolation at once (the primary key's or sagas_order_key). Not thread-safe.
class PgSagaUnitOfWork final : public ISagaUnitOfWork, public outbox::TransactionWork {
 public:
  /// `after_commit` collects what AfterCommit() is given; its owner runs it after the commit
  /// (the consumer's HandlerContext::after_commit, or PgSagaTransactions).
  PgSagaUnitOfWork(pqxx::transaction_base& tx, std::vector<std::function<void()>>& after_commit);
  /// The same over a transaction `tx()` gives when the unit of work first needs one (a read, or
  /// Flush()): PgSagaTransactions begins it then, so that a unit of work that only writes can
  /// send its one statement with Flush(autocommitted) instead.
  PgSagaUnitOfWork(std::function<pqxx::transaction_base&()> tx,
                   std::vector<std::function<void()>>& after_commit);
  ~PgSagaUnitOfWork() override;
  PgSagaUnitOfWork(const PgSagaUnitOfWork&) = delete;
  PgSagaUnitOfWork& operator=(const PgSagaUnitOfWork&) = delete;

  IOrderRepository& Orders() override;
  [[nodiscard]] std::optional<SagaInstance> LockSaga(const core::OrderId& order_id) override;
  void CreateSaga(SagaInstance& saga) override;
  void UpdateSaga(SagaInstance& saga) override;
  void AppendLog(const SagaInstance& saga, const SagaLogEntry& entry) override;
  void Publish(const std::string& topic, const contracts::Envelope& envelope) override;
  [[nodiscard]] std::vector<SagaInstance> LockDue(core::Timestamp now, int limit) override;
  [[nodiscard]] std::vector<core::OrderId> LockAbandoned(core::Timestamp created_before, int limit) override;
  void AfterCommit(std::function<void()> action) override { after_commit_.push_back(std::move(action)); }

  /// Reads and locks the orders of `order_ids` with their items and sagas in ONE statement (in
  /// order id order, each order before its saga, as every other path locks them), so that the
  /// replies of a batch find them here. An order without a saga is not read (a later read loads
  /// it alone).
  void Prefetch(const std::vector<core::OrderId>& order_ids);
  /// The query Prefetch runs, its order ids in parameter $`parameter` (a uuid array literal),
  /// for a statement that runs it (SagaReplyLoad).
  [[nodiscard]] static std::string PrefetchQuery(int parameter);
  /// Keeps rows of PrefetchQuery read elsewhere, as Prefetch keeps its own.
  void Adopt(const std::vector<pqxx::row>& rows);
  /// Sends the writes put off so far in ONE statement: new orders, items and sagas, order and saga
  /// updates, saga log lines, outbox rows (parts with nothing to send left out; nothing sent when
  /// there is nothing). Throws like any statement (ConcurrencyConflict when a row changed since
  /// it was read).
  void Flush() override;
  /// Flush() on `tx` (e.g. a pqxx::nontransaction: the statement is then its own transaction).
  void Flush(pqxx::transaction_base& tx);
  /// Writes put off and not sent yet.
  [[nodiscard]] bool Unflushed() const;
  /// No update of a stored row is put off (only new rows, log lines and outbox rows): the flush
  /// has no version check to make after its statement, so it may run autocommitted.
  [[nodiscard]] bool OnlyNewRows() const;
  /// Outbox rows appended so far (Publish).
  [[nodiscard]] int Published() const noexcept;

 private:
  class TxOrders;
  struct Kept;
  std::function<pqxx::transaction_base&()> tx_;
  std::unique_ptr<Kept> kept_;
  std::unique_ptr<TxOrders> orders_;
  std::vector<std::function<void()>>& after_commit_;
};

/// The order saga's handler of replies (consumer order-saga): one PgSagaUnitOfWork per inbox
/// transaction, which takes the orders and sagas of all the transaction's replies read at once
/// (SagaReplyLoad's rows, or Prefetch) and is flushed by the consumer before it commits.
[[nodiscard]] outbox::MessageHandler MakeSagaReplyHandler(const SagaOrchestrator& orchestrator);

/// ConsumerConfig::load of the order saga's replies: the orders and sagas of the replies a
/// transaction takes (PrefetchQuery), read and locked by the statement that records its inbox
/// rows; nothing when none of them is a reply the saga takes.
[[nodiscard]] std::optional<outbox::BatchLoad> SagaReplyLoad(
    const std::vector<const contracts::Envelope*>& taken, int first_parameter);

/// Each Run() is a transaction on a pooled connection, begun at the unit of work's first read; a
/// unit of work that only inserts (placing an order) is one autocommitted statement, without
/// BEGIN and COMMIT round trips. `published`, when given, runs after a
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
