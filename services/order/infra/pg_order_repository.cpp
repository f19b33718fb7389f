#include "services/order/infra/pg_order_repository.hpp"

#include <charconv>
#include <limits>
#include <map>
#include <pqxx/pqxx>

#include "saga/core/errors.hpp"
#include "saga/pg/bulk.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"
#include "saga/pg/sql.hpp"

namespace saga::order {
namespace {

// An order's columns and, last, its items as "product:quantity:unit_price" joined by ",", in
// line order (a correlated subquery: the order and its items in one statement and round trip).
// With FOR UPDATE, a row re-read after a lock wait is its newest version while the items are
// read from the statement's snapshot; items change only with their order's row (a new total and
// version, in the same transaction), and nothing but tests changes items at all.
const std::string kOrderColumns =
    "o.id::text, o.customer_id::text, o.status, o.currency, o.total_minor, " + pg::MicrosOf("o.created_at") +
    ", " + pg::MicrosOf("o.updated_at") +
    ", o.version, (SELECT string_agg(i.product_id::text || ':' || i.quantity || ':' || i.unit_price_minor, "
    "',' ORDER BY i.line_no) FROM order_items i WHERE i.order_id = o.id)";

std::string Id(const core::Uuid& id) {
  return id.ToString();
}

// The items of the kOrderColumns' last column.
std::vector<OrderItem> ItemsOf(const pqxx::field& field, const core::Currency& currency) {
  std::vector<OrderItem> items;
  if (field.is_null()) return items;
  const std::string_view text(field.c_str(), field.size());
  const auto number = [](std::string_view part) -> std::optional<std::int64_t> {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (error != std::errc() || end != part.data() + part.size()) return std::nullopt;
    return value;
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto stop = std::min(text.find(',', start), text.size());
    const auto line = text.substr(start, stop - start);
    const auto first = line.find(':');
    const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) throw pg::QueryError("stored order items are malformed", "");
    const auto product = core::Uuid::Parse(std::string(line.substr(0, first)));
    const auto quantity = number(line.substr(first + 1, second - first - 1));
    const auto price = number(line.substr(second + 1));
    if (!product || !quantity || !price || *quantity < 1 ||
        *quantity > std::numeric_limits<std::int32_t>::max()) {
      throw pg::QueryError("stored order items are malformed", "");
    }
    auto item = OrderItem::Create(core::ProductId(*product), static_cast<std::int32_t>(*quantity),
                                  core::Money(*price, currency));
    if (!item)
      throw pg::QueryError("stored order item is invalid: " + std::string(ToString(item.Error())), "");
    items.push_back(std::move(item).Value());
    start = stop + 1;
  }
  return items;
}

// Builds Orders from rows of kOrderColumns.
std::vector<Order> Assemble(const pqxx::result& rows) {
  std::vector<Order> orders;
  orders.reserve(rows.size());
  for (const auto& row : rows) orders.push_back(PgOrderRepository::FromRow(row));
  return orders;
}

}  // namespace

const std::string& PgOrderRepository::SelectList() {
  return kOrderColumns;
}

Order PgOrderRepository::FromRow(const pqxx::row& row, pqxx::row::size_type first) {
  const auto column = [&](pqxx::row::size_type i) { return row[first + i]; };
  const auto currency = core::Currency::Parse(column(3).c_str());
  if (!currency) throw pg::QueryError("stored order has an unknown currency", "");
  const auto status = ParseOrderStatus(column(2).c_str());
  if (!status) throw pg::QueryError("stored order has an unknown status", "");
  auto order = Order::Restore(core::OrderId(pg::UuidOf(column(0))), core::CustomerId(pg::UuidOf(column(1))),
                              *status, *currency, ItemsOf(column(8), *currency), pg::TimestampOf(column(5)),
                              pg::TimestampOf(column(6)), column(7).as<std::int64_t>());
  if (!order) throw pg::QueryError("stored order is invalid: " + std::string(ToString(order.Error())), "");
  if (order.Value().TotalAmount().MinorUnits() != column(4).as<std::int64_t>()) {
    throw pg::QueryError("stored order total differs from its items", "");
  }
  return std::move(order).Value();
}

PgOrderRepository::NewRows PgOrderRepository::MakeNewRows() {
  return NewRows{pg::BulkRows({{"id", "uuid"},
                               {"customer_id", "uuid"},
                               {"status", "text"},
                               {"currency", "text"},
                               {"total_minor", "bigint"},
                               {"created_at", "bigint"},
                               {"updated_at", "bigint"},
                               {"version", "bigint"}}),
                 pg::BulkRows({{"order_id", "uuid"},
                               {"line_no", "integer"},
                               {"product_id", "uuid"},
                               {"quantity", "integer"},
                               {"unit_price_minor", "bigint"},
                               {"subtotal_minor", "bigint"}})};
}

void PgOrderRepository::AddNew(NewRows& rows, const Order& order, std::int64_t version) {
  rows.orders.Add(Id(order.Id().Get()), Id(order.CustomerId().Get()), std::string(ToString(order.Status())),
                  std::string(order.Currency().Code()), order.TotalAmount().MinorUnits(),
                  core::ToUnixMicros(order.CreatedAt()), core::ToUnixMicros(order.UpdatedAt()), version);
  int line = 0;
  for (const auto& item : order.Items()) {
    rows.items.Add(Id(order.Id().Get()), line++, Id(item.ProductId().Get()), item.Quantity(),
                   item.UnitPrice().MinorUnits(), item.Subtotal().MinorUnits());
  }
}

const std::string& PgOrderRepository::NewOrdersStatement() {
  static const std::string sql =
      "INSERT INTO orders (id, customer_id, status, currency, total_minor, created_at, updated_at, version) "
      "SELECT v.id, v.customer_id, v.status, v.currency, v.total_minor, "
      "timestamptz 'epoch' + v.created_at * interval '1 microsecond', "
      "timestamptz 'epoch' + v.updated_at * interval '1 microsecond', v.version FROM {rows} RETURNING 1";
  return sql;
}

const std::string& PgOrderRepository::NewItemsStatement() {
  static const std::string sql =
      "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price_minor, subtotal_minor) "
      "SELECT v.order_id, v.line_no, v.product_id, v.quantity, v.unit_price_minor, v.subtotal_minor "
      "FROM {rows} RETURNING 1";
  return sql;
}

void PgOrderRepository::Create(Order& order) {
  auto rows = MakeNewRows();
  AddNew(rows, order, 1);
  Run([&](pqxx::transaction_base& tx) {
    pg::BulkStatement statement;
    statement.Add(rows.orders, NewOrdersStatement());
    statement.Add(rows.items, NewItemsStatement());
    (void)statement.Exec(tx);
  });
  order.MarkPersisted(1);
}

void PgOrderRepository::Update(Order& order) {
  const auto new_version = Run([&](pqxx::transaction_base& tx) {
    auto updated =
        pg::Exec(tx,
                 "UPDATE orders SET status = $3, total_minor = $4, updated_at = " + pg::TimestampParam(5) +
                     ", version = version + 1 WHERE id = $1 AND version = $2 RETURNING version",
                 Id(order.Id().Get()), order.Version(), std::string(ToString(order.Status())),
                 order.TotalAmount().MinorUnits(), core::ToUnixMicros(order.UpdatedAt()));
    if (updated.empty()) {
      throw core::ConcurrencyConflict("order " + Id(order.Id().Get()) + " changed since version " +
                                      std::to_string(order.Version()) + " was read (or was deleted)");
    }
    if (order.ItemsChanged()) {
      pg::Exec0(tx, "DELETE FROM order_items WHERE order_id = $1", Id(order.Id().Get()));
      auto rows = MakeNewRows();
      AddNew(rows, order, order.Version());
      (void)rows.items.Exec(tx, NewItemsStatement());
    }
    return updated[0][0].as<std::int64_t>();
  });
  order.MarkPersisted(new_version);
}

std::optional<Order> PgOrderRepository::Get(const core::OrderId& id) {
  return Run([&](pqxx::transaction_base& tx) -> std::optional<Order> {
    // In a caller's transaction the row is locked, so the caller's update cannot lose a race.
    auto rows = pg::Exec(tx,
                         "SELECT " + kOrderColumns + " FROM orders o WHERE o.id = $1" +
                             (scope_.InCallerTransaction() ? " FOR UPDATE" : ""),
                         Id(id.Get()));
    auto orders = Assemble(rows);
    if (orders.empty()) return std::nullopt;
    return std::move(orders.front());
  });
}

core::Page<Order> PgOrderRepository::GetAll(const OrderFilter& filter, const core::PageRequest& page) {
  return Run([&](pqxx::transaction_base& tx) {
    const std::optional<std::string> status =
        filter.status ? std::optional<std::string>(std::string(ToString(*filter.status))) : std::nullopt;
    const std::optional<std::string> customer =
        filter.customer_id ? std::optional<std::string>(Id(filter.customer_id->Get())) : std::nullopt;
    const std::string where =
        " WHERE ($1::text IS NULL OR o.status = $1) AND ($2::uuid IS NULL OR o.customer_id = $2)";
    core::Page<Order> result;
    result.total = pg::ExecPlanned(tx, "SELECT count(*) FROM orders o" + where, status, customer)[0][0]
                       .as<std::int64_t>();
    auto rows = pg::ExecPlanned(tx,
                                "SELECT " + kOrderColumns + " FROM orders o" + where +
                                    " ORDER BY o.created_at DESC, o.id LIMIT $3 OFFSET $4",
                                status, customer, page.ClampedLimit(), page.ClampedOffset());
    result.items = Assemble(rows);
    return result;
  });
}

pg::BulkRows PgOrderRepository::ChangeRows(const std::vector<StatusChange>& changes) {
  pg::BulkRows rows({{"id", "uuid"},
                     {"stored_version", "bigint"},
                     {"version", "bigint"},
                     {"status", "text"},
                     {"total_minor", "bigint"},
                     {"updated_at", "bigint"}});
  for (const auto& change : changes) {
    const auto& order = *change.order;
    rows.Add(Id(order.Id().Get()), change.stored_version, order.Version(),
             std::string(ToString(order.Status())), order.TotalAmount().MinorUnits(),
             core::ToUnixMicros(order.UpdatedAt()));
  }
  return rows;
}

const std::string& PgOrderRepository::ChangeStatement() {
  static const std::string sql =
      "UPDATE orders o SET status = v.status, total_minor = v.total_minor, "
      "updated_at = timestamptz 'epoch' + v.updated_at * interval '1 microsecond', version = v.version "
      "FROM {rows} WHERE o.id = v.id AND o.version = v.stored_version RETURNING o.id";
  return sql;
}

bool PgOrderRepository::Delete(const core::OrderId& id, std::int64_t expected_version) {
  return Run([&](pqxx::transaction_base& tx) {
    auto current = pg::Exec(tx, "SELECT version FROM orders WHERE id = $1 FOR UPDATE", Id(id.Get()));
    if (current.empty()) return false;
    if (current[0][0].as<std::int64_t>() != expected_version) {
      throw core::ConcurrencyConflict("order " + Id(id.Get()) + " is at version " + current[0][0].c_str() +
                                      ", not " + std::to_string(expected_version));
    }
    pg::Exec0(tx, "DELETE FROM orders WHERE id = $1", Id(id.Get()));
    return true;
  });
}

}  // namespace saga::order
