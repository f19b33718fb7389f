#pragma once
// The order service's use cases behind the REST API (the saga joins in the next step).
// Business refusals are results; infrastructure failures propagate as core::InfraError.
// Thread-safety: stateless apart from its dependencies, which must be thread-safe.

#include <cstdint>
#include <optional>
#include <vector>

#include "saga/core/ids.hpp"
#include "saga/core/paging.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/order/app/catalogue.hpp"
#include "services/order/domain/order_repository.hpp"

namespace saga::order {

struct OrderLine {
  core::ProductId product_id;
  std::int32_t quantity = 0;
};

struct PlaceOrderCommand {
  /// Chosen by the caller (the API's idempotency key handling): placing the same id twice
  /// returns the order placed first.
  core::OrderId order_id;
  core::CustomerId customer_id;
  std::vector<OrderLine> lines;
};

struct OrderAppError {
  enum class Kind {
    kRule,             // `rule` says which domain rule
    kNotFound,         // no such order
    kUnknownProduct,   // `product_id` is not in the catalogue
    kMixedCurrencies,  // the products are priced in different currencies
    kVersionMismatch,  // expected version is not current (`current_version`)
  };
  Kind kind = Kind::kRule;
  OrderError rule = OrderError::kIllegalTransition;
  core::ProductId product_id{};
  std::int64_t current_version = 0;
};

class OrderApp {
 public:
  OrderApp(IOrderRepository& orders, ICatalogue& catalogue, const core::Clock& clock)
      : orders_(orders), catalogue_(catalogue), clock_(clock) {}

  /// Prices the lines from the catalogue and stores the order (status Created).
  [[nodiscard]] core::Result<Order, OrderAppError> PlaceOrder(const PlaceOrderCommand& command);
  [[nodiscard]] std::optional<Order> GetOrder(const core::OrderId& id);
  [[nodiscard]] core::Page<Order> ListOrders(const OrderFilter& filter, const core::PageRequest& page);
  /// Moves the order to Cancelled if its status allows it. With `expected_version`, only at that
  /// version; without it, a lost race with another writer is retried.
  [[nodiscard]] core::Result<Order, OrderAppError> CancelOrder(const core::OrderId& id,
                                                               std::optional<std::int64_t> expected_version);

 private:
  IOrderRepository& orders_;
  ICatalogue& catalogue_;
  const core::Clock& clock_;
};

}  // namespace saga::order
