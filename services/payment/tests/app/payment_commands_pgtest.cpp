// The saga commands of the payment service against the real PostgreSQL, wired as main.cpp wires
// them: HandlePaymentCommand over PaymentCommands whose repository and outbox share one real
// transaction, and the built-in gateway simulator (its latency injected, so nothing waits).
// Checks the payments rows and the outbox rows (topic, key, type, payload, causation and the
// fields copied from the command).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "saga/contracts/message_types.hpp"
#include "saga/core/errors.hpp"
#include "saga/outbox/outbox.hpp"
#include "saga/outbox/reliable_consumer.hpp"
#include "saga/testing/manual_clock.hpp"
#include "saga/testing/migrated_database.hpp"
#include "saga/testing/test_env.hpp"
#include "services/payment/api/payment_command_handler.hpp"
#include "services/payment/infra/envelope_token_opener.hpp"
#include "services/payment/infra/migrations.hpp"
#include "services/payment/infra/pg_payment_repository.hpp"
#include "services/payment/infra/simulated_gateway.hpp"
#include "services/payment/tests/builders.hpp"

namespace saga::payment {
namespace {

using testing::kEur;

constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// The simulator, counting what reaches it.
class CountingGateway final : public IPaymentGateway {
 public:
  [[nodiscard]] ChargeResult Charge(const ChargeRequest& request) override {
    ++charges;
    return simulator_.Charge(request);
  }
  [[nodiscard]] RefundResult Refund(const std::string& transaction_id, const core::Money& amount) override {
    ++refunds;
    return simulator_.Refund(transaction_id, amount);
  }
  std::atomic<int> charges{0};
  std::atomic<int> refunds{0};
  std::vector<std::chrono::milliseconds> slept;

 private:
  SimulatedGateway simulator_{SimulatedGatewayConfig{},
                              [this](std::chrono::milliseconds duration) { slept.push_back(duration); }};
};

struct OutboxRow {
  std::string topic;
  std::string key;
  contracts::Envelope envelope;
};

class PaymentCommandsPgTest : public ::testing::Test {
 protected:
  contracts::Envelope Command(const std::string& type, nlohmann::json payload, const core::OrderId& order) {
    contracts::EnvelopeContext context;
    context.correlation_id = "corr-" + order.Get().ToString();
    context.causation_id = core::NewId<core::MessageId>();
    context.saga_id = saga_id_;
    context.order_id = order;
    context.producer = "order-service";
    context.traceparent = kTraceparent;
    context.occurred_at = clock_.Now();
    payload["orderId"] = order.Get().ToString();
    return contracts::MakeEnvelope(type, std::move(payload), context).Value();
  }
  contracts::Envelope Process(const core::OrderId& order, const std::string& token,
                              std::int64_t amount = 3998) {
    return Command("ProcessPayment",
                   {{"amount", {{"amountMinor", amount}, {"currency", "EUR"}}},
                    {"paymentToken", crypto::Seal(*keys_, token, contracts::PaymentTokenBinding(saga_id_))}},
                   order);
  }
  contracts::Envelope Refund(const core::OrderId& order) {
    return Command("RefundPayment", {{"reason", "InventoryReservationFailed"}}, order);
  }

  // Handles `command` in one transaction, as the consumer does; commits unless told not to.
  void Handle(const contracts::Envelope& command, bool commit = true) {
    auto conn = db_.Pool().Acquire();
    pqxx::work tx(*conn);
    PgPaymentRepository payments(tx);
    outbox::TransactionOutbox outbox(tx);
    PaymentCommands commands(payments, outbox, gateway_, clock_);
    HandlePaymentCommand(command, commands, tokens_);
    if (commit) tx.commit();
  }

  // As the consumer runs `command` in a transaction whose load read `rows`: its repository takes
  // the payments from them (PreloadedPaymentsOf), its replies go to the transaction's outbox
  // (`work`, flushed by the caller).
  void HandleLoaded(pqxx::work& tx, const contracts::Envelope& command,
                    const std::vector<const contracts::Envelope*>& applying,
                    const std::vector<pqxx::row>& rows, std::unique_ptr<outbox::TransactionWork>& work) {
    kafka::ConsumedMessage raw;
    std::vector<std::function<void()>> after_commit;
    outbox::HandlerContext context{tx, command, raw, after_commit, applying, work, &rows};
    PgPaymentRepository payments(tx, PreloadedPaymentsOf(context));
    PaymentCommands commands(payments, outbox::TransactionOutboxOf(context), gateway_, clock_);
    HandlePaymentCommand(command, commands, tokens_);
  }

  std::vector<Payment> PaymentsOf(const core::OrderId& order) {
    return PgPaymentRepository(db_.Pool()).GetByOrderId(order);
  }

  std::vector<OutboxRow> OutboxOf(const core::OrderId& order) {
    std::vector<OutboxRow> rows;
    auto conn = db_.Pool().Acquire();
    pqxx::read_transaction tx(*conn);
    for (const auto& row :
         tx.exec_params("SELECT topic, message_key, payload FROM outbox WHERE message_key = $1 "
                        "ORDER BY id",
                        order.Get().ToString())) {
      auto decoded = contracts::Decode(row[2].c_str());
      EXPECT_TRUE(decoded.HasValue()) << (decoded ? "" : decoded.Error().Reason());
      if (decoded) rows.push_back({row[0].c_str(), row[1].c_str(), std::move(decoded).Value()});
    }
    return rows;
  }

  static std::vector<std::string> Types(const std::vector<OutboxRow>& rows) {
    std::vector<std::string> types;
    types.reserve(rows.size());
    for (const auto& row : rows) types.push_back(row.envelope.type);
    return types;
  }

  // Every reply is an event on saga.payment.events, keyed by the order, caused by `command`,
  // with the command's correlation, saga, order and trace.
  void ExpectReplyTo(const OutboxRow& row, const contracts::Envelope& command) {
    EXPECT_EQ(row.topic, contracts::kPaymentEventsTopic);
    EXPECT_EQ(row.key, command.order_id.Get().ToString());
    EXPECT_EQ(row.envelope.kind, contracts::MessageKind::kEvent);
    EXPECT_EQ(row.envelope.causation_id, command.message_id);
    EXPECT_EQ(row.envelope.correlation_id, command.correlation_id);
    EXPECT_EQ(row.envelope.saga_id, command.saga_id);
    EXPECT_EQ(row.envelope.order_id, command.order_id);
    EXPECT_EQ(row.envelope.traceparent, command.traceparent);
    EXPECT_EQ(row.envelope.producer, "payment-service");
    EXPECT_EQ(row.envelope.occurred_at, clock_.Now());
    EXPECT_NE(row.envelope.message_id, command.message_id);
  }

  static nlohmann::json Money(std::int64_t minor) { return {{"amountMinor", minor}, {"currency", "EUR"}}; }

  saga::testing::MigratedDatabase db_{Migrations(), 4};
  saga::testing::ManualClock clock_;
  CountingGateway gateway_;
  core::SagaId saga_id_ = core::NewId<core::SagaId>();
  // A real key ring in a directory of its own: tokens are sealed as the order service does.
  std::unique_ptr<crypto::LocalKeyRing> keys_ = [] {
    const auto dir = std::filesystem::temp_directory_path() / saga::testing::UniqueName("keyring");
    std::filesystem::create_directories(dir);
    crypto::LocalKeyRing::CreateKey(dir.string(), "k1", true);
    return std::make_unique<crypto::LocalKeyRing>(dir.string());
  }();
  EnvelopeTokenOpener tokens_{*keys_};
};

TEST_F(PaymentCommandsPgTest, AnApprovedChargeCompletesThePaymentAndPublishesInitiatedThenCompleted) {
  const auto order = core::NewId<core::OrderId>();
  const auto command = Process(order, "tok_sim_approve");
  Handle(command);

  const auto payments = PaymentsOf(order);
  ASSERT_EQ(payments.size(), 1U);
  const auto& payment = payments[0];
  EXPECT_EQ(payment.Status(), PaymentStatus::kCompleted);
  EXPECT_EQ(payment.Amount(), core::Money(3998, kEur));
  EXPECT_EQ(payment.Id(), PaymentIdForOrder(order));
  const std::string payment_id = payment.Id().Get().ToString();
  EXPECT_EQ(payment.TransactionId(), "sim_" + payment_id);
  EXPECT_EQ(gateway_.charges, 1);

  const auto rows = OutboxOf(order);
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"PaymentInitiated", "PaymentCompleted"}));
  for (const auto& row : rows) ExpectReplyTo(row, command);
  EXPECT_EQ(rows[0].envelope.payload,
            (nlohmann::json{
                {"orderId", order.Get().ToString()}, {"paymentId", payment_id}, {"amount", Money(3998)}}));
  EXPECT_EQ(rows[1].envelope.payload, (nlohmann::json{{"orderId", order.Get().ToString()},
                                                      {"paymentId", payment_id},
                                                      {"transactionId", "sim_" + payment_id},
                                                      {"amount", Money(3998)}}));
}

TEST_F(PaymentCommandsPgTest, RefusedChargesFailThePaymentWithTheirReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tok_sim_decline", "Declined"},
      {"tok_sim_insufficient_funds", "InsufficientFunds"},
      {"tok_sim_timeout", "GatewayTimeout"},
      {"tok_bogus", "InvalidToken"}};
  for (const auto& [token, reason] : cases) {
    const auto order = core::NewId<core::OrderId>();
    const auto command = Process(order, token);
    Handle(command);
    const auto payments = PaymentsOf(order);
    ASSERT_EQ(payments.size(), 1U) << token;
    EXPECT_EQ(payments[0].Status(), PaymentStatus::kFailed) << token;
    EXPECT_EQ(payments[0].FailureReason(), reason);
    EXPECT_FALSE(payments[0].TransactionId().has_value());
    const auto rows = OutboxOf(order);
    ASSERT_EQ(Types(rows), (std::vector<std::string>{"PaymentInitiated", "PaymentFailed"})) << token;
    for (const auto& row : rows) ExpectReplyTo(row, command);
    EXPECT_EQ(rows[1].envelope.payload, (nlohmann::json{{"orderId", order.Get().ToString()},
                                                        {"paymentId", payments[0].Id().Get().ToString()},
                                                        {"reason", reason}}));
  }
  EXPECT_EQ(gateway_.charges, 4);
  EXPECT_EQ(gateway_.slept, std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(2000)});
}

TEST_F(PaymentCommandsPgTest, ACardNumberIsRefusedBeforeTheGatewayAndStoredNowhere) {
  const auto order = core::NewId<core::OrderId>();
  Handle(Process(order, "4111111111111111"));
  EXPECT_EQ(gateway_.charges, 0);
  const auto payments = PaymentsOf(order);
  ASSERT_EQ(payments.size(), 1U);
  EXPECT_EQ(payments[0].Status(), PaymentStatus::kFailed);
  EXPECT_EQ(payments[0].FailureReason(), "InvalidToken");
  EXPECT_EQ(Types(OutboxOf(order)), (std::vector<std::string>{"PaymentInitiated", "PaymentFailed"}));
  EXPECT_EQ(
      db_.Count("SELECT count(*) FROM outbox WHERE payload LIKE '%4111111111111111%' OR headers::text LIKE "
                "'%4111111111111111%'"),
      0);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM payments WHERE payments::text LIKE '%4111111111111111%'"), 0);
}

TEST_F(PaymentCommandsPgTest, ARepeatedProcessPaymentChargesOnceAndRepublishesTheOutcome) {
  const auto order = core::NewId<core::OrderId>();
  const auto first = Process(order, "tok_sim_approve");
  Handle(first);
  // A redelivery would be absorbed by the inbox; a saga retry is a new message (new id), even
  // with another token or amount.
  const auto retry = Process(order, "tok_sim_decline", 5000);
  Handle(retry);

  EXPECT_EQ(gateway_.charges, 1);
  const auto payments = PaymentsOf(order);
  ASSERT_EQ(payments.size(), 1U);
  EXPECT_EQ(payments[0].Status(), PaymentStatus::kCompleted);
  EXPECT_EQ(payments[0].Version(), 2);
  const auto rows = OutboxOf(order);
  ASSERT_EQ(Types(rows),
            (std::vector<std::string>{"PaymentInitiated", "PaymentCompleted", "PaymentCompleted"}));
  ExpectReplyTo(rows[2], retry);
  EXPECT_EQ(rows[2].envelope.payload, rows[1].envelope.payload);  // same payment, transaction and amount
}

TEST_F(PaymentCommandsPgTest, ARepeatedProcessPaymentAfterAFailureRepublishesTheFailure) {
  const auto order = core::NewId<core::OrderId>();
  Handle(Process(order, "tok_sim_insufficient_funds"));
  const auto retry = Process(order, "tok_sim_approve");
  Handle(retry);

  EXPECT_EQ(gateway_.charges, 1);
  const auto payments = PaymentsOf(order);
  ASSERT_EQ(payments.size(), 1U);
  EXPECT_EQ(payments[0].Status(), PaymentStatus::kFailed);
  const auto rows = OutboxOf(order);
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"PaymentInitiated", "PaymentFailed", "PaymentFailed"}));
  ExpectReplyTo(rows[2], retry);
  EXPECT_EQ(rows[2].envelope.payload["reason"], "InsufficientFunds");
}

TEST_F(PaymentCommandsPgTest, AChargeWhoseTransactionRolledBackIsRepeatedUnderTheSamePaymentId) {
  const auto order = core::NewId<core::OrderId>();
  Handle(Process(order, "tok_sim_approve"), /*commit=*/false);
  EXPECT_TRUE(PaymentsOf(order).empty());
  EXPECT_TRUE(OutboxOf(order).empty());

  Handle(Process(order, "tok_sim_approve"));
  EXPECT_EQ(gateway_.charges, 2);  // the gateway saw the same payment id twice: one charge
  const auto payments = PaymentsOf(order);
  ASSERT_EQ(payments.size(), 1U);
  EXPECT_EQ(payments[0].TransactionId(), "sim_" + PaymentIdForOrder(order).Get().ToString());
  EXPECT_EQ(Types(OutboxOf(order)), (std::vector<std::string>{"PaymentInitiated", "PaymentCompleted"}));
}

TEST_F(PaymentCommandsPgTest, RefundingACompletedPaymentRefundsItAtTheGateway) {
  const auto order = core::NewId<core::OrderId>();
  Handle(Process(order, "tok_sim_approve"));
  const auto refund = Refund(order);
  Handle(refund);

  EXPECT_EQ(gateway_.refunds, 1);
  const auto payments = PaymentsOf(order);
  ASSERT_EQ(payments.size(), 1U);
  EXPECT_EQ(payments[0].Status(), PaymentStatus::kRefunded);
  const auto rows = OutboxOf(order);
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"PaymentInitiated", "PaymentCompleted", "RefundInitiated",
                                                   "RefundCompleted"}));
  const nlohmann::json refunded = {{"orderId", order.Get().ToString()},
                                   {"paymentId", payments[0].Id().Get().ToString()},
                                   {"amount", Money(3998)}};
  ExpectReplyTo(rows[2], refund);
  ExpectReplyTo(rows[3], refund);
  EXPECT_EQ(rows[2].envelope.payload, refunded);
  EXPECT_EQ(rows[3].envelope.payload, refunded);
}

TEST_F(PaymentCommandsPgTest, ARepeatedRefundRefundsOnceAndRepublishesRefundCompleted) {
  const auto order = core::NewId<core::OrderId>();
  Handle(Process(order, "tok_sim_approve"));
  Handle(Refund(order));
  const auto again = Refund(order);
  Handle(again);

  EXPECT_EQ(gateway_.refunds, 1);
  const auto payments = PaymentsOf(order);
  ASSERT_EQ(payments.size(), 1U);
  EXPECT_EQ(payments[0].Status(), PaymentStatus::kRefunded);
  const auto rows = OutboxOf(order);
  ASSERT_EQ(rows.size(), 5U);
  EXPECT_EQ(rows[4].envelope.type, "RefundCompleted");
  ExpectReplyTo(rows[4], again);
  EXPECT_EQ(rows[4].envelope.payload, rows[3].envelope.payload);

  // A ProcessPayment after the refund charges nothing and reports the original charge.
  Handle(Process(order, "tok_sim_approve"));
  EXPECT_EQ(gateway_.charges, 1);
  const auto after = OutboxOf(order);
  ASSERT_EQ(after.size(), 6U);
  EXPECT_EQ(after[5].envelope.type, "PaymentCompleted");
  EXPECT_EQ(after[5].envelope.payload, after[1].envelope.payload);
}

TEST_F(PaymentCommandsPgTest, ARefundWhenNothingWasChargedOnlyConfirms) {
  const auto never_paid = core::NewId<core::OrderId>();
  const auto refund = Refund(never_paid);
  Handle(refund);
  EXPECT_TRUE(PaymentsOf(never_paid).empty());
  auto rows = OutboxOf(never_paid);
  ASSERT_EQ(Types(rows), std::vector<std::string>{"RefundCompleted"});
  ExpectReplyTo(rows[0], refund);
  EXPECT_EQ(rows[0].envelope.payload, (nlohmann::json{{"orderId", never_paid.Get().ToString()}}));

  const auto declined = core::NewId<core::OrderId>();
  Handle(Process(declined, "tok_sim_decline"));
  Handle(Refund(declined));
  rows = OutboxOf(declined);
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"PaymentInitiated", "PaymentFailed", "RefundCompleted"}));
  EXPECT_EQ(rows[2].envelope.payload, (nlohmann::json{{"orderId", declined.Get().ToString()}}));
  EXPECT_EQ(PaymentsOf(declined)[0].Status(), PaymentStatus::kFailed);
  EXPECT_EQ(gateway_.refunds, 0);
}

// As the consumer runs a transaction of several commands with PaymentCommandLoad: an order's
// payments read with the inbox rows serve its first command; once the transaction wrote one,
// the next command of that order reads them again (a stale copy would charge twice or refund
// nothing). A copy read before a concurrent charge committed (no row yet, so the load's lock
// has nothing to wait for) is refused by the payments' key (ConcurrencyConflict, retried by the
// consumer) before the gateway is called; a concurrent refund: next test.
TEST_F(PaymentCommandsPgTest, ATransactionsPreloadedPaymentsServeUntilItWritesThem) {
  const auto paid = core::NewId<core::OrderId>();
  Handle(Process(paid, "tok_sim_approve"));
  const auto fresh = core::NewId<core::OrderId>();
  const std::vector<contracts::Envelope> commands = {Refund(paid), Process(fresh, "tok_sim_approve"),
                                                     Process(fresh, "tok_sim_approve"), Refund(fresh)};
  std::vector<const contracts::Envelope*> all;
  for (const auto& command : commands) all.push_back(&command);
  EXPECT_FALSE(PaymentCommandLoad({}, 1)) << "nothing to load";
  const auto load = PaymentCommandLoad(all, 3);
  ASSERT_TRUE(load);
  EXPECT_NE(load->sql.find("$3::uuid[]"), std::string::npos) << load->sql;
  const auto run = [&](const outbox::BatchLoad& query, const std::vector<contracts::Envelope>& batch) {
    std::vector<const contracts::Envelope*> applying;
    for (const auto& command : batch) applying.push_back(&command);
    auto conn = db_.Pool().Acquire();
    pqxx::work tx(*conn);
    const auto result = tx.exec_params(
        "SELECT l.* FROM (" + query.sql + ") l WHERE $1::int = 1 AND $2::int = 2", 1, 2, query.params[0]);
    const std::vector<pqxx::row> rows(result.begin(), result.end());
    std::unique_ptr<outbox::TransactionWork> work;
    for (const auto& command : batch) HandleLoaded(tx, command, applying, rows, work);
    work->Flush();
    tx.commit();
    return rows.size();
  };
  EXPECT_EQ(run(*load, commands), 1U) << "the payment of `paid`";
  EXPECT_EQ(gateway_.charges, 2) << "`paid` once before, `fresh` once";
  EXPECT_EQ(gateway_.refunds, 2);
  EXPECT_EQ(PaymentsOf(paid).at(0).Status(), PaymentStatus::kRefunded);
  EXPECT_EQ(PaymentsOf(fresh).at(0).Status(), PaymentStatus::kRefunded);
  EXPECT_EQ(Types(OutboxOf(fresh)),
            (std::vector<std::string>{"PaymentInitiated", "PaymentCompleted", "PaymentCompleted",
                                      "RefundInitiated", "RefundCompleted"}));

  const auto late = core::NewId<core::OrderId>();
  const auto process = Process(late, "tok_sim_approve");
  const auto stale = PaymentCommandLoad({&process}, 3);  // read before the charge below commits
  ASSERT_TRUE(stale);
  auto conn = db_.Pool().Acquire();
  pqxx::work before(*conn);
  const auto old = before.exec_params(
      "SELECT l.* FROM (" + stale->sql + ") l WHERE $1::int = 1 AND $2::int = 2", 1, 2, stale->params[0]);
  before.commit();
  Handle(process);  // the first delivery, meanwhile
  const std::vector<pqxx::row> old_rows(old.begin(), old.end());
  auto conn2 = db_.Pool().Acquire();
  pqxx::work tx(*conn2);
  std::unique_ptr<outbox::TransactionWork> work;
  EXPECT_THROW(HandleLoaded(tx, process, {&process}, old_rows, work), core::ConcurrencyConflict);
  EXPECT_EQ(gateway_.charges, 3) << "charged once for `late`";
}

// The load locks the orders' payments: a refund whose load waited for another transaction's
// refund of the same payment gets the row as that one committed it (Refunded), and the gateway
// sees one refund, not two.
TEST_F(PaymentCommandsPgTest, ALoadThatWaitedForAConcurrentRefundSeesItsOutcome) {
  const auto order = core::NewId<core::OrderId>();
  Handle(Process(order, "tok_sim_approve"));
  const auto first = Refund(order);
  const auto second = Refund(order);
  auto conn = db_.Pool().Acquire();
  pqxx::work held(*conn);  // the first refund, not committed yet
  {
    PgPaymentRepository payments(held);
    outbox::TransactionOutbox outbox(held);
    PaymentCommands commands(payments, outbox, gateway_, clock_);
    HandlePaymentCommand(first, commands, tokens_);
  }
  ASSERT_EQ(gateway_.refunds, 1);
  std::exception_ptr failed;
  std::thread other([&] {
    try {
      const auto load = PaymentCommandLoad({&second}, 1);
      auto conn2 = db_.Pool().Acquire();
      pqxx::work tx(*conn2);
      const auto result = tx.exec_params(load->sql, load->params[0]);  // waits for `held`
      const std::vector<pqxx::row> rows(result.begin(), result.end());
      std::unique_ptr<outbox::TransactionWork> work;
      HandleLoaded(tx, second, {&second}, rows, work);
      work->Flush();
      tx.commit();
    } catch (...) {
      failed = std::current_exception();
    }
  });
  ASSERT_TRUE(saga::testing::WaitFor(
      [&] {
        auto probe = db_.Pool().Acquire();
        pqxx::read_transaction tx(*probe);
        return tx.exec1(
                     "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE "
                     "'%FROM payments%'")[0]
                   .as<int>() > 0;
      },
      std::chrono::seconds(10)));
  held.commit();
  other.join();
  if (failed) std::rethrow_exception(failed);
  EXPECT_EQ(gateway_.refunds, 1) << "refunded once";
  EXPECT_EQ(Types(OutboxOf(order)),
            (std::vector<std::string>{"PaymentInitiated", "PaymentCompleted", "RefundInitiated",
                                      "RefundCompleted", "RefundCompleted"}));
}

TEST_F(PaymentCommandsPgTest, OtherMessageTypesAreDeadLettered) {
  const auto order = core::NewId<core::OrderId>();
  auto command = Command("ReleaseInventory", {{"reason", "x"}}, order);
  EXPECT_THROW(Handle(command), outbox::PermanentError);
  EXPECT_TRUE(OutboxOf(order).empty());
}

}  // namespace
}  // namespace saga::payment
