#pragma once
// ICatalogue over the inventory service's REST API: GET /api/inventory/{productId} per product
// (orders have at most kMaxItemsPerOrder lines). 404 means unknown; an unreachable or failing
// inventory service throws core::InfraError (retryable), which the API answers with 503.

#include "saga/http/client.hpp"
#include "services/order/app/catalogue.hpp"

namespace saga::order {

class HttpCatalogue final : public ICatalogue {
 public:
  explicit HttpCatalogue(http::HttpClient client) : client_(std::move(client)) {}
  [[nodiscard]] std::map<core::ProductId, core::Money> Prices(
      const std::vector<core::ProductId>& products) override;

 private:
  http::HttpClient client_;
};

}  // namespace saga::order
