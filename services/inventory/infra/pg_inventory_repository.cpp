#include "services/inventory/infra/pg_inventory_repository.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/sql.hpp"

namespace saga::inventory {
namespace {

using pg::MicrosOf;
using pg::TimestampOf;
using pg::TimestampParam;
using pg::UuidOf;

const std::string kProductStockColumns = "p.id::text, p.name, p.sku, p.currency, p.price_minor, " +
                                         MicrosOf("p.created_at") + ", i.id::text, i.quantity, i.reserved, " +
                                         MicrosOf("i.last_updated") + ", i.version";
const std::string kProductStockFrom = " FROM products p JOIN inventory_items i ON i.product_id = p.id";

const std::string kReservationColumns = "id::text, order_id::text, product_id::text, quantity, status, " +
                                        MicrosOf("created_at") + ", " + MicrosOf("updated_at") + ", " +
                                        MicrosOf("expires_at");

std::string Id(const core::Uuid& id) {
  return id.ToString();
}

[[noreturn]] void Corrupt(const std::string& what) {
  throw pg::QueryError("stored " + what + " is invalid", "");
}

InventoryItem ItemFrom(const pqxx::row& row, int first) {
  auto item =
      InventoryItem::Restore(core::InventoryItemId(UuidOf(row[first])), core::ProductId(UuidOf(row[0])),
                             row[first + 1].as<std::int64_t>(), row[first + 2].as<std::int64_t>(),
                             TimestampOf(row[first + 3]), row[first + 4].as<std::int64_t>());
  if (!item) Corrupt("inventory item");
  return std::move(item).Value();
}

ProductStock ProductStockFrom(const pqxx::row& row) {
  auto sku = Sku::Parse(row[2].c_str());
  auto currency = core::Currency::Parse(row[3].c_str());
  if (!sku || !currency) Corrupt("product");
  auto product =
      Product::Create(core::ProductId(UuidOf(row[0])), row[1].as<std::string>(), std::move(sku).Value(),
                      core::Money(row[4].as<std::int64_t>(), *currency), TimestampOf(row[5]));
  if (!product) Corrupt("product");
  return ProductStock{std::move(product).Value(), ItemFrom(row, 6)};
}

Reservation ReservationFrom(const pqxx::row& row) {
  auto status = ParseReservationStatus(row[4].c_str());
  if (!status) Corrupt("reservation status");
  auto reservation = Reservation::Restore(core::ReservationId(UuidOf(row[0])), core::OrderId(UuidOf(row[1])),
                                          core::ProductId(UuidOf(row[2])), row[3].as<std::int64_t>(), *status,
                                          TimestampOf(row[5]), TimestampOf(row[6]), TimestampOf(row[7]));
  if (!reservation) Corrupt("reservation");
  return std::move(reservation).Value();
}

// Locks the stock rows of `product_ids` in id order (no deadlocks between reservations).
std::map<std::string, InventoryItem> LockItems(pqxx::work& tx, std::vector<std::string> product_ids) {
  std::sort(product_ids.begin(), product_ids.end());
  product_ids.erase(std::unique(product_ids.begin(), product_ids.end()), product_ids.end());
  std::string array = "{";
  for (const auto& id : product_ids) array += (array.size() > 1 ? "," : "") + id;
  array += "}";
  std::map<std::string, InventoryItem> items;
  for (const auto& row : tx.exec_params(
           "SELECT i.product_id::text, i.id::text, i.quantity, i.reserved, " + MicrosOf("i.last_updated") +
               ", i.version FROM inventory_items i WHERE i.product_id = ANY($1::uuid[]) "
               "ORDER BY i.product_id FOR UPDATE",
           array)) {
    items.emplace(row[0].c_str(), ItemFrom(row, 1));
  }
  return items;
}

void WriteItem(pqxx::work& tx, InventoryItem& item) {
  auto updated = tx.exec_params(
      "UPDATE inventory_items SET quantity = $3, reserved = $4, last_updated = " + TimestampParam(5) +
          ", version = version + 1 WHERE id = $1 AND version = $2 RETURNING version",
      Id(item.Id().Get()), item.Version(), item.Quantity(), item.Reserved(),
      core::ToUnixMicros(item.LastUpdated()));
  if (updated.empty()) {
    throw core::ConcurrencyConflict("stock of product " + Id(item.ProductId().Get()) +
                                    " changed since version " + std::to_string(item.Version()) + " was read");
  }
  item.MarkPersisted(updated[0][0].as<std::int64_t>());
}

void WriteReservationStatus(pqxx::work& tx, const Reservation& reservation) {
  tx.exec_params0("UPDATE reservations SET status = $2, updated_at = " + TimestampParam(3) + " WHERE id = $1",
                  Id(reservation.Id().Get()), std::string(ToString(reservation.Status())),
                  core::ToUnixMicros(reservation.UpdatedAt()));
}

std::vector<Reservation> LockReservations(pqxx::work& tx, const core::OrderId& order_id) {
  std::vector<Reservation> reservations;
  for (const auto& row :
       tx.exec_params("SELECT " + kReservationColumns +
                          " FROM reservations WHERE order_id = $1 ORDER BY product_id FOR UPDATE",
                      Id(order_id.Get()))) {
    reservations.push_back(ReservationFrom(row));
  }
  return reservations;
}

using Move = core::Result<Outcome, InventoryError> (Reservation::*)(core::Timestamp);
using StockMove = core::Result<void, InventoryError> (InventoryItem::*)(std::int64_t, core::Timestamp);

// Applies `move` to every reservation of the order and `stock_move` to the stock of those it
// changed, all in one transaction; any refusal rolls everything back.
core::Result<std::vector<Reservation>, InventoryError> MoveReservations(pg::ConnectionPool& pool,
                                                                        const core::OrderId& order_id,
                                                                        core::Timestamp now, Move move,
                                                                        StockMove stock_move) {
  auto conn = pool.Acquire();
  return pg::Translated([&]() -> core::Result<std::vector<Reservation>, InventoryError> {
    pqxx::work tx(*conn);
    auto reservations = LockReservations(tx, order_id);
    std::vector<std::string> products;
    for (const auto& r : reservations) products.push_back(Id(r.ProductId().Get()));
    auto items = LockItems(tx, products);
    for (auto& reservation : reservations) {
      auto outcome = (reservation.*move)(now);
      if (!outcome) return core::Fail(outcome.Error());
      if (outcome.Value() == Outcome::kAlreadyDone) continue;
      auto& item = items.at(Id(reservation.ProductId().Get()));
      auto stock = (item.*stock_move)(reservation.Quantity(), now);
      if (!stock) return core::Fail(stock.Error());
      WriteItem(tx, item);
      WriteReservationStatus(tx, reservation);
    }
    tx.commit();
    return reservations;
  });
}

}  // namespace

void PgInventoryRepository::CreateProduct(const Product& product, InventoryItem& item) {
  auto conn = pool_.Acquire();
  pg::Translated([&] {
    pqxx::work tx(*conn);
    tx.exec_params0(
        "INSERT INTO products (id, name, sku, currency, price_minor, created_at) VALUES ($1, $2, $3, $4, "
        "$5, " +
            TimestampParam(6) + ")",
        Id(product.Id().Get()), product.Name(), product.Sku().Value(),
        std::string(product.Price().GetCurrency().Code()), product.Price().MinorUnits(),
        core::ToUnixMicros(product.CreatedAt()));
    tx.exec_params0(
        "INSERT INTO inventory_items (id, product_id, quantity, reserved, last_updated, version) "
        "VALUES ($1, $2, $3, $4, " +
            TimestampParam(5) + ", 1)",
        Id(item.Id().Get()), Id(item.ProductId().Get()), item.Quantity(), item.Reserved(),
        core::ToUnixMicros(item.LastUpdated()));
    tx.commit();
  });
  item.MarkPersisted(1);
}

std::optional<ProductStock> PgInventoryRepository::GetProduct(const core::ProductId& id) {
  auto conn = pool_.Acquire();
  return pg::Translated([&]() -> std::optional<ProductStock> {
    pqxx::read_transaction tx(*conn);
    auto rows = tx.exec_params("SELECT " + kProductStockColumns + kProductStockFrom + " WHERE p.id = $1",
                               Id(id.Get()));
    if (rows.empty()) return std::nullopt;
    return ProductStockFrom(rows[0]);
  });
}

std::optional<ProductStock> PgInventoryRepository::GetProductBySku(const Sku& sku) {
  auto conn = pool_.Acquire();
  return pg::Translated([&]() -> std::optional<ProductStock> {
    pqxx::read_transaction tx(*conn);
    auto rows = tx.exec_params("SELECT " + kProductStockColumns + kProductStockFrom + " WHERE p.sku = $1",
                               sku.Value());
    if (rows.empty()) return std::nullopt;
    return ProductStockFrom(rows[0]);
  });
}

core::Page<ProductStock> PgInventoryRepository::ListProducts(const core::PageRequest& page) {
  auto conn = pool_.Acquire();
  return pg::Translated([&] {
    pqxx::read_transaction tx(*conn);
    core::Page<ProductStock> result;
    result.total = tx.exec1("SELECT count(*) FROM products")[0].as<std::int64_t>();
    for (const auto& row : tx.exec_params("SELECT " + kProductStockColumns + kProductStockFrom +
                                              " ORDER BY p.created_at, p.id LIMIT $1 OFFSET $2",
                                          page.ClampedLimit(), page.ClampedOffset())) {
      result.items.push_back(ProductStockFrom(row));
    }
    return result;
  });
}

core::Page<ProductStock> PgInventoryRepository::LowStock(std::int64_t threshold,
                                                         const core::PageRequest& page) {
  auto conn = pool_.Acquire();
  return pg::Translated([&] {
    pqxx::read_transaction tx(*conn);
    core::Page<ProductStock> result;
    result.total =
        tx.exec_params1("SELECT count(*) FROM inventory_items i WHERE i.quantity - i.reserved < $1",
                        threshold)[0]
            .as<std::int64_t>();
    for (const auto& row :
         tx.exec_params("SELECT " + kProductStockColumns + kProductStockFrom +
                            " WHERE i.quantity - i.reserved < $1"
                            " ORDER BY i.quantity - i.reserved, i.product_id LIMIT $2 OFFSET $3",
                        threshold, page.ClampedLimit(), page.ClampedOffset())) {
      result.items.push_back(ProductStockFrom(row));
    }
    return result;
  });
}

std::optional<InventoryItem> PgInventoryRepository::GetByProductId(const core::ProductId& product_id) {
  auto conn = pool_.Acquire();
  return pg::Translated([&]() -> std::optional<InventoryItem> {
    pqxx::read_transaction tx(*conn);
    auto rows = tx.exec_params("SELECT i.product_id::text, i.id::text, i.quantity, i.reserved, " +
                                   MicrosOf("i.last_updated") +
                                   ", i.version FROM inventory_items i WHERE i.product_id = $1",
                               Id(product_id.Get()));
    if (rows.empty()) return std::nullopt;
    return ItemFrom(rows[0], 1);
  });
}

void PgInventoryRepository::UpdateStock(InventoryItem& item) {
  auto conn = pool_.Acquire();
  pg::Translated([&] {
    pqxx::work tx(*conn);
    WriteItem(tx, item);
    tx.commit();
  });
}

core::Result<std::vector<Reservation>, ReserveFailure> PgInventoryRepository::Reserve(
    const core::OrderId& order_id, const std::vector<ReservationLine>& lines, core::Timestamp now,
    core::Timestamp expires_at) {
  auto conn = pool_.Acquire();
  return pg::Translated([&]() -> core::Result<std::vector<Reservation>, ReserveFailure> {
    pqxx::work tx(*conn);
    // Serialise Reserve calls of one order (a redelivered command racing the first delivery).
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", Id(order_id.Get()));
    auto existing = LockReservations(tx, order_id);
    if (!existing.empty()) return existing;  // repeated: already reserved (all or nothing)

    std::vector<std::string> products;
    for (const auto& line : lines) products.push_back(Id(line.product_id.Get()));
    auto items = LockItems(tx, products);
    std::vector<Reservation> created;
    for (const auto& line : lines) {
      auto it = items.find(Id(line.product_id.Get()));
      if (it == items.end())
        return core::Fail(ReserveFailure{InventoryError::kUnknownProduct, line.product_id, 0});
      auto reservation = Reservation::Create(core::NewId<core::ReservationId>(), order_id, line.product_id,
                                             line.quantity, now, expires_at);
      if (!reservation)
        return core::Fail(ReserveFailure{reservation.Error(), line.product_id, it->second.Available()});
      auto reserved = it->second.Reserve(line.quantity, now);
      if (!reserved)
        return core::Fail(ReserveFailure{reserved.Error(), line.product_id, it->second.Available()});
      created.push_back(std::move(reservation).Value());
    }
    for (auto& [product, item] : items) WriteItem(tx, item);
    for (const auto& r : created) {
      tx.exec_params0(
          "INSERT INTO reservations (id, order_id, product_id, quantity, status, created_at, updated_at, "
          "expires_at) VALUES ($1, $2, $3, $4, $5, " +
              TimestampParam(6) + ", " + TimestampParam(6) + ", " + TimestampParam(7) + ")",
          Id(r.Id().Get()), Id(r.OrderId().Get()), Id(r.ProductId().Get()), r.Quantity(),
          std::string(ToString(r.Status())), core::ToUnixMicros(r.CreatedAt()),
          core::ToUnixMicros(r.ExpiresAt()));
    }
    tx.commit();
    return created;
  });
}

core::Result<std::vector<Reservation>, InventoryError> PgInventoryRepository::Release(
    const core::OrderId& order_id, core::Timestamp now) {
  return MoveReservations(pool_, order_id, now, &Reservation::Release, &InventoryItem::Release);
}

core::Result<std::vector<Reservation>, InventoryError> PgInventoryRepository::Commit(
    const core::OrderId& order_id, core::Timestamp now) {
  return MoveReservations(pool_, order_id, now, &Reservation::Commit, &InventoryItem::CommitSale);
}

std::vector<Reservation> PgInventoryRepository::GetReservations(const core::OrderId& order_id) {
  auto conn = pool_.Acquire();
  return pg::Translated([&] {
    pqxx::read_transaction tx(*conn);
    std::vector<Reservation> reservations;
    for (const auto& row : tx.exec_params(
             "SELECT " + kReservationColumns + " FROM reservations WHERE order_id = $1 ORDER BY product_id",
             Id(order_id.Get()))) {
      reservations.push_back(ReservationFrom(row));
    }
    return reservations;
  });
}

std::vector<Reservation> PgInventoryRepository::ExpireReservations(core::Timestamp now, int limit) {
  auto conn = pool_.Acquire();
  return pg::Translated([&] {
    pqxx::work tx(*conn);
    std::vector<Reservation> expired;
    for (const auto& row : tx.exec_params(
             "SELECT " + kReservationColumns +
                 " FROM reservations WHERE status = 'Active' AND expires_at <= " + TimestampParam(1) +
                 " ORDER BY product_id LIMIT $2 FOR UPDATE SKIP LOCKED",
             core::ToUnixMicros(now), limit)) {
      expired.push_back(ReservationFrom(row));
    }
    std::vector<std::string> products;
    for (const auto& r : expired) products.push_back(Id(r.ProductId().Get()));
    auto items = LockItems(tx, products);
    for (auto& reservation : expired) {
      if (!reservation.Expire(now)) continue;  // cannot happen: selected as active and past expiry
      auto& item = items.at(Id(reservation.ProductId().Get()));
      if (item.Release(reservation.Quantity(), now)) {
        WriteItem(tx, item);
        WriteReservationStatus(tx, reservation);
      }
    }
    tx.commit();
    return expired;
  });
}

}  // namespace saga::inventory
