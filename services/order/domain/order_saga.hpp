#pragma once
// OrderCreationSaga: the state machine that moves an order through inventory and payment and
// always ends it in a consistent terminal state. Pure: it decides, the app layer persists the
// instance, the order's new status and the commands in one transaction.
//
//   ReservingInventory --InventoryReserved--> ProcessingPayment --PaymentCompleted-->
//   CommittingInventory --InventoryCommitted--> Completed
//
// Failures and cancellation compensate backwards: RefundingPayment (when money may have been
// taken) --RefundCompleted--> ReleasingInventory (gives back held or sold stock)
// --InventoryReleased--> Failed | Cancelled (the compensation's target). Out of stock ends in
// Failed at once (nothing is held, nothing was charged).
//
// Every non-terminal state has a deadline. A forward step that times out is retried (its
// command is repeatable) up to max_step_attempts, then compensated; a compensation that times
// out is retried with exponential backoff up to max_compensation_attempts, then the saga stops
// in CompensationFailed for an operator (no hot loop). A compensation reply that arrives late
// still finishes it. Replies that no longer fit the state are ignored, except that a late
// reservation or a late charge after the saga ended is compensated again (repeatable commands).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "saga/core/ids.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/order/domain/order_status.hpp"

namespace saga::order {

enum class SagaState {
  kReservingInventory,
  kProcessingPayment,
  kCommittingInventory,
  kCompleted,
  kRefundingPayment,
  kReleasingInventory,
  kFailed,
  kCancelled,
  kCompensationFailed,
};

[[nodiscard]] std::string_view ToString(SagaState state) noexcept;
[[nodiscard]] std::optional<SagaState> ParseSagaState(std::string_view text) noexcept;
/// Failed and Cancelled: nothing more happens. (Completed may still be cancelled;
/// CompensationFailed waits for an operator or a late reply.)
[[nodiscard]] bool IsTerminal(SagaState state) noexcept;
/// No further step is running: terminal, Completed or CompensationFailed.
[[nodiscard]] bool IsAtRest(SagaState state) noexcept;

/// What the saga reacts to.
enum class SagaInput {
  kInventoryReserved,
  kInventoryReservationFailed,  // also a commit that found the hold expired
  kPaymentCompleted,
  kPaymentFailed,
  kInventoryCommitted,
  kInventoryReleased,
  kRefundCompleted,
  kCancelRequested,
  kDeadlinePassed,
};

[[nodiscard]] std::string_view ToString(SagaInput input) noexcept;

/// Commands the saga sends (the app layer builds their payloads from the order).
enum class SagaCommand {
  kReserveInventory,
  kProcessPayment,
  kCommitInventory,
  kRefundPayment,
  kReleaseInventory
};

[[nodiscard]] std::string_view ToString(SagaCommand command) noexcept;

struct SagaPolicy {
  std::chrono::milliseconds reserve_timeout{10000};
  std::chrono::milliseconds payment_timeout{15000};
  std::chrono::milliseconds commit_timeout{10000};
  /// First wait for a compensation reply; doubled per attempt.
  std::chrono::milliseconds compensation_timeout{5000};
  std::chrono::milliseconds max_compensation_backoff{60000};
  int max_step_attempts = 3;
  int max_compensation_attempts = 5;
};

enum class SagaError {
  kAlreadyEnded,  // Failed or Cancelled
  kCompensating,  // a compensation is running
  kAtRest,        // operator actions: Completed, Failed or Cancelled, nothing runs
};

[[nodiscard]] std::string_view ToString(SagaError error) noexcept;

/// What one input did.
struct SagaDecision {
  bool applied = false;  // false: the input was ignored (logged only)
  std::optional<SagaState> from;
  std::vector<SagaCommand> commands;
  /// The order's status to move to (through the intermediate statuses when needed).
  std::optional<OrderStatus> order_status;
  /// Human-readable why, for the saga log.
  std::string detail;
};

class SagaInstance {
 public:
  static constexpr int kDefinitionVersion = 1;

  /// A new saga for an order: ReservingInventory, deadline set; commands: ReserveInventory.
  /// `correlation_id` ties the saga's messages and log lines together; `traceparent` (W3C) is
  /// the span of the request that placed the order, the parent of the saga's messages.
  [[nodiscard]] static SagaInstance Start(core::SagaId id, core::OrderId order_id, std::string payment_token,
                                          std::string correlation_id, std::string traceparent,
                                          core::Timestamp now, const SagaPolicy& policy);
  /// Rebuilds a stored saga (repositories only).
  [[nodiscard]] static SagaInstance Restore(core::SagaId id, core::OrderId order_id, SagaState state,
                                            std::optional<SagaState> target, std::string outcome,
                                            std::string payment_token, std::string correlation_id,
                                            std::string traceparent,
                                            std::optional<core::Timestamp> deadline, int step_attempts,
                                            int compensation_attempts, int definition_version,
                                            core::Timestamp created_at, core::Timestamp updated_at,
                                            std::int64_t version);

  /// Reacts to a reply or the deadline. `reason` is the reply's reason (why stock or payment
  /// failed). Never fails: inputs that do not fit are ignored (applied = false).
  SagaDecision Handle(SagaInput input, const std::string& reason, core::Timestamp now,
                      const SagaPolicy& policy);
  /// A cancellation request: refused when the saga already ended or is compensating.
  [[nodiscard]] core::Result<SagaDecision, SagaError> Cancel(const std::string& reason, core::Timestamp now,
                                                             const SagaPolicy& policy);
  /// Operator: sends the running step's command again now (a forward step or a compensation
  /// step: all are repeatable), with a fresh deadline and its attempts reset. A saga in
  /// CompensationFailed restarts its compensation from the refund (a no-op refund when nothing
  /// was charged). Refused (kAtRest) for Completed, Failed and Cancelled.
  [[nodiscard]] core::Result<SagaDecision, SagaError> OperatorRetry(core::Timestamp now, const SagaPolicy& policy);
  /// Operator: compensates a forward step towards Failed (outcome CompensatedByOperator;
  /// `reason` goes to the saga log), or restarts the compensation of a CompensationFailed saga.
  /// Refused while a compensation runs (kCompensating) and at rest (kAtRest: a Completed order is
  /// undone by cancelling it).
  [[nodiscard]] core::Result<SagaDecision, SagaError> ForceCompensate(const std::string& reason,
                                                                      core::Timestamp now,
                                                                      const SagaPolicy& policy);

  [[nodiscard]] const core::SagaId& Id() const noexcept { return id_; }
  [[nodiscard]] const core::OrderId& OrderId() const noexcept { return order_id_; }
  [[nodiscard]] SagaState State() const noexcept { return state_; }
  /// Where a running compensation ends: Failed or Cancelled.
  [[nodiscard]] std::optional<SagaState> Target() const noexcept { return target_; }
  /// Why the saga failed or was cancelled ("" otherwise).
  [[nodiscard]] const std::string& Outcome() const noexcept { return outcome_; }
  [[nodiscard]] const std::string& PaymentToken() const noexcept { return payment_token_; }
  [[nodiscard]] const std::string& CorrelationId() const noexcept { return correlation_id_; }
  /// The W3C traceparent that started the saga ("" for sagas stored before it was kept).
  [[nodiscard]] const std::string& Traceparent() const noexcept { return traceparent_; }
  [[nodiscard]] const std::optional<core::Timestamp>& Deadline() const noexcept { return deadline_; }
  [[nodiscard]] int StepAttempts() const noexcept { return step_attempts_; }
  [[nodiscard]] int CompensationAttempts() const noexcept { return compensation_attempts_; }
  [[nodiscard]] int DefinitionVersion() const noexcept { return definition_version_; }
  [[nodiscard]] core::Timestamp CreatedAt() const noexcept { return created_at_; }
  [[nodiscard]] core::Timestamp UpdatedAt() const noexcept { return updated_at_; }
  [[nodiscard]] std::int64_t Version() const noexcept { return version_; }
  void MarkPersisted(std::int64_t version) noexcept { version_ = version; }

 private:
  SagaInstance() = default;
  void MoveTo(SagaState state, std::optional<core::Timestamp> deadline, core::Timestamp now);
  SagaDecision Forward(SagaState to, SagaCommand command, std::chrono::milliseconds timeout,
                       std::optional<OrderStatus> order_status, std::string detail, core::Timestamp now);
  /// Sends a forward step's command again and waits longer (the wait doubles per attempt).
  SagaDecision RetryStep(SagaCommand command, std::string_view participant, std::chrono::milliseconds timeout,
                         core::Timestamp now);
  /// Starts (or restarts) compensation towards `target` from the right step.
  SagaDecision Compensate(bool money_may_be_taken, SagaState target, std::string reason, core::Timestamp now,
                          const SagaPolicy& policy);
  SagaDecision End(SagaDecision decision, core::Timestamp now);
  [[nodiscard]] std::chrono::milliseconds CompensationWait(const SagaPolicy& policy) const;

  core::SagaId id_;
  core::OrderId order_id_;
  SagaState state_ = SagaState::kReservingInventory;
  std::optional<SagaState> target_;
  std::string outcome_;
  std::string payment_token_;
  std::string correlation_id_;
  std::string traceparent_;
  std::optional<core::Timestamp> deadline_;
  int step_attempts_ = 0;
  int compensation_attempts_ = 0;
  int definition_version_ = kDefinitionVersion;
  core::Timestamp created_at_{};
  core::Timestamp updated_at_{};
  std::int64_t version_ = 0;
};

}  // namespace saga::order
