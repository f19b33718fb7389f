#pragma once
// Ports through which the saga orchestrator persists: a unit of work is ONE database
// transaction holding the order, its saga instance, the saga log and the outbox, so a saga
// transition, the order's status, the commands and events it sends (and, in a consumer, the
// inbox record of the reply that caused it) commit together or not at all.
// Implemented by infra/pg_saga_store (PostgreSQL) and by fakes in tests.
// Infrastructure failures throw core::InfraError; a lost race core::ConcurrencyConflict.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "saga/contracts/envelope.hpp"
#include "saga/core/ids.hpp"
#include "saga/core/time.hpp"
#include "services/order/domain/order_repository.hpp"
#include "services/order/domain/order_saga.hpp"

namespace saga::order {

/// One line of a saga's timeline (table saga_log).
struct SagaLogEntry {
  core::Timestamp at;
  /// "started", "transition", "command", "event", "ignored", "deadline", "cancel".
  std::string kind;
  std::string from_state;
  std::string to_state;
  std::string message_type;
  std::optional<core::MessageId> message_id;
  std::string detail;
};

class ISagaUnitOfWork {
 public:
  virtual ~ISagaUnitOfWork() = default;
  /// Orders in this transaction; Get() locks the order's row until the transaction ends.
  virtual IOrderRepository& Orders() = 0;
  /// The order's saga, locked until the transaction ends.
  [[nodiscard]] virtual std::optional<SagaInstance> LockSaga(const core::OrderId& order_id) = 0;
  virtual void CreateSaga(SagaInstance& saga) = 0;
  /// Version-checked (ConcurrencyConflict); bumps the version.
  virtual void UpdateSaga(SagaInstance& saga) = 0;
  virtual void AppendLog(const SagaInstance& saga, const SagaLogEntry& entry) = 0;
  /// Appends a message to the outbox of this transaction.
  virtual void Publish(const std::string& topic, const contracts::Envelope& envelope) = 0;
  /// Up to `limit` sagas whose deadline is at or before `now`, locked; rows another instance
  /// holds are skipped (SKIP LOCKED), so several sweepers share the work.
  [[nodiscard]] virtual std::vector<SagaInstance> LockDue(core::Timestamp now, int limit) = 0;
  /// Up to `limit` orders that never got a saga (stored before sagas existed, or by a tool) and
  /// are not ended, created before `created_before`; locked, SKIP LOCKED.
  [[nodiscard]] virtual std::vector<core::OrderId> LockAbandoned(core::Timestamp created_before,
                                                                 int limit) = 0;
  /// Runs `action` once this unit of work committed (never if it rolls back). Must not throw.
  virtual void AfterCommit(std::function<void()> action) = 0;
};

/// Runs a unit of work in a transaction of its own (REST requests, the sweeper).
class ISagaTransactions {
 public:
  virtual ~ISagaTransactions() = default;
  virtual void Run(const std::function<void(ISagaUnitOfWork&)>& work) = 0;
};

/// Counts of sagas per state, for operators.
struct SagaStateCount {
  SagaState state;
  std::int64_t count = 0;
};

/// Reads for the API and operators.
class ISagaQueries {
 public:
  virtual ~ISagaQueries() = default;
  [[nodiscard]] virtual std::optional<SagaInstance> GetSaga(const core::OrderId& order_id) = 0;
  [[nodiscard]] virtual std::vector<SagaLogEntry> GetLog(const core::SagaId& saga_id) = 0;
  /// Sagas in `state`, oldest update first, at most `limit`.
  /// Sagas in `state`, least recently updated first; only those updated before
  /// `updated_before` when given.
  [[nodiscard]] virtual std::vector<SagaInstance> ListInState(SagaState state, int limit,
                                                              std::optional<core::Timestamp> updated_before) = 0;
  [[nodiscard]] virtual std::vector<SagaStateCount> CountByState() = 0;
};

}  // namespace saga::order
