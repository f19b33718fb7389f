#include "services/order/infra/http_catalogue.hpp"

#include <nlohmann/json.hpp>

#include "saga/core/errors.hpp"
#include "saga/core/paging.hpp"
#include "services/order/domain/order.hpp"

namespace saga::order {

namespace {

// The price of one product of the catalogue's answer; InfraError (not retryable) when it has none.
core::Money PriceOf(const nlohmann::json& product) {
  const auto* price = product.is_object() && product.contains("price") ? &product["price"] : nullptr;
  std::optional<core::Currency> currency;
  if (price != nullptr && price->is_object() && price->contains("currency") &&
      (*price)["currency"].is_string()) {
    currency = core::Currency::Parse((*price)["currency"].get<std::string>());
  }
  if (!currency || !(*price).contains("amountMinor") || !(*price)["amountMinor"].is_number_integer()) {
    throw core::InfraError("catalogue answered a product without a valid price", false);
  }
  return core::Money((*price)["amountMinor"].get<std::int64_t>(), *currency);
}

}  // namespace

static_assert(kMaxItemsPerOrder <= static_cast<std::size_t>(core::PageRequest::kMaxLimit),
              "an order's products fit in one catalogue call");

std::map<core::ProductId, core::Money> HttpCatalogue::Prices(const std::vector<core::ProductId>& products) {
  std::map<core::ProductId, core::Money> prices;
  if (products.empty()) return prices;
  // One call for all the order's products (GET /api/inventory?ids=...); unknown ones are left
  // out of the answer.
  std::string ids;
  for (const auto& product : products) ids += (ids.empty() ? "" : ",") + product.Get().ToString();
  const auto reply = client_.Get("/api/inventory?ids=" + ids);
  if (reply.status == 400) return PricesOneByOne(products);  // an inventory service without `ids`
  if (reply.status != 200) {
    throw core::InfraError("catalogue answered " + std::to_string(reply.status) + " for an order's products",
                           true);
  }
  const auto body = nlohmann::json::parse(reply.body, nullptr, false);
  if (!body.is_object() || !body.contains("items") || !body["items"].is_array()) {
    throw core::InfraError("catalogue answered without a list of products", false);
  }
  for (const auto& product : body["items"]) {
    const auto id = product.is_object() && product.contains("id") && product["id"].is_string()
                        ? core::ParseId<core::ProductId>(product["id"].get<std::string>())
                        : std::nullopt;
    if (!id) throw core::InfraError("catalogue answered a product without an id", false);
    prices.insert_or_assign(*id, PriceOf(product));
  }
  return prices;
}

std::map<core::ProductId, core::Money> HttpCatalogue::PricesOneByOne(
    const std::vector<core::ProductId>& products) {
  std::map<core::ProductId, core::Money> prices;
  for (const auto& product : products) {
    if (prices.count(product) != 0) continue;
    const auto reply = client_.Get("/api/inventory/" + product.Get().ToString());
    if (reply.status == 404) continue;
    if (reply.status != 200) {
      throw core::InfraError("catalogue answered " + std::to_string(reply.status) + " for a product", true);
    }
    prices.emplace(product, PriceOf(nlohmann::json::parse(reply.body, nullptr, false)));
  }
  return prices;
}

}  // namespace saga::order
