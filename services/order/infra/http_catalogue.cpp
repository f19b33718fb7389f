#include "services/order/infra/http_catalogue.hpp"

#include <nlohmann/json.hpp>

#include "saga/core/errors.hpp"

namespace saga::order {

std::map<core::ProductId, core::Money> HttpCatalogue::Prices(const std::vector<core::ProductId>& products) {
  std::map<core::ProductId, core::Money> prices;
  for (const auto& product : products) {
    if (prices.count(product) != 0) continue;
    const auto reply = client_.Get("/api/inventory/" + product.Get().ToString());
    if (reply.status == 404) continue;
    if (reply.status != 200) {
      throw core::InfraError("catalogue answered " + std::to_string(reply.status) + " for a product", true);
    }
    const auto body = nlohmann::json::parse(reply.body, nullptr, false);
    const auto* price = body.is_object() && body.contains("price") ? &body["price"] : nullptr;
    std::optional<core::Currency> currency;
    if (price != nullptr && price->is_object() && price->contains("currency") &&
        (*price)["currency"].is_string()) {
      currency = core::Currency::Parse((*price)["currency"].get<std::string>());
    }
    if (!currency || !(*price).contains("amountMinor") || !(*price)["amountMinor"].is_number_integer()) {
      throw core::InfraError("catalogue answered a product without a valid price", false);
    }
    prices.emplace(product, core::Money((*price)["amountMinor"].get<std::int64_t>(), *currency));
  }
  return prices;
}

}  // namespace saga::order
