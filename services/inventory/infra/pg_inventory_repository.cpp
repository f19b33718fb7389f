#include "services/inventory/infra/pg_inventory_repository.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <string_view>
#include <type_traits>
#include <utility>

#include "saga/core/errors.hpp"
#include "saga/pg/bulk.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"
#include "saga/pg/sql.hpp"

namespace saga::inventory {
namespace {

using pg::MicrosOf;
using pg::TimestampOf;
using pg::TimestampParam;
using pg::UuidOf;

const std::string kItemColumns =
    "i.id::text, i.quantity, i.reserved, i.received, i.sold, " + MicrosOf("i.last_updated") + ", i.version";
const std::string kProductStockColumns =
    "p.id::text, p.name, p.sku, p.currency, p.price_minor, " + MicrosOf("p.created_at") + ", " + kItemColumns;
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

// row[0] is the product id; the item columns (kItemColumns) start at `first`.
InventoryItem ItemFrom(const pqxx::row& row, int first) {
  auto item = InventoryItem::Restore(
      core::InventoryItemId(UuidOf(row[first])), core::ProductId(UuidOf(row[0])),
      row[first + 1].as<std::int64_t>(), row[first + 2].as<std::int64_t>(), row[first + 3].as<std::int64_t>(),
      row[first + 4].as<std::int64_t>(), TimestampOf(row[first + 5]), row[first + 6].as<std::int64_t>());
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
std::map<std::string, InventoryItem> LockItems(pqxx::transaction_base& tx,
                                               std::vector<std::string> product_ids) {
  std::sort(product_ids.begin(), product_ids.end());
  product_ids.erase(std::unique(product_ids.begin(), product_ids.end()), product_ids.end());
  std::map<std::string, InventoryItem> items;
  if (product_ids.empty()) return items;
  const auto array = pg::ArrayLiteral(product_ids, [](const std::string& id) { return id; });
  for (const auto& row : pg::Exec(tx,
                                  "SELECT i.product_id::text, " + kItemColumns +
                                      " FROM inventory_items i WHERE i.product_id = ANY($1::uuid[]) "
                                      "ORDER BY i.product_id FOR UPDATE",
                                  array)) {
    items.emplace(row[0].c_str(), ItemFrom(row, 1));
  }
  return items;
}

void WriteReservationStatus(pqxx::transaction_base& tx, const Reservation& reservation) {
  pg::Exec0(tx, "UPDATE reservations SET status = $2, updated_at = " + TimestampParam(3) + " WHERE id = $1",
            Id(reservation.Id().Get()), std::string(ToString(reservation.Status())),
            core::ToUnixMicros(reservation.UpdatedAt()));
}

// The statuses of several reservations in one statement.
void WriteReservationStatuses(pqxx::transaction_base& tx,
                              const std::vector<const Reservation*>& reservations) {
  pg::BulkRows rows({{"id", "uuid"}, {"status", "text"}, {"updated_at", "bigint"}});
  for (const auto* r : reservations) {
    rows.Add(Id(r->Id().Get()), std::string(ToString(r->Status())), core::ToUnixMicros(r->UpdatedAt()));
  }
  (void)rows.Exec(
      tx,
      "UPDATE reservations r SET status = v.status, updated_at = timestamptz 'epoch' + v.updated_at * "
      "interval '1 microsecond' FROM {rows} WHERE r.id = v.id RETURNING r.id");
}

// New reservations in one statement.
void InsertReservations(pqxx::transaction_base& tx, const std::vector<Reservation>& reservations) {
  pg::BulkRows rows({{"id", "uuid"},
                     {"order_id", "uuid"},
                     {"product_id", "uuid"},
                     {"quantity", "bigint"},
                     {"status", "text"},
                     {"created_at", "bigint"},
                     {"expires_at", "bigint"}});
  for (const auto& r : reservations) {
    rows.Add(Id(r.Id().Get()), Id(r.OrderId().Get()), Id(r.ProductId().Get()), r.Quantity(),
             std::string(ToString(r.Status())), core::ToUnixMicros(r.CreatedAt()),
             core::ToUnixMicros(r.ExpiresAt()));
  }
  (void)rows.Exec(
      tx,
      "INSERT INTO reservations (id, order_id, product_id, quantity, status, created_at, updated_at, "
      "expires_at) SELECT v.id, v.order_id, v.product_id, v.quantity, v.status, timestamptz 'epoch' + "
      "v.created_at * interval '1 microsecond', timestamptz 'epoch' + v.created_at * interval '1 "
      "microsecond', timestamptz 'epoch' + v.expires_at * interval '1 microsecond' FROM {rows}");
}

std::vector<Reservation> LockReservations(pqxx::transaction_base& tx, const core::OrderId& order_id) {
  std::vector<Reservation> reservations;
  for (const auto& row : pg::Exec(tx,
                                  "SELECT " + kReservationColumns +
                                      " FROM reservations WHERE order_id = $1 ORDER BY product_id FOR UPDATE",
                                  Id(order_id.Get()))) {
    reservations.push_back(ReservationFrom(row));
  }
  return reservations;
}

using Move = core::Result<Outcome, InventoryError> (Reservation::*)(core::Timestamp);
using StockMove = core::Result<void, InventoryError> (InventoryItem::*)(std::int64_t, core::Timestamp);

// What a move of one reservation does: the reservation move, and the stock move of its units
// when the reservation move is applied. Null: the reservation is left as it is.
struct MovePlan {
  Move move = nullptr;
  StockMove stock_move = nullptr;
};

// PreloadQuery's rows: the kind ('r' or 'i'), then the reservation columns (kReservationColumns,
// 8), then the stock columns (product id and kItemColumns, 8); the other kind's are NULL.
constexpr int kPreloadReservationAt = 1;
constexpr int kPreloadItemAt = 9;

}  // namespace

std::string PgInventoryRepository::PreloadQuery(int orders, int products) {
  const auto order_ids = "$" + std::to_string(orders) + "::uuid[]";
  const auto product_ids = "$" + std::to_string(products) + "::uuid[]";
  const std::string no_reservation =
      "NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::text, NULL::bigint, "
      "NULL::bigint, NULL::bigint";
  const std::string no_item =
      "NULL::text, NULL::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, "
      "NULL::bigint, NULL::bigint";
  // The stock rows by one array of product ids (an init plan), so that they are read through
  // their index: `= ANY($p) OR product_id IN (subquery)` made the generic plan scan them all.
  return "WITH r AS (SELECT " + kReservationColumns + " FROM reservations WHERE order_id = ANY(" + order_ids +
         ") ORDER BY order_id, product_id FOR UPDATE), i AS (SELECT i.product_id::text, " + kItemColumns +
         " FROM inventory_items i WHERE i.product_id = ANY(" + product_ids +
         " || ARRAY(SELECT product_id FROM reservations WHERE order_id = ANY(" + order_ids +
         "))) ORDER BY i.product_id FOR UPDATE) SELECT 'r', r.*, " + no_item +
         " FROM r UNION ALL SELECT 'i', " + no_reservation + ", i.* FROM i";
}

namespace {

// The products whose stock PreloadQuery read for `orders` and `products`: those asked for and
// those of the asked orders' reservations.
std::set<std::string> StockAskedFor(const std::vector<Reservation>& reservations,
                                    const std::set<std::string>& orders, std::set<std::string> products) {
  for (const auto& reservation : reservations) {
    if (orders.count(Id(reservation.OrderId().Get())) != 0)
      products.insert(Id(reservation.ProductId().Get()));
  }
  return products;
}

std::vector<Reservation> ReservationsOf(const std::vector<pqxx::row>& rows) {
  std::vector<Reservation> reservations;
  for (const auto& row : rows) {
    if (std::string_view(row[0].c_str()) == "r") {
      reservations.push_back(ReservationFrom(row.slice(kPreloadReservationAt, kPreloadReservationAt + 8)));
    }
  }
  return reservations;
}

}  // namespace

PreloadedStock::PreloadedStock(const std::vector<pqxx::row>& rows, const std::set<std::string>& orders,
                               const std::set<std::string>& products)
    : reservations_(orders), items_({}) {
  pg::Translated([&] {
    auto reservations = ReservationsOf(rows);
    items_ = outbox::LoadedRows<InventoryItem>(StockAskedFor(reservations, orders, products));
    for (auto& reservation : reservations) {
      const auto order = Id(reservation.OrderId().Get());
      reservations_.Add(order, std::move(reservation));
    }
    for (const auto& row : rows) {
      if (std::string_view(row[0].c_str()) != "i") continue;
      const auto item_row = row.slice(kPreloadItemAt, kPreloadItemAt + 8);
      items_.Add(item_row[0].c_str(), ItemFrom(item_row, 1));
    }
  });
}

std::optional<std::vector<Reservation>> PreloadedStock::Reservations(const core::OrderId& order_id) const {
  return reservations_.Of(Id(order_id.Get()));
}

std::optional<std::map<std::string, InventoryItem>> PreloadedStock::Items(
    const std::vector<std::string>& product_ids) const {
  std::map<std::string, InventoryItem> items;
  for (const auto& id : product_ids) {
    auto kept = items_.Of(id);
    if (!kept) return std::nullopt;
    if (!kept->empty()) items.insert_or_assign(id, std::move(kept->front()));
  }
  return items;
}

void PreloadedStock::Wrote(const core::OrderId& order_id) {
  reservations_.Wrote(Id(order_id.Get()));
}

void PreloadedStock::Wrote(const InventoryItem& item) {
  items_.Wrote(Id(item.ProductId().Get()));
}

std::vector<Reservation> PgInventoryRepository::LockReservationsOf(pqxx::transaction_base& tx,
                                                                   const core::OrderId& order_id) {
  if (preloaded_ != nullptr) {
    if (auto kept = preloaded_->Reservations(order_id)) return std::move(*kept);
  }
  return LockReservations(tx, order_id);
}

std::map<std::string, InventoryItem> PgInventoryRepository::LockItemsOf(
    pqxx::transaction_base& tx, const std::vector<std::string>& product_ids) {
  if (preloaded_ != nullptr) {
    if (auto kept = preloaded_->Items(product_ids)) return std::move(*kept);
  }
  return LockItems(tx, product_ids);
}

std::map<std::string, InventoryItem> PgInventoryRepository::LockItemsOf(
    pqxx::transaction_base& tx, const std::vector<Reservation>& reservations) {
  std::vector<std::string> products;
  products.reserve(reservations.size());
  for (const auto& r : reservations) products.push_back(Id(r.ProductId().Get()));
  return LockItemsOf(tx, products);
}

template <typename F>
decltype(auto) PgInventoryRepository::Write(F&& fn) {
  using R = std::invoke_result_t<F&, pqxx::transaction_base&>;
  if (tx_ != nullptr) return pg::Translated([&]() -> R { return fn(*tx_); });
  auto conn = pool_->Acquire();
  return pg::Translated([&]() -> R {
    pqxx::work tx(*conn);
    if constexpr (std::is_void_v<R>) {
      fn(tx);
      tx.commit();
    } else {
      R result = fn(tx);
      tx.commit();
      return result;
    }
  });
}

template <typename F>
decltype(auto) PgInventoryRepository::Read(F&& fn) {
  using R = std::invoke_result_t<F&, pqxx::transaction_base&>;
  if (tx_ != nullptr) return pg::Translated([&]() -> R { return fn(*tx_); });
  auto conn = pool_->Acquire();
  return pg::Translated([&]() -> R {
    // Each statement on its own, as under READ COMMITTED anyway: no BEGIN, SET TRANSACTION and
    // ROLLBACK round trips around a lookup (the order service's catalogue calls).
    pqxx::nontransaction tx(*conn);
    return fn(tx);
  });
}

void PgInventoryRepository::WriteItem(pqxx::transaction_base& tx, InventoryItem& item,
                                      const std::optional<core::OrderId>& order_id) {
  // `old` is the row as this statement found it: the "before" of the notifications.
  auto updated = pg::Exec(
      tx,
      "UPDATE inventory_items i SET quantity = $3, reserved = $4, received = $5, sold = $6, last_updated = " +
          TimestampParam(7) +
          ", version = i.version + 1 FROM inventory_items old, products p "
          "WHERE i.id = $1 AND i.version = $2 AND old.id = i.id AND p.id = i.product_id "
          "RETURNING i.version, old.quantity - old.reserved, i.low_stock_threshold, p.sku",
      Id(item.Id().Get()), item.Version(), item.Quantity(), item.Reserved(), item.Received(), item.Sold(),
      core::ToUnixMicros(item.LastUpdated()));
  if (updated.empty()) {
    throw core::ConcurrencyConflict("stock of product " + Id(item.ProductId().Get()) +
                                    " changed since version " + std::to_string(item.Version()) + " was read");
  }
  item.MarkPersisted(updated[0][0].as<std::int64_t>());
  if (preloaded_ != nullptr) preloaded_->Wrote(item);
  if (tx_ != nullptr) {
    writes_.push_back(StockWrite{item.ProductId(), updated[0][3].as<std::string>(), order_id, item.Quantity(),
                                 item.Reserved(), updated[0][1].as<std::int64_t>(),
                                 updated[0][2].as<std::int64_t>()});
  }
}

void PgInventoryRepository::WriteItems(pqxx::transaction_base& tx, const std::vector<InventoryItem*>& items,
                                       const std::optional<core::OrderId>& order_id) {
  if (items.empty()) return;
  if (items.size() == 1) {
    WriteItem(tx, *items.front(), order_id);
    return;
  }
  pg::BulkRows rows({{"id", "uuid"},
                     {"version", "bigint"},
                     {"quantity", "bigint"},
                     {"reserved", "bigint"},
                     {"received", "bigint"},
                     {"sold", "bigint"},
                     {"last_updated", "bigint"}});
  for (const auto* item : items) {
    rows.Add(Id(item->Id().Get()), item->Version(), item->Quantity(), item->Reserved(), item->Received(),
             item->Sold(), core::ToUnixMicros(item->LastUpdated()));
  }
  // `old` is each row as this statement found it: the "before" of the notifications.
  const auto updated =
      rows.Exec(tx,
                "UPDATE inventory_items i SET quantity = v.quantity, reserved = v.reserved, received = "
                "v.received, sold = "
                "v.sold, last_updated = timestamptz 'epoch' + v.last_updated * interval '1 microsecond', "
                "version = i.version "
                "+ 1 FROM {rows}, inventory_items old, products p WHERE i.id = v.id AND i.version = "
                "v.version AND old.id = "
                "i.id AND p.id = i.product_id RETURNING i.id::text, i.version, old.quantity - old.reserved, "
                "i.low_stock_threshold, p.sku");
  if (updated.size() != items.size()) {
    throw core::ConcurrencyConflict(std::to_string(items.size() - updated.size()) + " of " +
                                    std::to_string(items.size()) +
                                    " stock rows changed since they were read");
  }
  std::map<std::string, pqxx::result::size_type> by_id;
  for (pqxx::result::size_type i = 0; i < updated.size(); ++i) by_id.emplace(updated[i][0].c_str(), i);
  for (auto* item : items) {  // in the order given, like one WriteItem after another
    const auto row = updated[by_id.at(Id(item->Id().Get()))];
    item->MarkPersisted(row[1].as<std::int64_t>());
    if (preloaded_ != nullptr) preloaded_->Wrote(*item);
    if (tx_ != nullptr) {
      writes_.push_back(StockWrite{item->ProductId(), row[4].as<std::string>(), order_id, item->Quantity(),
                                   item->Reserved(), row[2].as<std::int64_t>(), row[3].as<std::int64_t>()});
    }
  }
}

void PgInventoryRepository::CreateProduct(const Product& product, InventoryItem& item) {
  Write([&](pqxx::transaction_base& tx) {
    pg::Exec0(
        tx,
        "INSERT INTO products (id, name, sku, currency, price_minor, created_at) VALUES ($1, $2, $3, $4, "
        "$5, " +
            TimestampParam(6) + ")",
        Id(product.Id().Get()), product.Name(), product.Sku().Value(),
        std::string(product.Price().GetCurrency().Code()), product.Price().MinorUnits(),
        core::ToUnixMicros(product.CreatedAt()));
    const auto threshold =
        pg::Exec1(tx,
                  "INSERT INTO inventory_items (id, product_id, quantity, reserved, received, sold, "
                  "last_updated, "
                  "version) VALUES ($1, $2, $3, $4, $5, $6, " +
                      TimestampParam(7) + ", 1) RETURNING low_stock_threshold",
                  Id(item.Id().Get()), Id(item.ProductId().Get()), item.Quantity(), item.Reserved(),
                  item.Received(), item.Sold(), core::ToUnixMicros(item.LastUpdated()))[0]
            .as<std::int64_t>();
    if (tx_ != nullptr) {
      writes_.push_back(StockWrite{item.ProductId(), product.Sku().Value(), std::nullopt, item.Quantity(),
                                   item.Reserved(), std::nullopt, threshold});
    }
  });
  item.MarkPersisted(1);
}

std::optional<ProductStock> PgInventoryRepository::GetProduct(const core::ProductId& id) {
  return Read([&](pqxx::transaction_base& tx) -> std::optional<ProductStock> {
    auto rows =
        pg::Exec(tx, "SELECT " + kProductStockColumns + kProductStockFrom + " WHERE p.id = $1", Id(id.Get()));
    if (rows.empty()) return std::nullopt;
    return ProductStockFrom(rows[0]);
  });
}

std::vector<ProductStock> PgInventoryRepository::GetProducts(const std::vector<core::ProductId>& ids) {
  if (ids.empty()) return {};
  const auto list = pg::ArrayLiteral(ids, [](const core::ProductId& id) { return Id(id.Get()); });
  return Read([&](pqxx::transaction_base& tx) {
    std::vector<ProductStock> products;
    for (const auto& row : pg::Exec(tx,
                                    "SELECT " + kProductStockColumns + kProductStockFrom +
                                        " WHERE p.id = ANY($1::uuid[]) ORDER BY p.id",
                                    list)) {
      products.push_back(ProductStockFrom(row));
    }
    return products;
  });
}

std::optional<ProductStock> PgInventoryRepository::GetProductBySku(const Sku& sku) {
  return Read([&](pqxx::transaction_base& tx) -> std::optional<ProductStock> {
    auto rows =
        pg::Exec(tx, "SELECT " + kProductStockColumns + kProductStockFrom + " WHERE p.sku = $1", sku.Value());
    if (rows.empty()) return std::nullopt;
    return ProductStockFrom(rows[0]);
  });
}

core::Page<ProductStock> PgInventoryRepository::ListProducts(const core::PageRequest& page) {
  return Read([&](pqxx::transaction_base& tx) {
    core::Page<ProductStock> result;
    result.total = tx.exec1("SELECT count(*) FROM products")[0].as<std::int64_t>();
    for (const auto& row : pg::Exec(tx,
                                    "SELECT " + kProductStockColumns + kProductStockFrom +
                                        " ORDER BY p.created_at, p.id LIMIT $1 OFFSET $2",
                                    page.ClampedLimit(), page.ClampedOffset())) {
      result.items.push_back(ProductStockFrom(row));
    }
    return result;
  });
}

core::Page<ProductStock> PgInventoryRepository::LowStock(std::int64_t threshold,
                                                         const core::PageRequest& page) {
  return Read([&](pqxx::transaction_base& tx) {
    core::Page<ProductStock> result;
    result.total = pg::Exec1(tx, "SELECT count(*) FROM inventory_items i WHERE i.quantity - i.reserved < $1",
                             threshold)[0]
                       .as<std::int64_t>();
    for (const auto& row : pg::Exec(tx,
                                    "SELECT " + kProductStockColumns + kProductStockFrom +
                                        " WHERE i.quantity - i.reserved < $1"
                                        " ORDER BY i.quantity - i.reserved, i.product_id LIMIT $2 OFFSET $3",
                                    threshold, page.ClampedLimit(), page.ClampedOffset())) {
      result.items.push_back(ProductStockFrom(row));
    }
    return result;
  });
}

std::optional<InventoryItem> PgInventoryRepository::GetByProductId(const core::ProductId& product_id) {
  return Read([&](pqxx::transaction_base& tx) -> std::optional<InventoryItem> {
    auto rows = pg::Exec(
        tx, "SELECT i.product_id::text, " + kItemColumns + " FROM inventory_items i WHERE i.product_id = $1",
        Id(product_id.Get()));
    if (rows.empty()) return std::nullopt;
    return ItemFrom(rows[0], 1);
  });
}

void PgInventoryRepository::UpdateStock(InventoryItem& item) {
  Write([&](pqxx::transaction_base& tx) { WriteItem(tx, item, std::nullopt); });
}

core::Result<std::vector<Reservation>, ReserveFailure> PgInventoryRepository::Reserve(
    const core::OrderId& order_id, const std::vector<ReservationLine>& lines, core::Timestamp now,
    core::Timestamp expires_at) {
  return Write([&](pqxx::transaction_base& tx) -> core::Result<std::vector<Reservation>, ReserveFailure> {
    std::vector<Reservation> existing;
    if (auto kept = preloaded_ != nullptr ? preloaded_->Reservations(order_id) : std::nullopt) {
      // Read with the inbox rows, before any lock: a redelivered command racing the first
      // delivery finds the reservations' unique key at the insert below instead.
      existing = std::move(*kept);
    } else {
      // Serialise Reserve calls of one order (a redelivered command racing the first delivery).
      pg::Exec(tx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", Id(order_id.Get()));
      existing = LockReservations(tx, order_id);
    }
    if (!existing.empty()) return existing;  // repeated: already reserved (all or nothing)

    std::vector<std::string> products;
    products.reserve(lines.size());
    for (const auto& line : lines) products.push_back(Id(line.product_id.Get()));
    auto items = LockItemsOf(tx, products);
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
    std::vector<InventoryItem*> written;
    for (auto& [product, item] : items) written.push_back(&item);
    WriteItems(tx, written, order_id);
    try {
      pg::Translated([&] { InsertReservations(tx, created); });
    } catch (const pg::ConstraintViolation& e) {
      if (e.Constraint() != "reservations_order_product_key") throw;
      // The same command, delivered twice at once, reserved first elsewhere: the transaction
      // rolls back, and its retry finds those reservations and answers with them.
      throw core::ConcurrencyConflict("order " + Id(order_id.Get()) + " was reserved concurrently");
    }
    if (preloaded_ != nullptr) preloaded_->Wrote(order_id);
    return created;
  });
}

// Applies to every reservation of the order the move `plan` chooses for its status, and the
// matching stock move to the stock of those it changed. Everything is checked before anything
// is written, so a refusal writes nothing (also inside a caller's transaction).
template <typename Plan>
core::Result<std::vector<Reservation>, InventoryError> PgInventoryRepository::MoveReservations(
    pqxx::transaction_base& tx, const core::OrderId& order_id, core::Timestamp now, Plan plan) {
  auto reservations = LockReservationsOf(tx, order_id);
  auto items = LockItemsOf(tx, reservations);
  std::vector<const Reservation*> changed;
  for (auto& reservation : reservations) {
    const MovePlan step = plan(reservation);
    if (step.move == nullptr) continue;
    auto outcome = (reservation.*step.move)(now);
    if (!outcome) return core::Fail(outcome.Error());
    if (outcome.Value() == Outcome::kAlreadyDone) continue;
    auto it = items.find(Id(reservation.ProductId().Get()));
    if (it == items.end()) Corrupt("reservation (no stock row for its product)");
    auto stock = (it->second.*step.stock_move)(reservation.Quantity(), now);
    if (!stock) return core::Fail(stock.Error());
    changed.push_back(&reservation);
  }
  // One reservation per order and product: each stock row is written at most once.
  std::vector<InventoryItem*> written;
  for (const auto* reservation : changed) written.push_back(&items.at(Id(reservation->ProductId().Get())));
  WriteItems(tx, written, order_id);
  if (!changed.empty()) {
    WriteReservationStatuses(tx, changed);
    if (preloaded_ != nullptr) preloaded_->Wrote(order_id);
  }
  return reservations;
}

core::Result<std::vector<Reservation>, InventoryError> PgInventoryRepository::Release(
    const core::OrderId& order_id, core::Timestamp now) {
  return Write([&](pqxx::transaction_base& tx) {
    return MoveReservations(tx, order_id, now, [](const Reservation& r) {
      switch (r.Status()) {
        case ReservationStatus::kActive:
          return MovePlan{&Reservation::Release, &InventoryItem::Release};
        case ReservationStatus::kCommitted:
          return MovePlan{&Reservation::Return, &InventoryItem::ReturnSale};
        case ReservationStatus::kReleased:
        case ReservationStatus::kExpired:
        case ReservationStatus::kReturned:
          break;
      }
      return MovePlan{};
    });
  });
}

core::Result<std::vector<Reservation>, InventoryError> PgInventoryRepository::Commit(
    const core::OrderId& order_id, core::Timestamp now) {
  return Write([&](pqxx::transaction_base& tx) {
    return MoveReservations(tx, order_id, now, [](const Reservation&) {
      return MovePlan{&Reservation::Commit, &InventoryItem::CommitSale};
    });
  });
}

std::vector<Reservation> PgInventoryRepository::GetReservations(const core::OrderId& order_id) {
  return Read([&](pqxx::transaction_base& tx) {
    std::vector<Reservation> reservations;
    for (const auto& row : pg::Exec(
             tx,
             "SELECT " + kReservationColumns + " FROM reservations WHERE order_id = $1 ORDER BY product_id",
             Id(order_id.Get()))) {
      reservations.push_back(ReservationFrom(row));
    }
    return reservations;
  });
}

std::vector<Reservation> PgInventoryRepository::ExpireReservations(core::Timestamp now, int limit) {
  return Write([&](pqxx::transaction_base& tx) {
    std::vector<Reservation> due;
    for (const auto& row :
         pg::Exec(tx,
                  "SELECT " + kReservationColumns +
                      " FROM reservations WHERE status = 'Active' AND expires_at <= " + TimestampParam(1) +
                      " ORDER BY product_id LIMIT $2 FOR UPDATE SKIP LOCKED",
                  core::ToUnixMicros(now), limit)) {
      due.push_back(ReservationFrom(row));
    }
    auto items = LockItemsOf(tx, due);
    std::vector<Reservation> expired;
    for (auto& reservation : due) {
      // Neither can fail: selected as active and past expiry, and 0 <= reserved is kept by the
      // database; a row that breaks that is left for an operator rather than half-expired.
      auto outcome = reservation.Expire(now);
      if (!outcome || outcome.Value() != Outcome::kApplied) continue;
      auto it = items.find(Id(reservation.ProductId().Get()));
      if (it == items.end() || !it->second.Release(reservation.Quantity(), now)) continue;
      WriteItem(tx, it->second, reservation.OrderId());
      WriteReservationStatus(tx, reservation);
      if (preloaded_ != nullptr) preloaded_->Wrote(reservation.OrderId());
      expired.push_back(reservation);
    }
    return expired;
  });
}

std::vector<StockWrite> PgInventoryRepository::TakeStockWrites() {
  return std::exchange(writes_, {});
}

}  // namespace saga::inventory
