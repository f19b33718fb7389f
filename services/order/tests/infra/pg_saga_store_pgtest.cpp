// PgSagaTransactions against the real PostgreSQL: what a unit of work gives AfterCommit() runs
// only once its transaction committed, and never when it rolled back; the saga's traceparent
// survives the round trip.
#include "services/order/infra/pg_saga_store.hpp"

#include <gtest/gtest.h>

#include "saga/testing/manual_clock.hpp"
#include "saga/testing/migrated_database.hpp"
#include "services/order/infra/migrations.hpp"
#include "services/order/tests/builders.hpp"

namespace saga::order {
namespace {

class PgSagaStoreTest : public ::testing::Test {
 protected:
  saga::testing::MigratedDatabase db_{Migrations(), 4};
  PgSagaTransactions transactions_{db_.Pool()};
  PgSagaQueries queries_{db_.Pool()};
};

TEST_F(PgSagaStoreTest, AfterCommitActionsRunOnlyAfterACommit) {
  std::vector<std::string> ran;
  auto order = testing::OrderBuilder().Build();
  const std::string span = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  transactions_.Run([&](ISagaUnitOfWork& uow) {
    uow.Orders().Create(order);
    auto saga = SagaInstance::Start(core::NewId<core::SagaId>(), order.Id(), "tok_sim_approve", "corr", span,
                                    testing::kT0, SagaPolicy{});
    uow.CreateSaga(saga);
    uow.AfterCommit([&] { ran.push_back("first"); });
    uow.AfterCommit([&] { ran.push_back("second"); });
    EXPECT_TRUE(ran.empty()) << "not before the commit";
  });
  EXPECT_EQ(ran, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(queries_.GetSaga(order.Id())->Traceparent(), span);

  ran.clear();
  EXPECT_THROW(transactions_.Run([&](ISagaUnitOfWork& uow) {
    auto other = testing::OrderBuilder().Build();
    uow.Orders().Create(other);
    uow.AfterCommit([&] { ran.push_back("rolled back"); });
    throw std::runtime_error("the unit of work fails");
  }),
               std::runtime_error);
  EXPECT_TRUE(ran.empty()) << "a rolled-back unit of work reports nothing";

  // An action that throws is logged; the commit stands and the other actions still run.
  auto third = testing::OrderBuilder().Build();
  EXPECT_NO_THROW(transactions_.Run([&](ISagaUnitOfWork& uow) {
    uow.Orders().Create(third);
    uow.AfterCommit([] { throw std::runtime_error("a broken report"); });
    uow.AfterCommit([&] { ran.push_back("after the broken one"); });
  }));
  EXPECT_EQ(ran, (std::vector<std::string>{"after the broken one"}));
  EXPECT_TRUE(PgOrderRepository(db_.Pool()).Get(third.Id()).has_value());
}

}  // namespace
}  // namespace saga::order
