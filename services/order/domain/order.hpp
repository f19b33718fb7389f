#pragma once
// Order aggregate. Invariants, always true of a constructed Order:
//   - at least one item, at most kMaxItemsPerOrder, one line per product;
//   - every item in the order's currency;
//   - TotalAmount() == CalculateTotal() == the sum of the items' subtotals;
//   - the status moves only along the transition table (order_status.hpp); items change only
//     while Created.
// Every accepted change records a domain event; every refused change returns an OrderError
// and leaves the order untouched. No I/O.

#include <cstdint>
#include <variant>
#include <vector>

#include "saga/core/ids.hpp"
#include "saga/core/money.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/order/domain/order_errors.hpp"
#include "services/order/domain/order_item.hpp"
#include "services/order/domain/order_status.hpp"

namespace saga::order {

inline constexpr std::size_t kMaxItemsPerOrder = 50;

struct OrderCreated {
  core::OrderId order_id;
  core::CustomerId customer_id;
  core::Money total;
  core::Timestamp at;
};
struct OrderItemsChanged {
  core::OrderId order_id;
  core::Money total;
  core::Timestamp at;
};
struct OrderStatusChanged {
  core::OrderId order_id;
  OrderStatus from;
  OrderStatus to;
  core::Timestamp at;
};
using OrderDomainEvent = std::variant<OrderCreated, OrderItemsChanged, OrderStatusChanged>;

class Order {
 public:
  /// A new order in status Created, version 0 (not yet stored).
  [[nodiscard]] static core::Result<Order, OrderError> Create(core::OrderId id, core::CustomerId customer_id,
                                                              core::Currency currency,
                                                              std::vector<OrderItem> items,
                                                              core::Timestamp now);

  /// Rebuilds a stored order (repositories only). Returns an error when the stored data breaks
  /// an invariant, so corrupt rows are reported instead of silently used.
  [[nodiscard]] static core::Result<Order, OrderError> Restore(core::OrderId id, core::CustomerId customer_id,
                                                               OrderStatus status, core::Currency currency,
                                                               std::vector<OrderItem> items,
                                                               core::Timestamp created_at,
                                                               core::Timestamp updated_at,
                                                               std::int64_t version);

  [[nodiscard]] core::Result<void, OrderError> AddItem(OrderItem item, core::Timestamp now);
  [[nodiscard]] core::Result<void, OrderError> RemoveItem(const core::ProductId& product_id,
                                                          core::Timestamp now);
  [[nodiscard]] core::Result<void, OrderError> UpdateStatus(OrderStatus to, core::Timestamp now);

  /// The sum of the items' subtotals, computed now.
  [[nodiscard]] core::Money CalculateTotal() const;

  [[nodiscard]] const core::OrderId& Id() const noexcept { return id_; }
  [[nodiscard]] const core::CustomerId& CustomerId() const noexcept { return customer_id_; }
  [[nodiscard]] OrderStatus Status() const noexcept { return status_; }
  [[nodiscard]] const core::Currency& Currency() const noexcept { return currency_; }
  [[nodiscard]] const core::Money& TotalAmount() const noexcept { return total_; }
  [[nodiscard]] const std::vector<OrderItem>& Items() const noexcept { return items_; }
  [[nodiscard]] core::Timestamp CreatedAt() const noexcept { return created_at_; }
  [[nodiscard]] core::Timestamp UpdatedAt() const noexcept { return updated_at_; }
  /// The version read from storage (0 before the first store). Repositories compare it.
  [[nodiscard]] std::int64_t Version() const noexcept { return version_; }

  /// True when the items changed since the order was created, restored or last stored: a
  /// repository rewrites them only then (a status change leaves them as they are).
  [[nodiscard]] bool ItemsChanged() const noexcept { return items_changed_; }

  /// Called by a repository after a successful write.
  void MarkPersisted(std::int64_t new_version) noexcept {
    version_ = new_version;
    items_changed_ = false;
  }

  [[nodiscard]] const std::vector<OrderDomainEvent>& DomainEvents() const noexcept { return events_; }
  void ClearDomainEvents() noexcept { events_.clear(); }

 private:
  Order(core::OrderId id, core::CustomerId customer_id, core::Currency currency, core::Timestamp now);
  /// Validates `candidate` as the new item list; on success takes it and records the change.
  [[nodiscard]] core::Result<void, OrderError> ReplaceItems(std::vector<OrderItem> candidate,
                                                            core::Timestamp now);
  [[nodiscard]] static core::Result<core::Money, OrderError> SumOf(const std::vector<OrderItem>& items,
                                                                   core::Currency currency);

  core::OrderId id_;
  core::CustomerId customer_id_;
  OrderStatus status_ = OrderStatus::kCreated;
  core::Currency currency_;
  core::Money total_;
  std::vector<OrderItem> items_;
  core::Timestamp created_at_;
  core::Timestamp updated_at_;
  std::int64_t version_ = 0;
  bool items_changed_ = false;
  std::vector<OrderDomainEvent> events_;
};

}  // namespace saga::order
