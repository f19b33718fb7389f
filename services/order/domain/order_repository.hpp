#pragma once
// IOrderRepository: the port through which the app layer stores orders. Implemented by
// infra/pg_order_repository (PostgreSQL) and by a fake in tests.
//
// Concurrency: Update() and Delete() compare the order's Version() with the stored one; a lost
// race throws core::ConcurrencyConflict and writes nothing. Infrastructure failures throw
// core::InfraError subclasses (pg::ConnectionError...). Each call is one transaction.
//
// No caching layer: several instances of the service share the database, so reads always go to
// it; HTTP clients cache with ETag / If-None-Match instead (docs/adr/0001-order-caching.md).

#include <optional>

#include "saga/core/ids.hpp"
#include "saga/core/paging.hpp"
#include "services/order/domain/order.hpp"

namespace saga::order {

struct OrderFilter {
  std::optional<OrderStatus> status;
  std::optional<core::CustomerId> customer_id;
};

class IOrderRepository {
 public:
  virtual ~IOrderRepository() = default;

  /// Stores a new order (version becomes 1). Throws pg::ConstraintViolation when the id exists.
  virtual void Create(Order& order) = 0;
  /// Stores the order's changes if nobody changed it since it was read; bumps its version.
  virtual void Update(Order& order) = 0;
  [[nodiscard]] virtual std::optional<Order> Get(const core::OrderId& id) = 0;
  /// Newest first, filtered, one page.
  [[nodiscard]] virtual core::Page<Order> GetAll(const OrderFilter& filter,
                                                 const core::PageRequest& page) = 0;
  /// Deletes the order at `expected_version`: false when absent; ConcurrencyConflict when changed.
  virtual bool Delete(const core::OrderId& id, std::int64_t expected_version) = 0;
};

}  // namespace saga::order
