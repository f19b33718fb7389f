#pragma once
// ICatalogue: where the order service learns the price of a product (the inventory service's
// catalogue). Orders never take a price from the client.
// Implemented by infra/http_catalogue (the inventory REST API) and by a fake in tests.
// Infrastructure failures throw core::InfraError (retryable when the catalogue is unreachable).

#include <map>
#include <vector>

#include "saga/core/ids.hpp"
#include "saga/core/money.hpp"

namespace saga::order {

class ICatalogue {
 public:
  virtual ~ICatalogue() = default;
  /// The current unit price of each product that exists; unknown products are absent.
  [[nodiscard]] virtual std::map<core::ProductId, core::Money> Prices(
      const std::vector<core::ProductId>& products) = 0;
};

}  // namespace saga::order
