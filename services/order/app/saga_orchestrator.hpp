#pragma once
// SagaOrchestrator: runs the OrderCreationSaga (domain/order_saga.hpp) against a unit of work.
// Each call handles one input completely inside the caller's transaction: it locks the order
// and its saga, lets the state machine decide, moves the order's status, appends the commands
// and events to the outbox, writes the saga log, and stores the saga (version-checked).
// Messages are keyed by order id, so one order's commands reach a participant in the order
// they were sent. Each committed change is reported to ISagaMetrics (after the commit), and every
// line logged while working on a saga carries its saga, order, correlation and trace ids.
// Thread-safety: stateless apart from its configuration.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "saga/contracts/envelope.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/order/app/payment_token_sealer.hpp"
#include "services/order/app/saga_metrics.hpp"
#include "services/order/app/saga_store.hpp"

namespace saga::order {

struct SagaSettings {
  SagaPolicy policy;
  /// How long inventory holds stock that is not committed (ReserveInventory.expiresAt).
  std::chrono::seconds reservation_ttl{900};
  /// When an order without a saga counts as abandoned.
  std::chrono::seconds abandoned_after{3600};
};

struct CancelRefusal {
  enum class Kind { kNotFound, kVersionMismatch, kAlreadyEnded, kCompensating };
  Kind kind = Kind::kNotFound;
  std::int64_t current_version = 0;
  std::string current_status;
};

/// Why an operator action on a saga was refused; `state` is the saga's state then.
struct OperatorRefusal {
  enum class Kind { kNotFound, kAtRest, kCompensating };
  Kind kind = Kind::kNotFound;
  std::string state;
};

class SagaOrchestrator {
 public:
  SagaOrchestrator(const core::Clock& clock, SagaSettings settings, ISagaMetrics& metrics,
                   const IPaymentTokenSealer& sealer)
      : clock_(clock), settings_(settings), metrics_(metrics), sealer_(sealer) {}

  /// Stores a new order (version 1) and starts its saga: OrderCreated and ReserveInventory go
  /// out with it. The order must be new (Status Created, not stored). `traceparent` (the
  /// request's span; invalid or "" starts a new trace) becomes the parent of its messages.
  /// `payment_token` is sealed for the new saga at once; only the sealed text is kept.
  void Start(ISagaUnitOfWork& uow, Order& order, const std::string& payment_token,
             const std::string& correlation_id, const std::string& traceparent) const;

  /// Applies a reply of a participant (inventory and payment events). Replies for unknown
  /// orders and types the saga does not use are ignored.
  void OnReply(ISagaUnitOfWork& uow, const contracts::Envelope& reply) const;
  /// True for the reply types OnReply acts on (the others are ignored there, so a consumer may
  /// pass them over without a transaction).
  [[nodiscard]] static bool TakesReply(std::string_view type);

  /// Asks the order's saga to cancel (compensation starts; the order becomes Cancelled when it
  /// ends). With `expected_version`, only if the order is at that version.
  [[nodiscard]] core::Result<Order, CancelRefusal> Cancel(ISagaUnitOfWork& uow, const core::OrderId& order_id,
                                                          std::optional<std::int64_t> expected_version,
                                                          const std::string& reason) const;

  /// Operator: sends the order's running saga step again (SagaInstance::OperatorRetry).
  [[nodiscard]] core::Result<SagaInstance, OperatorRefusal> RetryStep(ISagaUnitOfWork& uow,
                                                                      const core::OrderId& order_id) const;
  /// Operator: compensates the order's saga (SagaInstance::ForceCompensate); `reason` goes to the log.
  [[nodiscard]] core::Result<SagaInstance, OperatorRefusal> ForceCompensate(ISagaUnitOfWork& uow,
                                                                            const core::OrderId& order_id,
                                                                            const std::string& reason) const;

  /// Fires the deadlines that passed (at most `limit`); returns how many.
  int SweepDeadlines(ISagaUnitOfWork& uow, int limit) const;
  /// Order clean-up: orders without a saga that are older than `abandoned_after` and not ended
  /// are Failed ("Abandoned"), with their events (at most `limit`); returns how many.
  int CleanUpAbandoned(ISagaUnitOfWork& uow, int limit) const;

  [[nodiscard]] const SagaSettings& Settings() const noexcept { return settings_; }

 private:
  /// Where a saga was before an input moved it (for step latencies).
  struct Before {
    SagaState state;
    core::Timestamp since;
  };
  /// Locks the order's saga, lets `act` decide and applies the decision as input `input`.
  [[nodiscard]] core::Result<SagaInstance, OperatorRefusal> Operate(
      ISagaUnitOfWork& uow, const core::OrderId& order_id, const std::string& input,
      const std::function<core::Result<SagaDecision, SagaError>(SagaInstance&)>& act) const;
  /// Persists what a decision says, with `cause` (the reply, if any) in the log.
  void Apply(ISagaUnitOfWork& uow, SagaInstance& saga, Order& order, const SagaDecision& decision,
             const std::string& input, const contracts::Envelope* cause, Before before) const;
  /// Reports what the decision did to ISagaMetrics once `uow` committed.
  void Report(ISagaUnitOfWork& uow, const SagaInstance& saga, const SagaDecision& decision,
              const std::string& input, bool is_reply, Before before) const;
  [[nodiscard]] contracts::Envelope Message(const SagaInstance& saga, std::string_view type,
                                            nlohmann::json payload, const contracts::Envelope* cause) const;
  void Send(ISagaUnitOfWork& uow, const SagaInstance& saga, const Order& order, SagaCommand command,
            const contracts::Envelope* cause) const;

  const core::Clock& clock_;
  SagaSettings settings_;
  ISagaMetrics& metrics_;
  const IPaymentTokenSealer& sealer_;
};

}  // namespace saga::order
