#include "services/order/app/saga_orchestrator.hpp"

#include <spdlog/spdlog.h>

#include <random>
#include <set>

#include "saga/contracts/message_types.hpp"
#include "saga/core/errors.hpp"
#include "saga/core/trace_context.hpp"
#include "saga/observability/logging.hpp"

namespace saga::order {
namespace {

constexpr const char* kProducer = "order-service";

std::optional<SagaInput> InputOf(std::string_view type) {
  if (type == "InventoryReserved") return SagaInput::kInventoryReserved;
  if (type == "InventoryReservationFailed") return SagaInput::kInventoryReservationFailed;
  if (type == "PaymentCompleted") return SagaInput::kPaymentCompleted;
  if (type == "PaymentFailed") return SagaInput::kPaymentFailed;
  if (type == "InventoryCommitted") return SagaInput::kInventoryCommitted;
  if (type == "InventoryReleased") return SagaInput::kInventoryReleased;
  if (type == "RefundCompleted") return SagaInput::kRefundCompleted;
  return std::nullopt;  // StockUpdated, PaymentInitiated, RefundInitiated: not inputs
}

// The statuses an order passes through to reach `to` (Created -> PaymentProcessing goes through
// InventoryReserved).
std::vector<OrderStatus> PathTo(OrderStatus from, OrderStatus to) {
  if (from == to) return {};
  if (from == OrderStatus::kCreated &&
      (to == OrderStatus::kPaymentProcessing || to == OrderStatus::kCompleted)) {
    auto rest = PathTo(OrderStatus::kInventoryReserved, to);
    rest.insert(rest.begin(), OrderStatus::kInventoryReserved);
    return rest;
  }
  if (from == OrderStatus::kInventoryReserved && to == OrderStatus::kCompleted) {
    return {OrderStatus::kPaymentProcessing, OrderStatus::kCompleted};
  }
  return {to};
}

// The traceparent a saga's own messages carry (those no reply caused).
std::string SagaTraceparent(const SagaInstance& saga) {
  return saga.Traceparent().empty() ? contracts::NewTraceparent(saga.Id().Get()) : saga.Traceparent();
}

std::string TraceIdOf(const std::string& traceparent) {
  const auto trace = core::TraceContext::Parse(traceparent);
  return trace ? trace->TraceId() : std::string();
}

// The command a saga waits on in `state`, if any.
std::optional<SagaCommand> StepOf(SagaState state) {
  switch (state) {
    case SagaState::kReservingInventory:
      return SagaCommand::kReserveInventory;
    case SagaState::kProcessingPayment:
      return SagaCommand::kProcessPayment;
    case SagaState::kCommittingInventory:
      return SagaCommand::kCommitInventory;
    case SagaState::kRefundingPayment:
      return SagaCommand::kRefundPayment;
    case SagaState::kReleasingInventory:
      return SagaCommand::kReleaseInventory;
    default:
      return std::nullopt;
  }
}

bool IsCompensating(SagaState state) {
  return state == SagaState::kRefundingPayment || state == SagaState::kReleasingInventory ||
         state == SagaState::kCompensationFailed;
}

bool IsEnd(SagaState state) {
  return state == SagaState::kCompleted || state == SagaState::kFailed || state == SagaState::kCancelled ||
         state == SagaState::kCompensationFailed;
}

// A bounded metric label for why a compensation started: cancellations are "Cancelled" (their
// reason is the caller's text), the reasons the participants and the saga know are themselves,
// anything else "Other".
std::string ReasonLabel(const SagaInstance& saga) {
  if (saga.Target() == SagaState::kCancelled) return "Cancelled";
  static const std::set<std::string, std::less<>> kKnown{
      "Declined",           "InsufficientFunds",   "GatewayTimeout", "InvalidToken",
      "PaymentFailed",      "InventoryTimeout",    "PaymentTimeout", "CommitTimeout",
      "ReservationExpired", "InsufficientStock",   "UnknownProduct", "InvalidQuantity",
      "AlreadyCompensated", "InventoryUnavailable", "CompensatedByOperator"};
  return kKnown.count(saga.Outcome()) != 0 ? saga.Outcome() : std::string("Other");
}

std::chrono::duration<double> Between(core::Timestamp from, core::Timestamp to) {
  return std::chrono::duration<double>(to - from);
}

}  // namespace

contracts::Envelope SagaOrchestrator::Message(const SagaInstance& saga, std::string_view type,
                                              nlohmann::json payload,
                                              const contracts::Envelope* cause) const {
  contracts::EnvelopeContext context;
  context.correlation_id = saga.CorrelationId();
  if (cause != nullptr) context.causation_id = cause->message_id;
  context.saga_id = saga.Id();
  context.order_id = saga.OrderId();
  context.producer = kProducer;
  context.traceparent = cause != nullptr ? cause->traceparent : SagaTraceparent(saga);
  context.occurred_at = clock_.Now();
  auto envelope = contracts::MakeEnvelope(type, std::move(payload), context);
  if (!envelope)
    throw std::logic_error("saga message " + std::string(type) + ": " + envelope.Error().Reason());
  return std::move(envelope).Value();
}

void SagaOrchestrator::Send(ISagaUnitOfWork& uow, const SagaInstance& saga, const Order& order,
                            SagaCommand command, const contracts::Envelope* cause) const {
  const auto order_id = order.Id().Get().ToString();
  nlohmann::json payload{{"orderId", order_id}};
  const char* topic = contracts::kInventoryCommandsTopic;
  switch (command) {
    case SagaCommand::kReserveInventory: {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& item : order.Items()) {
        items.push_back({{"productId", item.ProductId().Get().ToString()}, {"quantity", item.Quantity()}});
      }
      payload["items"] = std::move(items);
      payload["expiresAt"] = core::ToRfc3339(
          clock_.Now() + std::chrono::duration_cast<std::chrono::microseconds>(settings_.reservation_ttl));
      break;
    }
    case SagaCommand::kProcessPayment:
      topic = contracts::kPaymentCommandsTopic;
      payload["amount"] = contracts::MoneyJson(order.TotalAmount());
      payload["paymentToken"] = saga.PaymentToken();
      break;
    case SagaCommand::kCommitInventory:
      break;
    case SagaCommand::kRefundPayment:
      topic = contracts::kPaymentCommandsTopic;
      payload["reason"] = saga.Outcome().empty() ? "Compensation" : saga.Outcome();
      break;
    case SagaCommand::kReleaseInventory:
      payload["reason"] = saga.Outcome().empty() ? "Compensation" : saga.Outcome();
      break;
  }
  auto envelope = Message(saga, ToString(command), std::move(payload), cause);
  uow.Publish(topic, envelope);
  uow.AppendLog(saga, SagaLogEntry{clock_.Now(), "command", "", "", std::string(ToString(command)),
                                   envelope.message_id, "sent to " + std::string(topic)});
}

void SagaOrchestrator::Start(ISagaUnitOfWork& uow, Order& order, const std::string& payment_token,
                             const std::string& correlation_id, const std::string& traceparent) const {
  const auto now = clock_.Now();
  uow.Orders().Create(order);
  const auto trace = core::TraceContext::Parse(traceparent);
  const auto saga_id = core::NewId<core::SagaId>();
  auto saga = SagaInstance::Start(
      saga_id, order.Id(), sealer_.Seal(saga_id, payment_token), correlation_id,
      trace ? trace->ToTraceparent() : core::TraceContext::NewRoot().ToTraceparent(), now, settings_.policy);
  const observability::ScopedLogFields fields{{"saga_id", saga.Id().Get().ToString()},
                                              {"order_id", order.Id().Get().ToString()},
                                              {"correlation_id", correlation_id},
                                              {"trace_id", TraceIdOf(saga.Traceparent())}};
  uow.CreateSaga(saga);
  uow.AppendLog(saga, SagaLogEntry{now, "started", "", std::string(ToString(saga.State())), "", std::nullopt,
                                   "order placed; total " + order.TotalAmount().ToString()});
  nlohmann::json items = nlohmann::json::array();
  for (const auto& item : order.Items()) {
    items.push_back({{"productId", item.ProductId().Get().ToString()},
                     {"quantity", item.Quantity()},
                     {"unitPrice", contracts::MoneyJson(item.UnitPrice())}});
  }
  uow.Publish(contracts::kOrderEventsTopic, Message(saga, "OrderCreated",
                                                    {{"orderId", order.Id().Get().ToString()},
                                                     {"customerId", order.CustomerId().Get().ToString()},
                                                     {"items", std::move(items)},
                                                     {"total", contracts::MoneyJson(order.TotalAmount())}},
                                                    nullptr));
  Send(uow, saga, order, SagaCommand::kReserveInventory, nullptr);
  uow.AfterCommit([&metrics = metrics_] { metrics.Started(); });
  spdlog::info("saga {} started for order {} (correlation {})", saga.Id().Get().ToString(),
               order.Id().Get().ToString(), correlation_id);
}

void SagaOrchestrator::Report(ISagaUnitOfWork& uow, const SagaInstance& saga, const SagaDecision& decision,
                              const std::string& input, bool is_reply, Before before) const {
  auto& metrics = metrics_;
  if (!decision.applied) {
    if (is_reply) uow.AfterCommit([&metrics, input] { metrics.ReplyIgnored(input); });
    return;
  }
  const auto now = clock_.Now();
  const auto from = before.state;
  const auto to = saga.State();
  if (input == "DeadlinePassed") {
    uow.AfterCommit([&metrics, from] { metrics.DeadlineExpired(from); });
    if (to == from && !decision.commands.empty()) {
      uow.AfterCommit([&metrics, command = decision.commands.front()] { metrics.StepRetried(command); });
    }
  }
  if (to == from) return;
  if (const auto step = StepOf(from); step && is_reply) {
    uow.AfterCommit(
        [&metrics, step = *step, took = Between(before.since, now)] { metrics.StepFinished(step, took); });
  }
  if ((to == SagaState::kRefundingPayment || to == SagaState::kReleasingInventory) && !IsCompensating(from)) {
    uow.AfterCommit([&metrics, reason = ReasonLabel(saga)] { metrics.CompensationStarted(reason); });
  }
  if (IsEnd(to)) {
    uow.AfterCommit([&metrics, to, took = Between(saga.CreatedAt(), now)] { metrics.Ended(to, took); });
  }
  if ((to == SagaState::kFailed || to == SagaState::kCancelled) && IsCompensating(from)) {
    uow.AfterCommit([&metrics, to] { metrics.Compensated(to); });
  }
}

void SagaOrchestrator::Apply(ISagaUnitOfWork& uow, SagaInstance& saga, Order& order,
                             const SagaDecision& decision, const std::string& input,
                             const contracts::Envelope* cause, Before before) const {
  const auto saga_trace = TraceIdOf(SagaTraceparent(saga));
  const observability::ScopedLogFields fields{{"saga_id", saga.Id().Get().ToString()},
                                              {"order_id", order.Id().Get().ToString()},
                                              {"correlation_id", saga.CorrelationId()},
                                              {"trace_id", saga_trace}};
  // A request of another trace (a cancel) acts on the saga: its lines are the saga's trace, the
  // request's trace id kept beside it, and the request's span (of the other trace) left out.
  std::optional<observability::ScopedLogFields> request_trace;
  if (const auto current = TraceIdOf(observability::CurrentTraceparent());
      !current.empty() && current != saga_trace) {
    request_trace.emplace(std::initializer_list<std::pair<std::string, std::string>>{
        {"span_id", ""}, {"request_trace_id", current}});
  }
  Report(uow, saga, decision, input, cause != nullptr, before);
  const auto now = clock_.Now();
  const std::string from =
      decision.from ? std::string(ToString(*decision.from)) : std::string(ToString(saga.State()));
  if (!decision.applied) {
    uow.AppendLog(saga, SagaLogEntry{now, "ignored", from, from, input,
                                     cause != nullptr ? std::optional(cause->message_id) : std::nullopt,
                                     decision.detail});
    spdlog::info("saga {} order {} correlation {}: {}", saga.Id().Get().ToString(),
                 order.Id().Get().ToString(), saga.CorrelationId(), decision.detail);
    return;
  }
  uow.AppendLog(saga, SagaLogEntry{now, cause != nullptr ? "event" : "transition", from,
                                   std::string(ToString(saga.State())), input,
                                   cause != nullptr ? std::optional(cause->message_id) : std::nullopt,
                                   decision.detail});
  spdlog::info("saga {} order {} correlation {}: {} -> {} on {} ({})", saga.Id().Get().ToString(),
               order.Id().Get().ToString(), saga.CorrelationId(), from, ToString(saga.State()), input,
               decision.detail);
  if (decision.order_status) {
    for (const auto status : PathTo(order.Status(), *decision.order_status)) {
      if (auto moved = order.UpdateStatus(status, now); !moved) {
        throw std::logic_error("saga moved order " + order.Id().Get().ToString() + " from " +
                               std::string(ToString(order.Status())) + " to " +
                               std::string(ToString(status)) + ": " + std::string(ToString(moved.Error())));
      }
    }
    uow.Orders().Update(order);
    uow.Publish(contracts::kOrderEventsTopic, Message(saga, "OrderUpdated",
                                                      {{"orderId", order.Id().Get().ToString()},
                                                       {"status", ToString(order.Status())},
                                                       {"version", order.Version()}},
                                                      cause));
    const auto status = order.Status();
    if (status == OrderStatus::kCompleted || status == OrderStatus::kFailed ||
        status == OrderStatus::kCancelled) {
      const auto reason = saga.Outcome().empty() ? std::string("unspecified") : saga.Outcome();
      if (status == OrderStatus::kCompleted) {
        uow.Publish(contracts::kOrderEventsTopic,
                    Message(saga, "OrderCompleted",
                            {{"orderId", order.Id().Get().ToString()},
                             {"total", contracts::MoneyJson(order.TotalAmount())}},
                            cause));
      } else {
        uow.Publish(contracts::kOrderEventsTopic,
                    Message(saga, status == OrderStatus::kFailed ? "OrderFailed" : "OrderCancelled",
                            {{"orderId", order.Id().Get().ToString()}, {"reason", reason}}, cause));
      }
      nlohmann::json notification{{"orderId", order.Id().Get().ToString()},
                                  {"customerId", order.CustomerId().Get().ToString()},
                                  {"status", ToString(status)},
                                  {"total", contracts::MoneyJson(order.TotalAmount())}};
      if (status != OrderStatus::kCompleted) notification["reason"] = reason;
      uow.Publish(contracts::kNotificationsTopic, Message(saga, "OrderNotification", notification, cause));
    }
  }
  for (const auto command : decision.commands) Send(uow, saga, order, command, cause);
  if (saga.State() == SagaState::kCompensationFailed && decision.from != SagaState::kCompensationFailed) {
    spdlog::error("saga {} order {} needs an operator: {}", saga.Id().Get().ToString(),
                  order.Id().Get().ToString(), decision.detail);
  }
  uow.UpdateSaga(saga);
}

bool SagaOrchestrator::TakesReply(std::string_view type) {
  return InputOf(type).has_value();
}

void SagaOrchestrator::OnReply(ISagaUnitOfWork& uow, const contracts::Envelope& reply) const {
  const auto input = InputOf(reply.type);
  if (!input) return;
  auto order = uow.Orders().Get(reply.order_id);
  auto saga = uow.LockSaga(reply.order_id);
  if (!order || !saga) {
    spdlog::warn("{} {} for unknown order {} ignored", reply.type, reply.message_id.Get().ToString(),
                 reply.order_id.Get().ToString());
    return;
  }
  const std::string reason =
      reply.payload.is_object() && reply.payload.contains("reason") && reply.payload["reason"].is_string()
          ? reply.payload["reason"].get<std::string>()
          : std::string();
  const Before before{saga->State(), saga->UpdatedAt()};
  const auto decision = saga->Handle(*input, reason, clock_.Now(), settings_.policy);
  Apply(uow, *saga, *order, decision, reply.type, &reply, before);
}

core::Result<Order, CancelRefusal> SagaOrchestrator::Cancel(ISagaUnitOfWork& uow,
                                                            const core::OrderId& order_id,
                                                            std::optional<std::int64_t> expected_version,
                                                            const std::string& reason) const {
  auto order = uow.Orders().Get(order_id);
  if (!order) return core::Fail(CancelRefusal{CancelRefusal::Kind::kNotFound, 0, ""});
  const std::string status(ToString(order->Status()));
  if (expected_version && *expected_version != order->Version()) {
    return core::Fail(CancelRefusal{CancelRefusal::Kind::kVersionMismatch, order->Version(), status});
  }
  auto saga = uow.LockSaga(order_id);
  if (!saga) return core::Fail(CancelRefusal{CancelRefusal::Kind::kAlreadyEnded, order->Version(), status});
  const Before before{saga->State(), saga->UpdatedAt()};
  auto decision = saga->Cancel(reason, clock_.Now(), settings_.policy);
  if (!decision) {
    return core::Fail(CancelRefusal{decision.Error() == SagaError::kCompensating
                                        ? CancelRefusal::Kind::kCompensating
                                        : CancelRefusal::Kind::kAlreadyEnded,
                                    order->Version(), status});
  }
  Apply(uow, *saga, *order, decision.Value(), "CancelRequested", nullptr, before);
  return std::move(*order);
}

core::Result<SagaInstance, OperatorRefusal> SagaOrchestrator::Operate(
    ISagaUnitOfWork& uow, const core::OrderId& order_id, const std::string& input,
    const std::function<core::Result<SagaDecision, SagaError>(SagaInstance&)>& act) const {
  auto order = uow.Orders().Get(order_id);
  if (!order) return core::Fail(OperatorRefusal{OperatorRefusal::Kind::kNotFound, ""});
  auto saga = uow.LockSaga(order_id);
  if (!saga) return core::Fail(OperatorRefusal{OperatorRefusal::Kind::kNotFound, ""});
  const Before before{saga->State(), saga->UpdatedAt()};
  auto decision = act(*saga);
  if (!decision) {
    return core::Fail(OperatorRefusal{decision.Error() == SagaError::kCompensating
                                          ? OperatorRefusal::Kind::kCompensating
                                          : OperatorRefusal::Kind::kAtRest,
                                      std::string(ToString(saga->State()))});
  }
  spdlog::warn("operator action {} on saga {} (order {}): {}", input, saga->Id().Get().ToString(),
               order_id.Get().ToString(), decision.Value().detail);
  Apply(uow, *saga, *order, decision.Value(), input, nullptr, before);
  return std::move(*saga);
}

core::Result<SagaInstance, OperatorRefusal> SagaOrchestrator::RetryStep(ISagaUnitOfWork& uow,
                                                                        const core::OrderId& order_id) const {
  return Operate(uow, order_id, "OperatorRetry",
                 [&](SagaInstance& saga) { return saga.OperatorRetry(clock_.Now(), settings_.policy); });
}

core::Result<SagaInstance, OperatorRefusal> SagaOrchestrator::ForceCompensate(ISagaUnitOfWork& uow,
                                                                              const core::OrderId& order_id,
                                                                              const std::string& reason) const {
  return Operate(uow, order_id, "OperatorCompensate", [&](SagaInstance& saga) {
    return saga.ForceCompensate(reason, clock_.Now(), settings_.policy);
  });
}

int SagaOrchestrator::SweepDeadlines(ISagaUnitOfWork& uow, int limit) const {
  const auto now = clock_.Now();
  auto due = uow.LockDue(now, limit);
  for (auto& saga : due) {
    auto order = uow.Orders().Get(saga.OrderId());
    if (!order) continue;
    const Before before{saga.State(), saga.UpdatedAt()};
    const auto decision = saga.Handle(SagaInput::kDeadlinePassed, "", now, settings_.policy);
    Apply(uow, saga, *order, decision, "DeadlinePassed", nullptr, before);
  }
  return static_cast<int>(due.size());
}

int SagaOrchestrator::CleanUpAbandoned(ISagaUnitOfWork& uow, int limit) const {
  const auto now = clock_.Now();
  const auto ids = uow.LockAbandoned(
      now - std::chrono::duration_cast<std::chrono::microseconds>(settings_.abandoned_after), limit);
  for (const auto& id : ids) {
    auto order = uow.Orders().Get(id);
    if (!order || !order->UpdateStatus(OrderStatus::kFailed, now)) continue;
    uow.Orders().Update(*order);
    contracts::EnvelopeContext context;
    context.correlation_id = "cleanup-" + id.Get().ToString();
    context.order_id = id;
    context.producer = kProducer;
    context.traceparent = contracts::NewTraceparent(id.Get());
    context.occurred_at = now;
    const auto failed = contracts::MakeEnvelope(
        "OrderFailed", {{"orderId", id.Get().ToString()}, {"reason", "Abandoned"}}, context);
    if (!failed) throw std::logic_error("OrderFailed: " + failed.Error().Reason());
    uow.Publish(contracts::kOrderEventsTopic, failed.Value());
    spdlog::warn("order {} had no saga for {} s: marked Failed (Abandoned)", id.Get().ToString(),
                 settings_.abandoned_after.count());
  }
  return static_cast<int>(ids.size());
}

}  // namespace saga::order
