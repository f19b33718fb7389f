// PgPaymentRepository and the payment schema against the real PostgreSQL: every repository
// method, version conflicts, one live payment per order, unique transaction ids, constraints,
// and migrations up/down/up.
#include "services/payment/infra/pg_payment_repository.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/migrations.hpp"
#include "saga/testing/migrated_database.hpp"
#include "saga/testing/test_env.hpp"
#include "services/payment/infra/migrations.hpp"
#include "services/payment/tests/builders.hpp"

namespace saga::payment {
namespace {

using testing::kT0;
using testing::PendingPayment;

class PgPaymentRepositoryTest : public ::testing::Test {
 protected:
  // A payment taken through to Completed and stored.
  Payment Completed(const std::string& transaction_id, core::OrderId order = core::NewId<core::OrderId>()) {
    auto payment = PendingPayment(1000, order);
    repo_.Create(payment);
    EXPECT_TRUE(payment.Process(kT0).HasValue());
    EXPECT_TRUE(payment.Complete(transaction_id, kT0 + std::chrono::seconds(1)).HasValue());
    repo_.Update(payment);
    return payment;
  }

  saga::testing::MigratedDatabase db_{Migrations(), 4};
  PgPaymentRepository repo_{db_.Pool()};
};

TEST_F(PgPaymentRepositoryTest, RoundTripsEveryField) {
  auto payment = PendingPayment(4321);
  repo_.Create(payment);
  EXPECT_EQ(payment.Version(), 1);
  auto loaded = repo_.Get(payment.Id()).value();
  EXPECT_EQ(loaded.OrderId(), payment.OrderId());
  EXPECT_EQ(loaded.Amount(), core::Money(4321, testing::kEur));
  EXPECT_EQ(loaded.Status(), PaymentStatus::kPending);
  EXPECT_FALSE(loaded.TransactionId().has_value());
  EXPECT_FALSE(loaded.ProcessedAt().has_value());
  EXPECT_EQ(loaded.CreatedAt(), kT0);

  auto done = Completed("gw-tx-1");
  auto again = repo_.Get(done.Id()).value();
  EXPECT_EQ(again.Status(), PaymentStatus::kCompleted);
  EXPECT_EQ(again.TransactionId(), "gw-tx-1");
  EXPECT_EQ(again.ProcessedAt(), kT0 + std::chrono::seconds(1));
  EXPECT_EQ(again.Version(), 2);
  EXPECT_EQ(repo_.GetByTransactionId("gw-tx-1")->Id(), done.Id());
  EXPECT_FALSE(repo_.GetByTransactionId("nope").has_value());
  EXPECT_FALSE(repo_.Get(core::NewId<core::PaymentId>()).has_value());
}

TEST_F(PgPaymentRepositoryTest, AStaleUpdateIsAConflict) {
  auto payment = PendingPayment();
  repo_.Create(payment);
  auto a = repo_.Get(payment.Id()).value();
  auto b = repo_.Get(payment.Id()).value();
  ASSERT_TRUE(a.Process(kT0).HasValue());
  ASSERT_TRUE(b.Fail("declined", kT0).HasValue());
  repo_.Update(a);
  EXPECT_THROW(repo_.Update(b), core::ConcurrencyConflict);
  EXPECT_EQ(repo_.Get(payment.Id())->Status(), PaymentStatus::kProcessing);
}

TEST_F(PgPaymentRepositoryTest, AtMostOneLivePaymentPerOrder) {
  const auto order = core::NewId<core::OrderId>();
  auto first = PendingPayment(1000, order);
  repo_.Create(first);
  auto second = PendingPayment(1000, order);
  try {
    repo_.Create(second);
    FAIL() << "a second live payment for one order was accepted";
  } catch (const pg::ConstraintViolation& e) {
    EXPECT_EQ(e.Constraint(), "payments_one_live_per_order");
  }
  ASSERT_TRUE(first.Fail("declined", kT0).HasValue());
  repo_.Update(first);
  auto retry = PendingPayment(1000, order, kT0 + std::chrono::seconds(5));
  repo_.Create(retry);  // allowed once the first failed
  auto all = repo_.GetByOrderId(order);
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].Id(), retry.Id()) << "newest first";
}

TEST_F(PgPaymentRepositoryTest, TransactionIdsAreUnique) {
  Completed("gw-dup");
  auto other = PendingPayment();
  repo_.Create(other);
  ASSERT_TRUE(other.Process(kT0).HasValue());
  ASSERT_TRUE(other.Complete("gw-dup", kT0).HasValue());
  try {
    repo_.Update(other);
    FAIL() << "duplicate transaction id accepted";
  } catch (const pg::ConstraintViolation& e) {
    EXPECT_EQ(e.Constraint(), "payments_transaction_id_key");
  }
  EXPECT_EQ(repo_.Get(other.Id())->Status(), PaymentStatus::kPending) << "nothing of the refused update";
}

TEST_F(PgPaymentRepositoryTest, ListFiltersAndPages) {
  for (int i = 0; i < 3; ++i) {
    auto p = PendingPayment(100 + i, core::NewId<core::OrderId>(), kT0 + std::chrono::seconds(i));
    repo_.Create(p);
  }
  Completed("gw-list");
  auto all = repo_.List({}, {.limit = 2, .offset = 0});
  EXPECT_EQ(all.total, 4);
  EXPECT_EQ(all.items.size(), 2U);
  auto pending = repo_.List({.status = PaymentStatus::kPending}, {});
  EXPECT_EQ(pending.total, 3);
  for (const auto& p : pending.items) EXPECT_EQ(p.Status(), PaymentStatus::kPending);
}

TEST_F(PgPaymentRepositoryTest, TheSchemaEnforcesTheInvariants) {
  const std::string cols =
      "INSERT INTO payments (id, order_id, currency, amount_minor, status, transaction_id, "
      "created_at, updated_at, version) VALUES (gen_random_uuid(), gen_random_uuid(), ";
  saga::testing::ExpectConstraintViolations(
      db_, {
               {cols + "'EUR', 0, 'Pending', NULL, now(), now(), 1)", "payments_amount_positive"},
               {cols + "'EUR', 5, 'Lost', NULL, now(), now(), 1)", "payments_status_check"},
               {cols + "'EUR', 5, 'Completed', NULL, now(), now(), 1)", "payments_transaction_required"},
               {cols + "'EUR', 5, 'Refunded', NULL, now(), now(), 1)", "payments_transaction_required"},
               {cols + "'EUR', 5, 'Pending', '', now(), now(), 1)", "payments_transaction_id_check"},
               {cols + "'eur', 5, 'Pending', NULL, now(), now(), 1)", "payments_currency_check"},
               {cols + "'EUR', 5, 'Pending', NULL, now(), now(), 0)", "payments_version_positive"},
           });
  EXPECT_EQ(repo_.List({}, {}).total, 0);
}

TEST(PaymentMigrationsTest, UpDownUpLeavesTheSameSchema) {
  saga::testing::ExpectMigrationsRoundTrip(Migrations(), "payments_one_live_per_order", "payments");
}

TEST_F(PgPaymentRepositoryTest, InTransactionModeEveryCallJoinsTheCallersTransaction) {
  auto payment = PendingPayment(1500);
  {
    auto conn = db_.Pool().Acquire();
    pqxx::work tx(*conn);
    PgPaymentRepository in_tx(tx);
    in_tx.Create(payment);
    ASSERT_TRUE(payment.Process(kT0).HasValue());
    in_tx.Update(payment);
    EXPECT_EQ(in_tx.Get(payment.Id())->Status(), PaymentStatus::kProcessing);  // sees its own writes
    EXPECT_EQ(in_tx.GetByOrderId(payment.OrderId()).size(), 1U);
    EXPECT_EQ(in_tx.List({}, core::PageRequest{}).total, 1);
    EXPECT_FALSE(repo_.Get(payment.Id()).has_value());  // nothing committed yet
    tx.commit();
  }
  EXPECT_EQ(repo_.Get(payment.Id())->Version(), 2);

  auto rolled_back = PendingPayment();
  {
    auto conn = db_.Pool().Acquire();
    pqxx::work tx(*conn);
    PgPaymentRepository in_tx(tx);
    in_tx.Create(rolled_back);
    // destroyed without commit: rolls back
  }
  EXPECT_FALSE(repo_.Get(rolled_back.Id()).has_value());
}

TEST_F(PgPaymentRepositoryTest, InTransactionModeErrorsArriveTranslated) {
  auto payment = PendingPayment();
  repo_.Create(payment);
  auto conn = db_.Pool().Acquire();
  pqxx::work tx(*conn);
  PgPaymentRepository in_tx(tx);
  auto stale = payment;
  stale.MarkPersisted(7);
  EXPECT_THROW(in_tx.Update(stale), core::ConcurrencyConflict);
  auto second = PendingPayment(1000, payment.OrderId());
  try {
    in_tx.Create(second);
    FAIL() << "a second live payment of the order was stored";
  } catch (const pg::ConstraintViolation& e) {
    EXPECT_EQ(e.Constraint(), "payments_one_live_per_order");
  }
}

}  // namespace
}  // namespace saga::payment
