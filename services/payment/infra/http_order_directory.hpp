#pragma once
// IOrderDirectory over the order service's REST API (GET /api/orders/{id}). 404 means the
// order does not exist; an unreachable or failing order service throws core::InfraError
// (retryable), which the API answers with 503.

#include "saga/http/client.hpp"
#include "services/payment/app/order_directory.hpp"

namespace saga::payment {

class HttpOrderDirectory final : public IOrderDirectory {
 public:
  explicit HttpOrderDirectory(http::HttpClient client) : client_(std::move(client)) {}
  [[nodiscard]] std::optional<OrderSummary> Find(const core::OrderId& order_id) override;

 private:
  http::HttpClient client_;
};

}  // namespace saga::payment
