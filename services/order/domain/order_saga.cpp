#include "services/order/domain/order_saga.hpp"

#include <algorithm>
#include <array>

#include "saga/core/enum_names.hpp"

namespace saga::order {
namespace {

constexpr std::array<SagaState, 9> kAllSagaStates = {SagaState::kReservingInventory,
                                                     SagaState::kProcessingPayment,
                                                     SagaState::kCommittingInventory,
                                                     SagaState::kCompleted,
                                                     SagaState::kRefundingPayment,
                                                     SagaState::kReleasingInventory,
                                                     SagaState::kFailed,
                                                     SagaState::kCancelled,
                                                     SagaState::kCompensationFailed};

std::chrono::microseconds Micros(std::chrono::milliseconds ms) {
  return std::chrono::duration_cast<std::chrono::microseconds>(ms);
}

}  // namespace

std::string_view ToString(SagaState state) noexcept {
  switch (state) {
    case SagaState::kReservingInventory:
      return "ReservingInventory";
    case SagaState::kProcessingPayment:
      return "ProcessingPayment";
    case SagaState::kCommittingInventory:
      return "CommittingInventory";
    case SagaState::kCompleted:
      return "Completed";
    case SagaState::kRefundingPayment:
      return "RefundingPayment";
    case SagaState::kReleasingInventory:
      return "ReleasingInventory";
    case SagaState::kFailed:
      return "Failed";
    case SagaState::kCancelled:
      return "Cancelled";
    case SagaState::kCompensationFailed:
      return "CompensationFailed";
  }
  return "Unknown";
}

std::optional<SagaState> ParseSagaState(std::string_view text) noexcept {
  return core::ParseByName(text, kAllSagaStates);
}

bool IsTerminal(SagaState state) noexcept {
  return state == SagaState::kFailed || state == SagaState::kCancelled;
}

bool IsAtRest(SagaState state) noexcept {
  return IsTerminal(state) || state == SagaState::kCompleted || state == SagaState::kCompensationFailed;
}

std::string_view ToString(SagaInput input) noexcept {
  switch (input) {
    case SagaInput::kInventoryReserved:
      return "InventoryReserved";
    case SagaInput::kInventoryReservationFailed:
      return "InventoryReservationFailed";
    case SagaInput::kPaymentCompleted:
      return "PaymentCompleted";
    case SagaInput::kPaymentFailed:
      return "PaymentFailed";
    case SagaInput::kInventoryCommitted:
      return "InventoryCommitted";
    case SagaInput::kInventoryReleased:
      return "InventoryReleased";
    case SagaInput::kRefundCompleted:
      return "RefundCompleted";
    case SagaInput::kCancelRequested:
      return "CancelRequested";
    case SagaInput::kDeadlinePassed:
      return "DeadlinePassed";
  }
  return "Unknown";
}

std::string_view ToString(SagaCommand command) noexcept {
  switch (command) {
    case SagaCommand::kReserveInventory:
      return "ReserveInventory";
    case SagaCommand::kProcessPayment:
      return "ProcessPayment";
    case SagaCommand::kCommitInventory:
      return "CommitInventory";
    case SagaCommand::kRefundPayment:
      return "RefundPayment";
    case SagaCommand::kReleaseInventory:
      return "ReleaseInventory";
  }
  return "Unknown";
}

std::string_view ToString(SagaError error) noexcept {
  switch (error) {
    case SagaError::kAlreadyEnded:
      return "the order's saga has already ended";
    case SagaError::kCompensating:
      return "the order is already being compensated";
    case SagaError::kAtRest:
      return "the saga is at rest (Completed, Failed or Cancelled): no step is running";
  }
  return "unknown saga error";
}

SagaInstance SagaInstance::Start(core::SagaId id, core::OrderId order_id, std::string payment_token,
                                 std::string correlation_id, std::string traceparent, core::Timestamp now,
                                 const SagaPolicy& policy) {
  SagaInstance saga;
  saga.traceparent_ = std::move(traceparent);
  saga.id_ = id;
  saga.order_id_ = order_id;
  saga.payment_token_ = std::move(payment_token);
  saga.correlation_id_ = std::move(correlation_id);
  saga.state_ = SagaState::kReservingInventory;
  saga.deadline_ = now + Micros(policy.reserve_timeout);
  saga.created_at_ = now;
  saga.updated_at_ = now;
  return saga;
}

SagaInstance SagaInstance::Restore(core::SagaId id, core::OrderId order_id, SagaState state,
                                   std::optional<SagaState> target, std::string outcome,
                                   std::string payment_token, std::string correlation_id,
                                   std::string traceparent, std::optional<core::Timestamp> deadline,
                                   int step_attempts, int compensation_attempts, int definition_version,
                                   core::Timestamp created_at, core::Timestamp updated_at,
                                   std::int64_t version) {
  SagaInstance saga;
  saga.id_ = id;
  saga.order_id_ = order_id;
  saga.state_ = state;
  saga.target_ = target;
  saga.outcome_ = std::move(outcome);
  saga.payment_token_ = std::move(payment_token);
  saga.correlation_id_ = std::move(correlation_id);
  saga.traceparent_ = std::move(traceparent);
  saga.deadline_ = deadline;
  saga.step_attempts_ = step_attempts;
  saga.compensation_attempts_ = compensation_attempts;
  saga.definition_version_ = definition_version;
  saga.created_at_ = created_at;
  saga.updated_at_ = updated_at;
  saga.version_ = version;
  return saga;
}

void SagaInstance::MoveTo(SagaState state, std::optional<core::Timestamp> deadline, core::Timestamp now) {
  state_ = state;
  deadline_ = deadline;
  updated_at_ = now;
}

SagaDecision SagaInstance::Forward(SagaState to, SagaCommand command, std::chrono::milliseconds timeout,
                                   std::optional<OrderStatus> order_status, std::string detail,
                                   core::Timestamp now) {
  SagaDecision decision;
  decision.applied = true;
  decision.from = state_;
  decision.commands = {command};
  decision.order_status = order_status;
  decision.detail = std::move(detail);
  step_attempts_ = 0;
  MoveTo(to, now + Micros(timeout), now);
  return decision;
}

std::chrono::milliseconds SagaInstance::CompensationWait(const SagaPolicy& policy) const {
  const int doublings = std::min(compensation_attempts_, 16);
  const auto wait = policy.compensation_timeout * (1LL << doublings);
  return std::min<std::chrono::milliseconds>(wait, policy.max_compensation_backoff);
}

SagaDecision SagaInstance::RetryStep(SagaCommand command, std::string_view participant,
                                     std::chrono::milliseconds timeout, core::Timestamp now) {
  ++step_attempts_;
  SagaDecision retry;
  retry.applied = true;
  retry.from = state_;
  retry.commands = {command};
  retry.detail = "no answer from " + std::string(participant) + "; retry " + std::to_string(step_attempts_);
  MoveTo(state_, now + Micros(timeout * (1LL << step_attempts_)), now);
  return retry;
}

SagaDecision SagaInstance::Compensate(bool money_may_be_taken, SagaState target, std::string reason,
                                      core::Timestamp now, const SagaPolicy& policy) {
  SagaDecision decision;
  decision.applied = true;
  decision.from = state_;
  target_ = target;
  if (outcome_.empty()) outcome_ = std::move(reason);
  decision.detail = "compensating towards " + std::string(ToString(target)) + ": " + outcome_;
  compensation_attempts_ = 0;
  const auto to = money_may_be_taken ? SagaState::kRefundingPayment : SagaState::kReleasingInventory;
  decision.commands = {money_may_be_taken ? SagaCommand::kRefundPayment : SagaCommand::kReleaseInventory};
  MoveTo(to, now + Micros(CompensationWait(policy)), now);
  return decision;
}

SagaDecision SagaInstance::End(SagaDecision decision, core::Timestamp now) {
  const auto target = target_.value_or(SagaState::kFailed);
  decision.applied = true;
  decision.from = state_;
  decision.order_status = target == SagaState::kCancelled ? OrderStatus::kCancelled : OrderStatus::kFailed;
  MoveTo(target, std::nullopt, now);
  return decision;
}

SagaDecision SagaInstance::Handle(SagaInput input, const std::string& reason, core::Timestamp now,
                                  const SagaPolicy& policy) {
  SagaDecision ignored;
  ignored.detail = std::string(ToString(input)) + " ignored in " + std::string(ToString(state_));
  using S = SagaState;
  using I = SagaInput;
  switch (state_) {
    case S::kReservingInventory:
      switch (input) {
        case I::kInventoryReserved:
          return Forward(S::kProcessingPayment, SagaCommand::kProcessPayment, policy.payment_timeout,
                         OrderStatus::kPaymentProcessing, "stock held; charging", now);
        case I::kInventoryReservationFailed: {
          // Nothing is held and nothing was charged: the saga ends here.
          target_ = S::kFailed;
          outcome_ = reason.empty() ? "InventoryUnavailable" : reason;
          SagaDecision decision;
          decision.detail = "stock could not be held: " + outcome_;
          return End(std::move(decision), now);
        }
        case I::kDeadlinePassed:
          if (step_attempts_ + 1 < policy.max_step_attempts) {
            return RetryStep(SagaCommand::kReserveInventory, "inventory", policy.reserve_timeout, now);
          }
          // A late reservation is released by the compensation (commands of one order stay in order).
          return Compensate(false, S::kFailed, "InventoryTimeout", now, policy);
        default:
          return ignored;
      }
    case S::kProcessingPayment:
      switch (input) {
        case I::kPaymentCompleted:
          return Forward(S::kCommittingInventory, SagaCommand::kCommitInventory, policy.commit_timeout,
                         std::nullopt, "charged; committing the stock", now);
        case I::kPaymentFailed:
          return Compensate(false, S::kFailed, reason.empty() ? "PaymentFailed" : reason, now, policy);
        case I::kDeadlinePassed:
          if (step_attempts_ + 1 < policy.max_step_attempts) {
            return RetryStep(SagaCommand::kProcessPayment, "payment", policy.payment_timeout, now);
          }
          // The charge may have happened: refund first (a no-op when nothing was charged).
          return Compensate(true, S::kFailed, "PaymentTimeout", now, policy);
        default:
          return ignored;
      }
    case S::kCommittingInventory:
      switch (input) {
        case I::kInventoryCommitted: {
          SagaDecision decision;
          decision.applied = true;
          decision.from = state_;
          decision.order_status = OrderStatus::kCompleted;
          decision.detail = "stock sold and payment taken";
          MoveTo(S::kCompleted, std::nullopt, now);
          return decision;
        }
        case I::kInventoryReservationFailed:
          return Compensate(true, S::kFailed, reason.empty() ? "ReservationExpired" : reason, now, policy);
        case I::kDeadlinePassed:
          if (step_attempts_ + 1 < policy.max_step_attempts) {
            return RetryStep(SagaCommand::kCommitInventory, "inventory", policy.commit_timeout, now);
          }
          return Compensate(true, S::kFailed, "CommitTimeout", now, policy);
        default:
          return ignored;
      }
    case S::kRefundingPayment:
    case S::kReleasingInventory:
    case S::kCompensationFailed: {
      const bool refunding = state_ == S::kRefundingPayment ||
                             (state_ == S::kCompensationFailed && input == I::kRefundCompleted);
      if (input == I::kRefundCompleted && refunding) {
        SagaDecision decision;
        decision.applied = true;
        decision.from = state_;
        decision.commands = {SagaCommand::kReleaseInventory};
        decision.detail = "refunded; releasing the stock";
        compensation_attempts_ = 0;
        MoveTo(S::kReleasingInventory, now + Micros(CompensationWait(policy)), now);
        return decision;
      }
      if (input == I::kInventoryReleased && state_ != S::kRefundingPayment) {
        SagaDecision decision;
        decision.detail = "stock given back";
        return End(std::move(decision), now);
      }
      if (input == I::kDeadlinePassed && state_ != S::kCompensationFailed) {
        SagaDecision retry;
        retry.applied = true;
        retry.from = state_;
        if (compensation_attempts_ + 1 >= policy.max_compensation_attempts) {
          retry.detail = "compensation gave up after " + std::to_string(compensation_attempts_ + 1) +
                         " attempts; an operator must finish it";
          ++compensation_attempts_;
          MoveTo(S::kCompensationFailed, std::nullopt, now);
          return retry;
        }
        ++compensation_attempts_;
        retry.commands = {state_ == S::kRefundingPayment ? SagaCommand::kRefundPayment
                                                         : SagaCommand::kReleaseInventory};
        retry.detail = "no answer to the compensation; retry " + std::to_string(compensation_attempts_);
        MoveTo(state_, now + Micros(CompensationWait(policy)), now);
        return retry;
      }
      return ignored;
    }
    case S::kCompleted:
      return ignored;
    case S::kFailed:
    case S::kCancelled:
      // Late replies after the end: give back what they took (the commands are repeatable).
      if (input == I::kInventoryReserved) {
        return SagaDecision{true, state_, {SagaCommand::kReleaseInventory}, std::nullopt,
                            "late reservation after the saga ended; releasing it"};
      }
      if (input == I::kPaymentCompleted) {
        return SagaDecision{true, state_, {SagaCommand::kRefundPayment}, std::nullopt,
                            "late charge after the saga ended; refunding it"};
      }
      return ignored;
  }
  return ignored;
}

core::Result<SagaDecision, SagaError> SagaInstance::Cancel(const std::string& reason, core::Timestamp now,
                                                           const SagaPolicy& policy) {
  using S = SagaState;
  switch (state_) {
    case S::kReservingInventory:
      // A reservation may be on its way: release (after it, in partition order).
      return Compensate(false, S::kCancelled, reason, now, policy);
    case S::kProcessingPayment:
    case S::kCommittingInventory:
    case S::kCompleted:
      // Money may be (or is) taken: refund, then give back held or sold stock.
      return Compensate(true, S::kCancelled, reason, now, policy);
    case S::kRefundingPayment:
    case S::kReleasingInventory:
    case S::kCompensationFailed:
      return core::Fail(SagaError::kCompensating);
    case S::kFailed:
    case S::kCancelled:
      return core::Fail(SagaError::kAlreadyEnded);
  }
  return core::Fail(SagaError::kAlreadyEnded);
}

core::Result<SagaDecision, SagaError> SagaInstance::OperatorRetry(core::Timestamp now, const SagaPolicy& policy) {
  using S = SagaState;
  SagaDecision decision;
  decision.applied = true;
  decision.from = state_;
  std::chrono::milliseconds wait{0};
  switch (state_) {
    case S::kReservingInventory:
      decision.commands = {SagaCommand::kReserveInventory};
      wait = policy.reserve_timeout;
      break;
    case S::kProcessingPayment:
      decision.commands = {SagaCommand::kProcessPayment};
      wait = policy.payment_timeout;
      break;
    case S::kCommittingInventory:
      decision.commands = {SagaCommand::kCommitInventory};
      wait = policy.commit_timeout;
      break;
    case S::kRefundingPayment:
    case S::kReleasingInventory:
      decision.commands = {state_ == S::kRefundingPayment ? SagaCommand::kRefundPayment
                                                          : SagaCommand::kReleaseInventory};
      compensation_attempts_ = 0;
      wait = CompensationWait(policy);
      break;
    case S::kCompensationFailed: {
      auto restarted = Compensate(true, target_.value_or(S::kFailed), "", now, policy);
      restarted.detail = "operator retry: restarting the compensation; " + restarted.detail;
      return restarted;
    }
    case S::kCompleted:
    case S::kFailed:
    case S::kCancelled:
      return core::Fail(SagaError::kAtRest);
  }
  if (decision.commands.empty()) return core::Fail(SagaError::kAtRest);
  if (state_ == S::kReservingInventory || state_ == S::kProcessingPayment || state_ == S::kCommittingInventory) {
    step_attempts_ = 0;
  }
  decision.detail = "operator retry: " + std::string(ToString(decision.commands.front())) + " sent again";
  MoveTo(state_, now + Micros(wait), now);
  return decision;
}

core::Result<SagaDecision, SagaError> SagaInstance::ForceCompensate(const std::string& reason, core::Timestamp now,
                                                                    const SagaPolicy& policy) {
  using S = SagaState;
  constexpr const char* kOutcome = "CompensatedByOperator";
  std::optional<SagaDecision> decision;
  switch (state_) {
    case S::kReservingInventory:
      // Nothing charged; a reservation may be on its way: release it (after it, in partition order).
      decision = Compensate(false, S::kFailed, kOutcome, now, policy);
      break;
    case S::kProcessingPayment:
    case S::kCommittingInventory:
      decision = Compensate(true, S::kFailed, kOutcome, now, policy);
      break;
    case S::kCompensationFailed:
      decision = Compensate(true, target_.value_or(S::kFailed), kOutcome, now, policy);
      break;
    case S::kRefundingPayment:
    case S::kReleasingInventory:
      return core::Fail(SagaError::kCompensating);
    case S::kCompleted:
    case S::kFailed:
    case S::kCancelled:
      return core::Fail(SagaError::kAtRest);
  }
  if (!decision) return core::Fail(SagaError::kAtRest);
  decision->detail = "operator compensation" + (reason.empty() ? std::string() : " (" + reason + ")") + ": " +
                     decision->detail;
  return std::move(*decision);
}

}  // namespace saga::order
