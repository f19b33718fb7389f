// PaymentCommands and HandlePaymentCommand with hand-written fakes: what reaches the gateway,
// what is published, and how refusals and races map to the consumer's error channels.
#include "services/payment/app/payment_commands.hpp"

#include <gtest/gtest.h>

#include "saga/contracts/message_types.hpp"
#include "saga/core/errors.hpp"
#include "saga/outbox/reliable_consumer.hpp"
#include "saga/testing/manual_clock.hpp"
#include "services/payment/api/payment_command_handler.hpp"
#include "services/payment/tests/builders.hpp"
#include "services/payment/tests/fakes.hpp"

namespace saga::payment {
namespace {

using testing::kEur;

class PaymentCommandsTest : public ::testing::Test {
 protected:
  contracts::Envelope Command(const std::string& type, nlohmann::json payload) {
    contracts::EnvelopeContext context;
    context.correlation_id = "corr-1";
    context.order_id = order_;
    context.saga_id = saga_;
    context.producer = "order-service";
    context.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    context.occurred_at = clock_.Now();
    payload["orderId"] = order_.Get().ToString();
    return contracts::MakeEnvelope(type, std::move(payload), context).Value();
  }
  contracts::Envelope Process(const std::string& token = "tok") {
    return Command("ProcessPayment", {{"amount", {{"amountMinor", 1200}, {"currency", "EUR"}}},
                                      {"paymentToken", testing::FakeTokenOpener::Seal(saga_, token)}});
  }
  std::vector<std::string> Published() const {
    std::vector<std::string> types;
    for (const auto& [topic, envelope] : outbox_.published) types.push_back(envelope.type);
    return types;
  }

  core::OrderId order_ = core::NewId<core::OrderId>();
  core::SagaId saga_ = core::NewId<core::SagaId>();
  testing::FakeTokenOpener tokens_;
  saga::testing::ManualClock clock_;
  testing::FakePaymentRepository payments_;
  testing::RecordingOutbox outbox_;
  testing::FakePaymentGateway gateway_;
  PaymentCommands commands_{payments_, outbox_, gateway_, clock_};
};

// A token that does not open for this saga (another saga's, tampered, clear) never reaches the
// gateway: the command is refused and dead-lettered.
TEST_F(PaymentCommandsTest, ATokenThatDoesNotOpenIsRefusedWithoutACharge) {
  auto foreign = Process();
  foreign.payload["paymentToken"] = testing::FakeTokenOpener::Seal(core::NewId<core::SagaId>(), "tok");
  EXPECT_THROW(HandlePaymentCommand(foreign, commands_, tokens_), outbox::PermanentError);
  auto clear = Process();
  clear.payload["paymentToken"] = "tok_sim_approve";
  EXPECT_THROW(HandlePaymentCommand(clear, commands_, tokens_), outbox::PermanentError);
  EXPECT_TRUE(gateway_.charges.empty());
  EXPECT_TRUE(Published().empty());
}

TEST_F(PaymentCommandsTest, TheGatewayGetsThePaymentIdAmountAndToken) {
  HandlePaymentCommand(Process("tok_x"), commands_, tokens_);
  ASSERT_EQ(gateway_.charges.size(), 1U);
  EXPECT_EQ(gateway_.charges[0].payment_id, PaymentIdForOrder(order_));
  EXPECT_EQ(gateway_.charges[0].amount, core::Money(1200, kEur));
  EXPECT_EQ(gateway_.charges[0].token, "tok_x");
  EXPECT_EQ(Published(), (std::vector<std::string>{"PaymentInitiated", "PaymentCompleted"}));
  EXPECT_EQ(outbox_.published[1].first, contracts::kPaymentEventsTopic);
  EXPECT_EQ(outbox_.published[1].second.payload["transactionId"],
            "fake_" + PaymentIdForOrder(order_).Get().ToString());
}

TEST_F(PaymentCommandsTest, EveryRefusalHasItsReason) {
  for (const auto outcome : {ChargeOutcome::kDeclined, ChargeOutcome::kInsufficientFunds,
                             ChargeOutcome::kTimeout, ChargeOutcome::kInvalidToken}) {
    EXPECT_FALSE(FailureReasonOf(outcome).empty());
  }
  EXPECT_EQ(FailureReasonOf(ChargeOutcome::kTimeout), "GatewayTimeout");
  gateway_.charge_outcome = ChargeOutcome::kTimeout;
  auto result = commands_.ProcessPayment({order_, core::Money(1200, kEur), "tok"}, Process());
  ASSERT_TRUE(result.HasValue());
  EXPECT_EQ(result.Value().Status(), PaymentStatus::kFailed);
  EXPECT_EQ(result.Value().FailureReason(), "GatewayTimeout");
}

TEST_F(PaymentCommandsTest, PaymentIdsAreDerivedFromTheOrderAndDistinct) {
  EXPECT_EQ(PaymentIdForOrder(order_), PaymentIdForOrder(order_));
  EXPECT_NE(PaymentIdForOrder(order_), PaymentIdForOrder(core::NewId<core::OrderId>()));
  EXPECT_NE(PaymentIdForOrder(order_).Get(), order_.Get());
}

TEST_F(PaymentCommandsTest, ALivePaymentCreatedElsewhereIsARetryableConflict) {
  // E.g. a Pending payment created through the REST API: the saga does not charge beside it.
  auto pending = testing::PendingPayment(1200, order_);
  payments_.Create(pending);
  EXPECT_THROW(HandlePaymentCommand(Process(), commands_, tokens_), core::ConcurrencyConflict);
  EXPECT_TRUE(gateway_.charges.empty());
}

TEST_F(PaymentCommandsTest, ARefundTheGatewayRejectsIsDeadLettered) {
  HandlePaymentCommand(Process(), commands_, tokens_);
  gateway_.refund_outcome = RefundOutcome::kRejected;
  EXPECT_THROW(HandlePaymentCommand(Command("RefundPayment", {{"reason", "x"}}), commands_, tokens_),
               outbox::PermanentError);
  EXPECT_EQ(payments_.GetByOrderId(order_)[0].Status(), PaymentStatus::kCompleted);
}

TEST_F(PaymentCommandsTest, RepliesAreCausedByTheCommand) {
  const auto command = Process();
  HandlePaymentCommand(command, commands_, tokens_);
  for (const auto& [topic, reply] : outbox_.published) {
    EXPECT_EQ(reply.causation_id, command.message_id);
    EXPECT_EQ(reply.correlation_id, "corr-1");
    EXPECT_EQ(reply.saga_id, saga_) << "the command's saga";
    EXPECT_EQ(reply.producer, "payment-service");
  }
}

}  // namespace
}  // namespace saga::payment
