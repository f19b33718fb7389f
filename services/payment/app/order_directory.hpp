#pragma once
// IOrderDirectory: what the payment service learns about an order before charging it: its
// total (the amount to charge, never taken from the client) and status. Implemented by
// infra/http_order_directory (the order service's REST API) and by a fake in tests.
// Infrastructure failures throw core::InfraError.

#include <optional>
#include <string>

#include "saga/core/ids.hpp"
#include "saga/core/money.hpp"

namespace saga::payment {

struct OrderSummary {
  core::Money total;
  std::string status;  // the order service's OrderStatus name
};

class IOrderDirectory {
 public:
  virtual ~IOrderDirectory() = default;
  /// nullopt when the order does not exist.
  [[nodiscard]] virtual std::optional<OrderSummary> Find(const core::OrderId& order_id) = 0;
};

}  // namespace saga::payment
