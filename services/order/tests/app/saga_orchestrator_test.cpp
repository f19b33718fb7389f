// The orchestrator over in-memory ports: what it reports to ISagaMetrics (only after the unit
// of work committed) and how the saga's trace reaches its messages.
#include "services/order/app/saga_orchestrator.hpp"

#include <gtest/gtest.h>

#include "saga/core/trace_context.hpp"
#include "saga/testing/manual_clock.hpp"
#include "services/order/app/order_app.hpp"
#include "services/order/tests/fakes.hpp"

namespace saga::order {
namespace {

using Events = std::vector<std::string>;
constexpr const char* kRequestSpan = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

class SagaOrchestratorTest : public ::testing::Test {
 protected:
  static SagaSettings Settings() {
    SagaSettings settings;
    settings.policy.max_step_attempts = 2;
    settings.policy.max_compensation_attempts = 2;
    return settings;
  }

  core::OrderId Place(const std::string& traceparent = kRequestSpan) {
    const auto product = core::NewId<core::ProductId>();
    catalogue_.prices.emplace(product, core::Money(1000, *core::Currency::Parse("EUR")));
    auto placed = app_.PlaceOrder(PlaceOrderCommand{core::NewId<core::OrderId>(),
                                                    core::NewId<core::CustomerId>(),
                                                    {{product, 2}},
                                                    "tok_sim_approve",
                                                    "corr-1",
                                                    traceparent},
                                  Requester::Staff());
    return placed.Value().Id();
  }

  // A participant's reply, sent in a span of the trace of the command it answers.
  void Reply(const core::OrderId& order, const std::string& type, const std::string& reason = "") {
    contracts::Envelope reply;
    reply.message_id = core::NewId<core::MessageId>();
    reply.type = type;
    reply.order_id = order;
    reply.traceparent =
        core::TraceContext::Parse(sagas_.published.back().second.traceparent)->Child().ToTraceparent();
    if (!reason.empty()) reply.payload = {{"orderId", order.Get().ToString()}, {"reason", reason}};
    sagas_.Run([&](ISagaUnitOfWork& uow) { orchestrator_.OnReply(uow, reply); });
    last_reply_ = reply;
  }

  void Sweep() {
    sagas_.Run([&](ISagaUnitOfWork& uow) { (void)orchestrator_.SweepDeadlines(uow, 100); });
  }

  saga::testing::ManualClock clock_;
  SagaSettings settings_ = Settings();
  testing::FakeOrderRepository orders_;
  testing::FakeCatalogue catalogue_;
  testing::FakeSagaStore sagas_{orders_};
  testing::RecordingSagaMetrics metrics_;
  testing::FakeTokenSealer sealer_;
  SagaOrchestrator orchestrator_{clock_, settings_, metrics_, sealer_};
  OrderApp app_{orders_, catalogue_, clock_, orchestrator_, sagas_, sagas_};
  contracts::Envelope last_reply_;
};

TEST_F(SagaOrchestratorTest, HappyPathReportsStartStepsAndEnd) {
  const auto order = Place();
  clock_.Advance(std::chrono::milliseconds(40));
  Reply(order, "InventoryReserved");
  EXPECT_DOUBLE_EQ(metrics_.last_duration.count(), 0.040) << "ReserveInventory sent to InventoryReserved";
  clock_.Advance(std::chrono::milliseconds(10));
  Reply(order, "PaymentCompleted");
  Reply(order, "InventoryCommitted");
  EXPECT_EQ(metrics_.events,
            (Events{"Started", "StepFinished:ReserveInventory", "StepFinished:ProcessPayment",
                    "StepFinished:CommitInventory", "Ended:Completed"}));
  EXPECT_DOUBLE_EQ(metrics_.last_duration.count(), 0.050) << "the whole saga";
}

TEST_F(SagaOrchestratorTest, OutOfStockEndsWithoutCompensating) {
  const auto order = Place();
  Reply(order, "InventoryReservationFailed", "InsufficientStock");
  EXPECT_EQ(metrics_.events, (Events{"Started", "StepFinished:ReserveInventory", "Ended:Failed"}));
}

TEST_F(SagaOrchestratorTest, DeclineCompensatesWithItsReason) {
  const auto order = Place();
  Reply(order, "InventoryReserved");
  Reply(order, "PaymentFailed", "Declined");
  Reply(order, "InventoryReleased");
  EXPECT_EQ(metrics_.events, (Events{"Started", "StepFinished:ReserveInventory",
                                     "StepFinished:ProcessPayment", "CompensationStarted:Declined",
                                     "StepFinished:ReleaseInventory", "Ended:Failed", "Compensated:Failed"}));
}

TEST_F(SagaOrchestratorTest, CancellationIsReportedUnderABoundedReason) {
  const auto order = Place();
  Reply(order, "InventoryReserved");
  ASSERT_TRUE(app_.CancelOrder(order, std::nullopt, Requester::Staff()));  // the reason is the caller's text
  Reply(order, "RefundCompleted");
  Reply(order, "InventoryReleased");
  EXPECT_EQ(metrics_.events,
            (Events{"Started", "StepFinished:ReserveInventory", "CompensationStarted:Cancelled",
                    "StepFinished:RefundPayment", "StepFinished:ReleaseInventory", "Ended:Cancelled",
                    "Compensated:Cancelled"}));
}

TEST_F(SagaOrchestratorTest, DeadlinesRetryThenCompensateThenGiveUp) {
  const auto order = Place();
  clock_.Advance(std::chrono::hours(1));
  Sweep();  // attempt 2 of ReserveInventory
  clock_.Advance(std::chrono::hours(1));
  Sweep();  // no more attempts: compensate
  clock_.Advance(std::chrono::hours(1));
  Sweep();  // ReleaseInventory again
  clock_.Advance(std::chrono::hours(1));
  Sweep();  // compensation gave up
  EXPECT_EQ(metrics_.events,
            (Events{"Started", "DeadlineExpired:ReservingInventory", "StepRetried:ReserveInventory",
                    "DeadlineExpired:ReservingInventory", "CompensationStarted:InventoryTimeout",
                    "DeadlineExpired:ReleasingInventory", "StepRetried:ReleaseInventory",
                    "DeadlineExpired:ReleasingInventory", "Ended:CompensationFailed"}));
  EXPECT_EQ(sagas_.GetSaga(order)->State(), SagaState::kCompensationFailed);
}

TEST_F(SagaOrchestratorTest, IgnoredRepliesAreCountedByType) {
  const auto order = Place();
  Reply(order, "InventoryCommitted");
  EXPECT_EQ(metrics_.events, (Events{"Started", "ReplyIgnored:InventoryCommitted"}));
}

TEST_F(SagaOrchestratorTest, NothingIsReportedWhenTheUnitOfWorkFails) {
  const auto order = Place();
  metrics_.events.clear();
  contracts::Envelope reply;
  reply.message_id = core::NewId<core::MessageId>();
  reply.type = "InventoryReserved";
  reply.order_id = order;
  reply.traceparent = kRequestSpan;
  EXPECT_THROW(sagas_.Run([&](ISagaUnitOfWork& uow) {
    orchestrator_.OnReply(uow, reply);
    throw std::runtime_error("the commit failed");
  }),
               std::runtime_error);
  EXPECT_TRUE(metrics_.events.empty());
}

TEST_F(SagaOrchestratorTest, TheRequestsTraceReachesEveryMessage) {
  const auto order = Place();
  const auto saga = sagas_.GetSaga(order);
  EXPECT_EQ(saga->Traceparent(), kRequestSpan);
  for (const auto& [topic, envelope] : sagas_.published) {
    EXPECT_EQ(envelope.traceparent, kRequestSpan) << envelope.type << ": the request's span is their parent";
  }
  Reply(order, "InventoryReserved");
  const auto& charge = sagas_.published.back().second;
  EXPECT_EQ(charge.type, "ProcessPayment");
  EXPECT_EQ(charge.traceparent, last_reply_.traceparent) << "a reply's span is the parent of what it causes";
  EXPECT_EQ(core::TraceContext::Parse(charge.traceparent)->TraceId(), "4bf92f3577b34da6a3ce929d0e0e4736");
  // The sweeper's messages continue the saga's trace too.
  clock_.Advance(std::chrono::hours(1));
  Sweep();
  EXPECT_EQ(sagas_.published.back().second.type, "ProcessPayment");
  EXPECT_EQ(sagas_.published.back().second.traceparent, kRequestSpan);
}

TEST_F(SagaOrchestratorTest, WithoutAValidTraceparentASagaStartsItsOwnTrace) {
  const auto order = Place("not-a-traceparent");
  const auto trace = core::TraceContext::Parse(sagas_.GetSaga(order)->Traceparent());
  ASSERT_TRUE(trace);
  for (const auto& [topic, envelope] : sagas_.published) {
    EXPECT_EQ(core::TraceContext::Parse(envelope.traceparent)->TraceId(), trace->TraceId());
  }
}

}  // namespace
}  // namespace saga::order
