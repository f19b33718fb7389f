#pragma once
// ICatalogue over the inventory service's REST API: one GET /api/inventory?ids=... for all the
// products of an order (orders have at most kMaxItemsPerOrder lines); a product missing from the
// answer is unknown. An inventory service that does not know `ids` yet (400, during a rolling
// upgrade) is asked product by product instead (GET /api/inventory/{id}, 404 unknown). An
// unreachable or failing inventory service throws core::InfraError (retryable), which the API
// answers with 503.

#include "saga/http/client.hpp"
#include "services/order/app/catalogue.hpp"

namespace saga::order {

class HttpCatalogue final : public ICatalogue {
 public:
  explicit HttpCatalogue(http::HttpClient client) : client_(std::move(client)) {}
  [[nodiscard]] std::map<core::ProductId, core::Money> Prices(
      const std::vector<core::ProductId>& products) override;

 private:
  // The pre-`ids` way: one GET per product.
  std::map<core::ProductId, core::Money> PricesOneByOne(const std::vector<core::ProductId>& products);
  http::HttpClient client_;
};

}  // namespace saga::order
