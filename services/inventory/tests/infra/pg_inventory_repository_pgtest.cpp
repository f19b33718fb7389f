// PgInventoryRepository and the inventory schema against the real PostgreSQL: catalogue,
// version-checked stock, all-or-nothing and repeatable reservations (also under concurrency:
// never oversold), release (also of a sale), commit, expiry, the stock ledger, the transaction
// mode with its recorded stock writes, constraints, and migrations up/down/up.
#include "services/inventory/infra/pg_inventory_repository.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <pqxx/pqxx>

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/migrations.hpp"
#include "saga/pg/prepared.hpp"
#include "saga/testing/migrated_database.hpp"
#include "saga/testing/test_env.hpp"
#include "services/inventory/infra/migrations.hpp"
#include "services/inventory/tests/builders.hpp"

namespace saga::inventory {
namespace {

using std::chrono::minutes;
using testing::kT0;
using testing::ProductBuilder;

class PgInventoryRepositoryTest : public ::testing::Test {
 protected:
  core::ProductId Seed(std::int64_t stock, const std::string& sku = "") {
    ProductBuilder builder;
    if (!sku.empty()) builder.WithSku(sku);
    builder.WithStock(stock);
    auto item = builder.BuildItem();
    repo_.CreateProduct(builder.BuildProduct(), item);
    return builder.Id();
  }
  InventoryItem Stock(const core::ProductId& id) { return repo_.GetByProductId(id).value(); }

  saga::testing::MigratedDatabase db_{Migrations(), 12};
  PgInventoryRepository repo_{db_.Pool()};
};

TEST_F(PgInventoryRepositoryTest, CatalogueRoundTripAndLookups) {
  ProductBuilder builder;
  builder.WithSku("MUG-BLUE").WithStock(7).WithPrice(1250);
  auto item = builder.BuildItem();
  repo_.CreateProduct(builder.BuildProduct(), item);
  EXPECT_EQ(item.Version(), 1);
  auto found = repo_.GetProduct(builder.Id());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->product.Sku().Value(), "MUG-BLUE");
  EXPECT_EQ(found->product.Price(), core::Money(1250, testing::kEur));
  EXPECT_EQ(found->product.CreatedAt(), kT0);
  EXPECT_EQ(found->item.Quantity(), 7);
  EXPECT_EQ(found->item.Reserved(), 0);
  EXPECT_EQ(repo_.GetProductBySku(Sku::Parse("MUG-BLUE").Value())->product.Id(), builder.Id());
  EXPECT_FALSE(repo_.GetProduct(core::NewId<core::ProductId>()).has_value());
  EXPECT_FALSE(repo_.GetProductBySku(Sku::Parse("NOPE-1").Value()).has_value());
}

TEST_F(PgInventoryRepositoryTest, DuplicateSkuIsRefusedAndWritesNothing) {
  Seed(5, "DUP-SKU");
  ProductBuilder second;
  second.WithSku("DUP-SKU");
  auto item = second.BuildItem();
  try {
    repo_.CreateProduct(second.BuildProduct(), item);
    FAIL() << "duplicate SKU accepted";
  } catch (const pg::ConstraintViolation& e) {
    EXPECT_EQ(e.Constraint(), "products_sku_key");
  }
  EXPECT_EQ(db_.Count("SELECT count(*) FROM products"), 1);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM inventory_items"), 1);
}

TEST_F(PgInventoryRepositoryTest, ListProductsAndLowStockPage) {
  for (int i = 0; i < 5; ++i) {
    ProductBuilder b;
    b.WithStock(i * 3).At(kT0 + std::chrono::seconds(i));
    auto item = b.BuildItem();
    repo_.CreateProduct(b.BuildProduct(), item);
  }
  auto page = repo_.ListProducts({.limit = 2, .offset = 1});
  EXPECT_EQ(page.total, 5);
  ASSERT_EQ(page.items.size(), 2U);
  EXPECT_EQ(page.items[0].item.Quantity(), 3) << "oldest first";
  auto low = repo_.LowStock(7, {});
  EXPECT_EQ(low.total, 3);  // 0, 3, 6
  ASSERT_EQ(low.items.size(), 3U);
  EXPECT_EQ(low.items[0].item.Available(), 0) << "fewest first";
}

TEST_F(PgInventoryRepositoryTest, StockUpdatesAreVersionChecked) {
  const auto id = Seed(10);
  auto first = Stock(id);
  auto second = Stock(id);
  ASSERT_TRUE(first.Restock(5, kT0).HasValue());
  ASSERT_TRUE(second.SetStock(1, kT0).HasValue());
  repo_.UpdateStock(first);
  EXPECT_EQ(first.Version(), 2);
  EXPECT_THROW(repo_.UpdateStock(second), core::ConcurrencyConflict);
  EXPECT_EQ(Stock(id).Quantity(), 15);
}

TEST_F(PgInventoryRepositoryTest, ReserveIsAllOrNothingAndRepeatable) {
  const auto a = Seed(5);
  const auto b = Seed(1);
  const auto order = core::NewId<core::OrderId>();
  auto refused = repo_.Reserve(order, {{a, 2}, {b, 2}}, kT0, kT0 + minutes(15));
  ASSERT_FALSE(refused.HasValue());
  EXPECT_EQ(refused.Error().error, InventoryError::kInsufficientStock);
  EXPECT_EQ(refused.Error().product_id, b);
  EXPECT_EQ(refused.Error().available, 1);
  EXPECT_EQ(Stock(a).Reserved(), 0) << "nothing of a refused reservation is kept";
  EXPECT_TRUE(repo_.GetReservations(order).empty());

  auto unknown = repo_.Reserve(order, {{core::NewId<core::ProductId>(), 1}}, kT0, kT0 + minutes(15));
  ASSERT_FALSE(unknown.HasValue());
  EXPECT_EQ(unknown.Error().error, InventoryError::kUnknownProduct);

  auto reserved = repo_.Reserve(order, {{a, 2}, {b, 1}}, kT0, kT0 + minutes(15));
  ASSERT_TRUE(reserved.HasValue());
  EXPECT_EQ(reserved.Value().size(), 2U);
  EXPECT_EQ(Stock(a).Reserved(), 2);
  EXPECT_EQ(Stock(b).Available(), 0);

  auto again = repo_.Reserve(order, {{a, 2}, {b, 1}}, kT0, kT0 + minutes(15));
  ASSERT_TRUE(again.HasValue());
  EXPECT_EQ(again.Value().size(), 2U);
  EXPECT_EQ(Stock(a).Reserved(), 2) << "a repeated reserve holds nothing more";
}

TEST_F(PgInventoryRepositoryTest, ConcurrentReservationsNeverOversell) {
  const auto product = Seed(5);
  constexpr int kOrders = 12;
  std::atomic<int> granted{0};
  std::atomic<int> refused{0};
  std::vector<std::future<void>> buyers;
  for (int i = 0; i < kOrders; ++i) {
    buyers.push_back(std::async(std::launch::async, [&] {
      auto result = repo_.Reserve(core::NewId<core::OrderId>(), {{product, 1}}, kT0, kT0 + minutes(15));
      if (result.HasValue()) {
        ++granted;
      } else {
        EXPECT_EQ(result.Error().error, InventoryError::kInsufficientStock);
        ++refused;
      }
    }));
  }
  for (auto& buyer : buyers) buyer.get();
  EXPECT_EQ(granted.load(), 5);
  EXPECT_EQ(refused.load(), kOrders - 5);
  EXPECT_EQ(Stock(product).Reserved(), 5);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM reservations"), 5);
}

TEST_F(PgInventoryRepositoryTest, ReleaseReturnsStockOnceAndBlocksCommit) {
  const auto product = Seed(4);
  const auto order = core::NewId<core::OrderId>();
  ASSERT_TRUE(repo_.Reserve(order, {{product, 3}}, kT0, kT0 + minutes(15)).HasValue());
  auto released = repo_.Release(order, kT0 + minutes(1));
  ASSERT_TRUE(released.HasValue());
  EXPECT_EQ(released.Value()[0].Status(), ReservationStatus::kReleased);
  EXPECT_EQ(Stock(product).Reserved(), 0);
  ASSERT_TRUE(repo_.Release(order, kT0 + minutes(2)).HasValue());
  EXPECT_EQ(Stock(product).Quantity(), 4) << "a repeated release returns nothing twice";
  EXPECT_EQ(Stock(product).Reserved(), 0);
  auto commit = repo_.Commit(order, kT0 + minutes(3));
  ASSERT_FALSE(commit.HasValue());
  EXPECT_EQ(commit.Error(), InventoryError::kIllegalTransition);
  EXPECT_TRUE(repo_.Release(core::NewId<core::OrderId>(), kT0).Value().empty())
      << "nothing to release is fine";
}

TEST_F(PgInventoryRepositoryTest, CommitTurnsTheHoldIntoASaleOnce) {
  const auto product = Seed(4);
  const auto order = core::NewId<core::OrderId>();
  ASSERT_TRUE(repo_.Reserve(order, {{product, 3}}, kT0, kT0 + minutes(15)).HasValue());
  ASSERT_TRUE(repo_.Commit(order, kT0 + minutes(1)).HasValue());
  EXPECT_EQ(Stock(product).Quantity(), 1);
  EXPECT_EQ(Stock(product).Reserved(), 0);
  ASSERT_TRUE(repo_.Commit(order, kT0 + minutes(2)).HasValue());
  EXPECT_EQ(Stock(product).Quantity(), 1) << "a repeated commit sells nothing twice";
}

TEST_F(PgInventoryRepositoryTest, ReleaseAfterCommitReturnsTheSoldUnitsOnce) {
  const auto product = Seed(10);
  const auto order = core::NewId<core::OrderId>();
  ASSERT_TRUE(repo_.Reserve(order, {{product, 3}}, kT0, kT0 + minutes(15)).HasValue());
  ASSERT_TRUE(repo_.Commit(order, kT0 + minutes(1)).HasValue());
  EXPECT_EQ(Stock(product).Quantity(), 7);
  EXPECT_EQ(Stock(product).Sold(), 3);

  auto returned = repo_.Release(order, kT0 + minutes(2));
  ASSERT_TRUE(returned.HasValue());
  ASSERT_EQ(returned.Value().size(), 1U);
  EXPECT_EQ(returned.Value()[0].Status(), ReservationStatus::kReturned);
  EXPECT_EQ(repo_.GetReservations(order)[0].Status(), ReservationStatus::kReturned);
  EXPECT_EQ(Stock(product).Quantity(), 10) << "the sold units are back on hand";
  EXPECT_EQ(Stock(product).Reserved(), 0);
  EXPECT_EQ(Stock(product).Sold(), 0);
  EXPECT_EQ(Stock(product).Received(), 10);

  ASSERT_TRUE(repo_.Release(order, kT0 + minutes(3)).HasValue());
  EXPECT_EQ(Stock(product).Quantity(), 10) << "a repeated release returns nothing twice";
  auto commit = repo_.Commit(order, kT0 + minutes(4));
  ASSERT_FALSE(commit.HasValue());
  EXPECT_EQ(commit.Error(), InventoryError::kIllegalTransition);
  EXPECT_EQ(Stock(product).Quantity(), 10);
}

// The consumer's load (PreloadQuery) reads stock rows through their index, with the generic
// plan every pooled connection uses, also for a command whose products come from its order's
// reservations: a plan that scanned every stock row ran for every inventory transaction.
TEST_F(PgInventoryRepositoryTest, ThePreloadReadsStockThroughItsIndex) {
  std::vector<core::ProductId> products;
  for (int i = 0; i < 12; ++i) products.push_back(Seed(100));
  // A catalogue of realistic size (the dev system's seeds ~2500 products).
  db_.Exec(
      "INSERT INTO products (id, name, sku, currency, price_minor, created_at) SELECT gen_random_uuid(), "
      "'Filler ' || g, 'FILLER-' || g, 'EUR', 100, now() FROM generate_series(1, 3000) g; "
      "INSERT INTO inventory_items (id, product_id, quantity, reserved, received, sold, last_updated, "
      "version) SELECT gen_random_uuid(), id, 100, 0, 100, 0, now(), 1 FROM products WHERE sku LIKE "
      "'FILLER-%'");
  const auto order = core::NewId<core::OrderId>();
  ASSERT_TRUE(
      repo_.Reserve(order, {{products[3], 1}, {products[7], 2}}, kT0, kT0 + std::chrono::minutes(15)));
  db_.Exec("ANALYZE inventory_items; ANALYZE reservations");
  auto lease = db_.Pool().Acquire();
  pqxx::work tx(*lease);
  const auto rows = pg::Exec(tx, PgInventoryRepository::PreloadQuery(1, 2),
                             "{" + order.Get().ToString() + "}", "{" + products[11].Get().ToString() + "}");
  EXPECT_EQ(rows.size(), 5U) << "two reservations, three stock rows";
  const auto scanned = tx.exec1(
      "SELECT seq_scan, seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'inventory_items'");
  EXPECT_EQ(scanned[1].as<std::int64_t>(), 0) << "stock rows read by a sequential scan";
}

TEST_F(PgInventoryRepositoryTest, TheLedgerIsStoredWithEveryChange) {
  const auto product = Seed(10);
  const auto pid = "'" + product.Get().ToString() + "'";
  const auto ledger = [&] {
    return std::make_pair(db_.Count("SELECT received FROM inventory_items WHERE product_id = " + pid),
                          db_.Count("SELECT sold FROM inventory_items WHERE product_id = " + pid));
  };
  EXPECT_EQ(ledger(), std::make_pair(std::int64_t{10}, std::int64_t{0}));
  const auto order = core::NewId<core::OrderId>();
  ASSERT_TRUE(repo_.Reserve(order, {{product, 4}}, kT0, kT0 + minutes(15)).HasValue());
  ASSERT_TRUE(repo_.Commit(order, kT0).HasValue());
  EXPECT_EQ(ledger(), std::make_pair(std::int64_t{10}, std::int64_t{4}));
  auto item = Stock(product);
  ASSERT_TRUE(item.SetStock(2, kT0).HasValue());  // a stock count finds 4 units missing
  repo_.UpdateStock(item);
  EXPECT_EQ(ledger(), std::make_pair(std::int64_t{6}, std::int64_t{4}));
  ASSERT_TRUE(repo_.Release(order, kT0).HasValue());
  EXPECT_EQ(ledger(), std::make_pair(std::int64_t{6}, std::int64_t{0}));
  EXPECT_EQ(Stock(product).Quantity(), 6);
}

TEST_F(PgInventoryRepositoryTest, TransactionModeRunsInTheCallersTransactionAndRecordsItsWrites) {
  ProductBuilder builder;
  builder.WithSku("TX-MODE").WithStock(12);
  const auto order = core::NewId<core::OrderId>();
  {
    auto lease = db_.Pool().Acquire();
    pqxx::work tx(*lease);
    PgInventoryRepository in_tx(tx);
    auto item = builder.BuildItem();
    in_tx.CreateProduct(builder.BuildProduct(), item);
    ASSERT_TRUE(in_tx.Reserve(order, {{builder.Id(), 5}}, kT0, kT0 + minutes(15)).HasValue());
    EXPECT_EQ(in_tx.GetByProductId(builder.Id())->Reserved(), 5) << "reads see the transaction's writes";
    EXPECT_EQ(db_.Count("SELECT count(*) FROM products"), 0) << "nothing is committed by the repository";

    const auto writes = in_tx.TakeStockWrites();
    ASSERT_EQ(writes.size(), 2U);
    EXPECT_EQ(writes[0].product_id, builder.Id());
    EXPECT_EQ(writes[0].sku, "TX-MODE");
    EXPECT_FALSE(writes[0].order_id.has_value());
    EXPECT_FALSE(writes[0].available_before.has_value()) << "a new product had no stock before";
    EXPECT_EQ(writes[0].quantity, 12);
    EXPECT_EQ(writes[0].low_stock_threshold, 10);
    EXPECT_EQ(writes[1].order_id, order);
    EXPECT_EQ(writes[1].available_before, 12);
    EXPECT_EQ(writes[1].Available(), 7);
    EXPECT_EQ(writes[1].reserved, 5);
    EXPECT_TRUE(in_tx.TakeStockWrites().empty()) << "taken once";
    tx.abort();
  }
  EXPECT_EQ(db_.Count("SELECT count(*) FROM products"), 0) << "the caller rolled back: nothing stays";

  {
    auto lease = db_.Pool().Acquire();
    pqxx::work tx(*lease);
    PgInventoryRepository in_tx(tx);
    auto item = builder.BuildItem();
    in_tx.CreateProduct(builder.BuildProduct(), item);
    auto refused = in_tx.Reserve(order, {{builder.Id(), 13}}, kT0, kT0 + minutes(15));
    ASSERT_FALSE(refused.HasValue());
    EXPECT_EQ(refused.Error().error, InventoryError::kInsufficientStock);
    EXPECT_EQ(in_tx.TakeStockWrites().size(), 1U) << "a refused reserve writes nothing";
    ASSERT_TRUE(in_tx.Reserve(order, {{builder.Id(), 2}}, kT0, kT0 + minutes(15)).HasValue());
    tx.commit();
  }
  EXPECT_EQ(Stock(builder.Id()).Reserved(), 2);
  EXPECT_TRUE(repo_.TakeStockWrites().empty()) << "the pool mode records nothing";
}

TEST_F(PgInventoryRepositoryTest, ARefusedMoveInTransactionModeWritesNothing) {
  const auto product = Seed(5);
  const auto order = core::NewId<core::OrderId>();
  ASSERT_TRUE(repo_.Reserve(order, {{product, 2}}, kT0, kT0 + minutes(5)).HasValue());
  auto lease = db_.Pool().Acquire();
  pqxx::work tx(*lease);
  PgInventoryRepository in_tx(tx);
  auto late = in_tx.Commit(order, kT0 + minutes(6));
  ASSERT_FALSE(late.HasValue());
  EXPECT_EQ(late.Error(), InventoryError::kReservationExpired);
  EXPECT_TRUE(in_tx.TakeStockWrites().empty());
  ASSERT_TRUE(in_tx.Release(order, kT0 + minutes(6)).HasValue()) << "the transaction is still usable";
  tx.commit();
  EXPECT_EQ(Stock(product).Reserved(), 0);
  EXPECT_EQ(Stock(product).Sold(), 0);
}

TEST_F(PgInventoryRepositoryTest, ExpiredReservationsReturnTheirStockAndCannotBeCommitted) {
  const auto product = Seed(6);
  const auto stale = core::NewId<core::OrderId>();
  const auto fresh = core::NewId<core::OrderId>();
  ASSERT_TRUE(repo_.Reserve(stale, {{product, 2}}, kT0, kT0 + minutes(5)).HasValue());
  ASSERT_TRUE(repo_.Reserve(fresh, {{product, 1}}, kT0, kT0 + minutes(30)).HasValue());
  auto expired = repo_.ExpireReservations(kT0 + minutes(10), 100);
  ASSERT_EQ(expired.size(), 1U);
  EXPECT_EQ(expired[0].OrderId(), stale);
  EXPECT_EQ(Stock(product).Reserved(), 1);
  EXPECT_TRUE(repo_.ExpireReservations(kT0 + minutes(10), 100).empty()) << "expiry happens once";
  EXPECT_EQ(repo_.GetReservations(stale)[0].Status(), ReservationStatus::kExpired);
  auto commit = repo_.Commit(fresh, kT0 + minutes(31));
  ASSERT_FALSE(commit.HasValue());
  EXPECT_EQ(commit.Error(), InventoryError::kReservationExpired);
}

TEST_F(PgInventoryRepositoryTest, TheSchemaEnforcesTheInvariants) {
  const auto product = Seed(3, "SCHEMA-1");
  const auto pid = "'" + product.Get().ToString() + "'";
  saga::testing::ExpectConstraintViolations(
      db_,
      {
          {"UPDATE inventory_items SET reserved = 4", "inventory_items_reserved_range"},
          {"UPDATE inventory_items SET reserved = -1", "inventory_items_reserved_range"},
          {"UPDATE inventory_items SET quantity = -1, received = -1", "inventory_items_reserved_range"},
          {"UPDATE inventory_items SET received = received + 1", "inventory_items_ledger_check"},
          {"UPDATE inventory_items SET quantity = quantity + 1", "inventory_items_ledger_check"},
          {"UPDATE inventory_items SET sold = -1, received = received - 1", "inventory_items_sold_check"},
          {"INSERT INTO products VALUES (gen_random_uuid(), 'x', 'bad sku', 'EUR', 1, now())",
           "products_sku_format"},
          {"INSERT INTO products VALUES (gen_random_uuid(), 'x', 'OK-SKU', 'EUR', 0, now())",
           "products_price_positive"},
          {"INSERT INTO products VALUES (gen_random_uuid(), '  ', 'OK-SKU', 'EUR', 1, now())",
           "products_name_check"},
          {"INSERT INTO inventory_items VALUES (gen_random_uuid(), " + pid + ", 1, 0, 10, now(), 1, 1, 0)",
           "inventory_items_product_key"},
          {"INSERT INTO inventory_items VALUES (gen_random_uuid(), gen_random_uuid(), 1, 0, 10, now(), 1, 1, "
           "0)",
           "inventory_items_product_id_fkey"},
          {"INSERT INTO reservations VALUES (gen_random_uuid(), gen_random_uuid(), " + pid +
               ", 1, 'Held', now(), now(), now() + interval '1 minute')",
           "reservations_status_check"},
          {"INSERT INTO reservations VALUES (gen_random_uuid(), gen_random_uuid(), " + pid +
               ", 0, 'Active', now(), now(), now() + interval '1 minute')",
           "reservations_quantity_positive"},
          {"INSERT INTO reservations VALUES (gen_random_uuid(), gen_random_uuid(), " + pid +
               ", 1, 'Active', now(), now(), now() - interval '1 minute')",
           "reservations_expiry_after_creation"},
      });
  EXPECT_EQ(Stock(product).Quantity(), 3);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM reservations"), 0);
  db_.Exec("INSERT INTO reservations VALUES (gen_random_uuid(), gen_random_uuid(), " + pid +
           ", 1, 'Returned', now(), now(), now() + interval '1 minute')");
  EXPECT_EQ(db_.Count("SELECT count(*) FROM reservations WHERE status = 'Returned'"), 1) << "a known status";
}

TEST(InventoryMigrationsTest, UpDownUpLeavesTheSameSchema) {
  saga::testing::ExpectMigrationsRoundTrip(Migrations(), "inventory_items_ledger_check", "reservations");
}

TEST(InventoryMigrationsTest, TheLedgerIsBackfilledAndDownKeepsReturnedSalesAsReleased) {
  saga::testing::TemporaryDatabase db;
  pg::MigrationRunner all(Migrations());
  auto conn = pg::Connect(pg::PgConfig{db.Dsn(), std::chrono::seconds(3)});
  // The schema before this migration, with stock and a committed sale.
  all.Up(*conn);
  all.Down(*conn, 4);  // audit_append (10), dead letters (8), the audit trail (6), then this migration (4)
  ASSERT_EQ(all.CurrentVersion(*conn), 3);
  {
    pqxx::work tx(*conn);
    tx.exec0(
        "INSERT INTO products VALUES ('00000000-0000-4000-8000-000000000001', 'Mug', 'MUG-1', 'EUR', 100, "
        "now());"
        "INSERT INTO inventory_items VALUES (gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 7, "
        "2, "
        "10, now(), 1);"
        "INSERT INTO reservations VALUES (gen_random_uuid(), gen_random_uuid(), "
        "'00000000-0000-4000-8000-000000000001', 3, 'Committed', now(), now(), now() + interval '1 minute')");
    tx.commit();
  }
  all.Up(*conn);
  {
    pqxx::read_transaction tx(*conn);
    const auto row = tx.exec1("SELECT quantity, received, sold FROM inventory_items");
    EXPECT_EQ(row[0].as<std::int64_t>(), 7);
    EXPECT_EQ(row[1].as<std::int64_t>(), 7) << "received = quantity";
    EXPECT_EQ(row[2].as<std::int64_t>(), 0) << "sold = 0";
  }
  {
    pqxx::work tx(*conn);
    tx.exec0("UPDATE reservations SET status = 'Returned'");
    tx.commit();
  }
  all.Down(*conn, 4);  // audit_append, dead letters, the audit trail, then the ledger
  pqxx::read_transaction tx(*conn);
  EXPECT_EQ(tx.exec1("SELECT status FROM reservations")[0].as<std::string>(), "Released");
}

}  // namespace
}  // namespace saga::inventory
