// PgOrderRepository and the order schema against the real PostgreSQL: every repository method,
// optimistic concurrency with concurrent updaters, the schema's constraints, and migrations
// up/down/up.
#include "services/order/infra/pg_order_repository.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <limits>
#include <pqxx/pqxx>

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/migrations.hpp"
#include "saga/testing/migrated_database.hpp"
#include "saga/testing/test_env.hpp"
#include "services/order/infra/migrations.hpp"
#include "services/order/tests/builders.hpp"

namespace saga::order {
namespace {

using testing::OrderBuilder;

class PgOrderRepositoryTest : public ::testing::Test {
 protected:
  saga::testing::MigratedDatabase db_{Migrations(), 8};
  PgOrderRepository repo_{db_.Pool()};
};

TEST_F(PgOrderRepositoryTest, CreateAndGetRoundTripExactly) {
  auto order = OrderBuilder().WithItem(3, 999).WithItem(1, 10'000).Build();
  repo_.Create(order);
  EXPECT_EQ(order.Version(), 1);
  auto loaded = repo_.Get(order.Id());
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->Id(), order.Id());
  EXPECT_EQ(loaded->CustomerId(), order.CustomerId());
  EXPECT_EQ(loaded->Status(), OrderStatus::kCreated);
  EXPECT_EQ(loaded->TotalAmount(), core::Money(12'997, testing::kEur));
  EXPECT_EQ(loaded->Items(), order.Items()) << "items and their order survive";
  EXPECT_EQ(loaded->CreatedAt(), order.CreatedAt()) << "microsecond precision";
  EXPECT_EQ(loaded->Version(), 1);
  EXPECT_FALSE(repo_.Get(core::NewId<core::OrderId>()).has_value());
}

TEST_F(PgOrderRepositoryTest, EveryReaderGetsAllItemsInLineOrder) {
  // The items come with their order in one statement (a column of the order's row).
  OrderBuilder builder;
  const auto customer = core::NewId<core::CustomerId>();
  builder.WithCustomer(customer);
  for (std::int32_t line = 0; line < static_cast<std::int32_t>(kMaxItemsPerOrder); ++line) {
    builder.WithItem(10'000 - line, 1 + line * 7);
  }
  auto big = builder.Build();
  auto small =
      OrderBuilder().WithCustomer(customer).WithItem(1, std::numeric_limits<std::int32_t>::max()).Build();
  repo_.Create(big);
  repo_.Create(small);
  EXPECT_EQ(repo_.Get(big.Id())->Items(), big.Items());
  EXPECT_EQ(repo_.Get(small.Id())->Items(), small.Items());
  const auto page = repo_.GetAll(OrderFilter{std::nullopt, customer}, core::PageRequest{10, 0});
  ASSERT_EQ(page.items.size(), 2U);
  for (const auto& order : page.items) {
    EXPECT_EQ(order.Items(), (order.Id() == big.Id() ? big : small).Items());
  }
  // Read back from any column on, as statements that read orders with other rows do.
  auto conn = db_.Pool().Acquire();
  pqxx::read_transaction tx(*conn);
  const auto rows = tx.exec("SELECT 'x', 42, " + PgOrderRepository::SelectList() +
                            " FROM orders o WHERE o.customer_id = '" + customer.Get().ToString() + "'");
  ASSERT_EQ(rows.size(), 2U);
  for (const auto& row : rows) {
    const auto order = PgOrderRepository::FromRow(row, 2);
    EXPECT_EQ(order.Items(), (order.Id() == big.Id() ? big : small).Items());
    EXPECT_EQ(order.TotalAmount(), (order.Id() == big.Id() ? big : small).TotalAmount());
  }
}

TEST_F(PgOrderRepositoryTest, UpdateStoresChangesAndBumpsTheVersion) {
  auto order = OrderBuilder().Build();
  repo_.Create(order);
  ASSERT_TRUE(
      order
          .AddItem(
              OrderItem::Create(core::NewId<core::ProductId>(), 4, core::Money(100, testing::kEur)).Value(),
              testing::kT0 + std::chrono::seconds(1))
          .HasValue());
  ASSERT_TRUE(
      order.UpdateStatus(OrderStatus::kInventoryReserved, testing::kT0 + std::chrono::seconds(2)).HasValue());
  repo_.Update(order);
  EXPECT_EQ(order.Version(), 2);
  auto loaded = repo_.Get(order.Id()).value();
  EXPECT_EQ(loaded.Status(), OrderStatus::kInventoryReserved);
  EXPECT_EQ(loaded.Items().size(), 3U);
  EXPECT_EQ(loaded.TotalAmount(), order.TotalAmount());
  EXPECT_EQ(loaded.UpdatedAt(), testing::kT0 + std::chrono::seconds(2));
  EXPECT_EQ(loaded.Version(), 2);
}

TEST_F(PgOrderRepositoryTest, AStatusChangeLeavesTheItemRowsAlone) {
  auto order = OrderBuilder().WithItem(2, 500).Build();
  repo_.Create(order);
  const auto item_rows = [&] {  // the rows' versions: a rewrite gives them new ones
    auto lease = db_.Pool().Acquire();
    pqxx::read_transaction tx(*lease);
    return tx
        .exec_params1(
            "SELECT string_agg(xmin::text || ':' || line_no, ',' ORDER BY line_no) FROM order_items "
            "WHERE order_id = $1",
            order.Id().Get().ToString())[0]
        .as<std::string>();
  };
  const auto created = item_rows();
  ASSERT_TRUE(
      order.UpdateStatus(OrderStatus::kInventoryReserved, testing::kT0 + std::chrono::seconds(1)).HasValue());
  EXPECT_FALSE(order.ItemsChanged());
  repo_.Update(order);
  EXPECT_EQ(item_rows(), created) << "a status change does not rewrite the items";
  EXPECT_EQ(repo_.Get(order.Id())->Items(), order.Items());

  auto editable = OrderBuilder().Build();
  repo_.Create(editable);
  const auto before = repo_.Get(editable.Id())->Items();
  ASSERT_TRUE(
      editable
          .AddItem(
              OrderItem::Create(core::NewId<core::ProductId>(), 1, core::Money(700, testing::kEur)).Value(),
              testing::kT0 + std::chrono::seconds(1))
          .HasValue());
  EXPECT_TRUE(editable.ItemsChanged());
  repo_.Update(editable);
  EXPECT_FALSE(editable.ItemsChanged()) << "stored";
  EXPECT_EQ(repo_.Get(editable.Id())->Items().size(), before.size() + 1);
}

TEST_F(PgOrderRepositoryTest, AStaleUpdateIsAConflictNotAnOverwrite) {
  auto order = OrderBuilder().Build();
  repo_.Create(order);
  auto first = repo_.Get(order.Id()).value();
  auto second = repo_.Get(order.Id()).value();
  ASSERT_TRUE(first.UpdateStatus(OrderStatus::kInventoryReserved, testing::kT0).HasValue());
  ASSERT_TRUE(second.UpdateStatus(OrderStatus::kCancelled, testing::kT0).HasValue());
  repo_.Update(first);
  EXPECT_THROW(repo_.Update(second), core::ConcurrencyConflict);
  EXPECT_EQ(repo_.Get(order.Id())->Status(), OrderStatus::kInventoryReserved) << "the loser wrote nothing";
}

TEST_F(PgOrderRepositoryTest, ConcurrentUpdatersOfOneVersionOnlyOneWins) {
  auto order = OrderBuilder().Build();
  repo_.Create(order);
  constexpr int kUpdaters = 8;
  std::atomic<int> wins{0};
  std::atomic<int> conflicts{0};
  std::vector<std::future<void>> updaters;
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  for (int i = 0; i < kUpdaters; ++i) {
    auto copy = repo_.Get(order.Id()).value();
    updaters.push_back(std::async(std::launch::async, [&, copy]() mutable {
      ASSERT_TRUE(copy.UpdateStatus(OrderStatus::kFailed, testing::kT0).HasValue());
      start.wait();
      try {
        repo_.Update(copy);
        ++wins;
      } catch (const core::ConcurrencyConflict&) {
        ++conflicts;
      }
    }));
  }
  go.set_value();
  for (auto& updater : updaters) updater.get();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), kUpdaters - 1);
  EXPECT_EQ(repo_.Get(order.Id())->Version(), 2);
}

TEST_F(PgOrderRepositoryTest, GetAllFiltersByStatusAndCustomerAndPages) {
  const auto alice = core::NewId<core::CustomerId>();
  const auto bob = core::NewId<core::CustomerId>();
  for (int i = 0; i < 5; ++i) {
    auto order = OrderBuilder().WithCustomer(alice).At(testing::kT0 + std::chrono::seconds(i)).Build();
    repo_.Create(order);
  }
  auto failed = OrderBuilder().WithCustomer(bob).At(testing::kT0 + std::chrono::seconds(10)).Build();
  repo_.Create(failed);
  ASSERT_TRUE(failed.UpdateStatus(OrderStatus::kFailed, testing::kT0 + std::chrono::seconds(11)).HasValue());
  repo_.Update(failed);

  auto all = repo_.GetAll({}, {.limit = 50, .offset = 0});
  EXPECT_EQ(all.total, 6);
  ASSERT_EQ(all.items.size(), 6U);
  EXPECT_EQ(all.items.front().Id(), failed.Id()) << "newest first";

  auto of_alice = repo_.GetAll({.status = std::nullopt, .customer_id = alice}, {.limit = 2, .offset = 2});
  EXPECT_EQ(of_alice.total, 5);
  ASSERT_EQ(of_alice.items.size(), 2U);
  for (const auto& o : of_alice.items) EXPECT_EQ(o.CustomerId(), alice);

  auto failed_only = repo_.GetAll({.status = OrderStatus::kFailed, .customer_id = std::nullopt}, {});
  ASSERT_EQ(failed_only.total, 1);
  EXPECT_EQ(failed_only.items[0].Id(), failed.Id());

  auto none = repo_.GetAll({.status = OrderStatus::kFailed, .customer_id = alice}, {});
  EXPECT_EQ(none.total, 0);
  EXPECT_TRUE(none.items.empty());
}

TEST_F(PgOrderRepositoryTest, DeleteChecksTheVersionAndRemovesItems) {
  auto order = OrderBuilder().Build();
  repo_.Create(order);
  EXPECT_THROW(repo_.Delete(order.Id(), 7), core::ConcurrencyConflict);
  EXPECT_TRUE(repo_.Delete(order.Id(), 1));
  EXPECT_FALSE(repo_.Get(order.Id()).has_value());
  EXPECT_EQ(db_.Count("SELECT count(*) FROM order_items"), 0);
  EXPECT_FALSE(repo_.Delete(order.Id(), 1));
}

TEST_F(PgOrderRepositoryTest, ADuplicateIdWritesNothing) {
  auto order = OrderBuilder().Build();
  repo_.Create(order);
  auto again =
      Order::Restore(
          order.Id(), core::NewId<core::CustomerId>(), OrderStatus::kCreated, testing::kEur,
          {OrderItem::Create(core::NewId<core::ProductId>(), 1, core::Money(5, testing::kEur)).Value()},
          testing::kT0, testing::kT0, 0)
          .Value();
  EXPECT_THROW(repo_.Create(again), pg::ConstraintViolation);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM order_items"), 2) << "no item of the refused order was written";
}

TEST_F(PgOrderRepositoryTest, TheSchemaEnforcesTheInvariants) {
  const std::string id = "'11111111-1111-4111-8111-111111111111'";
  const std::string order_row =
      "INSERT INTO orders VALUES (" + id + ", gen_random_uuid(), 'Created', 'EUR', 200, now(), now(), 1);";
  saga::testing::ExpectConstraintViolations(
      db_, {
               {"INSERT INTO orders VALUES (gen_random_uuid(), gen_random_uuid(), 'Shipped', 'EUR', 1, "
                "now(), now(), "
                "1)",
                "orders_status_check"},
               {"INSERT INTO orders VALUES (gen_random_uuid(), gen_random_uuid(), 'Created', 'eur', 1, "
                "now(), now(), "
                "1)",
                "orders_currency_check"},
               {"INSERT INTO orders VALUES (gen_random_uuid(), gen_random_uuid(), 'Created', 'EUR', 0, "
                "now(), now(), "
                "1)",
                "orders_total_positive"},
               {order_row + "INSERT INTO order_items VALUES (" + id + ", 0, gen_random_uuid(), 2, 100, 150)",
                "order_items_subtotal_check"},
               {order_row + "INSERT INTO order_items VALUES (" + id + ", 0, gen_random_uuid(), 0, 100, 0)",
                "order_items_quantity_check"},
               {order_row + "INSERT INTO order_items VALUES (" + id + ", 0, gen_random_uuid(), 1, 100, 100)",
                "orders_total_matches_items"},
               {order_row + "INSERT INTO order_items VALUES (" + id +
                    ", 0, '22222222-2222-4222-8222-222222222222', 1, 100, 100);" +
                    "INSERT INTO order_items VALUES (" + id +
                    ", 1, '22222222-2222-4222-8222-222222222222', 1, 100, 100)",
                "order_items_one_line_per_product"},
               {"INSERT INTO order_items VALUES (gen_random_uuid(), 0, gen_random_uuid(), 1, 100, 100)",
                "order_items_order_id_fkey"},
           });
  EXPECT_EQ(db_.Count("SELECT count(*) FROM orders"), 0) << "every refused transaction left nothing";
}

// The orders row's check runs when its total changes (not on a status change), and still
// refuses a total that differs from the items.
TEST_F(PgOrderRepositoryTest, ATotalChangedAwayFromTheItemsIsRefused) {
  const std::string id = "'33333333-3333-4333-8333-333333333333'";
  db_.Exec("INSERT INTO orders VALUES (" + id +
           ", gen_random_uuid(), 'Created', 'EUR', 100, now(), now(), 1);" +
           "INSERT INTO order_items VALUES (" + id + ", 0, gen_random_uuid(), 1, 100, 100)");
  db_.Exec("UPDATE orders SET status = 'InventoryReserved', version = 2 WHERE id = " + id);
  try {
    db_.Exec("UPDATE orders SET total_minor = 150 WHERE id = " + id);
    FAIL() << "a total that differs from the items was stored";
  } catch (const pg::ConstraintViolation& e) {
    EXPECT_EQ(e.Constraint(), "orders_total_matches_items") << e.what();
  }
  EXPECT_EQ(db_.Count("SELECT total_minor FROM orders WHERE id = " + id), 100);
}

TEST(OrderMigrationsTest, UpDownUpLeavesTheSameSchema) {
  saga::testing::ExpectMigrationsRoundTrip(Migrations(), "orders_total_matches_items", "orders");
}

}  // namespace
}  // namespace saga::order
