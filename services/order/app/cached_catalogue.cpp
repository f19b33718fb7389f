#include "services/order/app/cached_catalogue.hpp"

#include <iterator>

namespace saga::order {

CachedCatalogue::CachedCatalogue(ICatalogue& inner, const core::Clock& clock, std::chrono::seconds ttl,
                                 std::size_t capacity)
    : inner_(inner), clock_(clock), ttl_(ttl), capacity_(capacity) {}

std::map<core::ProductId, core::Money> CachedCatalogue::Prices(const std::vector<core::ProductId>& products) {
  if (ttl_.count() <= 0 || capacity_ == 0) return inner_.Prices(products);
  const auto now = clock_.Now();
  std::map<core::ProductId, core::Money> prices;
  std::vector<core::ProductId> missing;
  {
    std::lock_guard lock(mu_);
    for (const auto& product : products) {
      const auto it = entries_.find(product);
      if (it != entries_.end() && now < it->second.expires) {
        prices.emplace(product, it->second.price);
      } else {
        missing.push_back(product);
      }
    }
  }
  if (missing.empty()) return prices;
  auto fetched = inner_.Prices(missing);
  Remember(fetched, now);
  prices.merge(fetched);
  return prices;
}

void CachedCatalogue::Remember(const std::map<core::ProductId, core::Money>& prices, core::Timestamp now) {
  std::lock_guard lock(mu_);
  for (const auto& [product, price] : prices) {
    if (entries_.size() >= capacity_ && !entries_.contains(product)) {
      std::erase_if(entries_, [now](const auto& entry) { return !(now < entry.second.expires); });
      if (entries_.size() >= capacity_) entries_.clear();
    }
    entries_.insert_or_assign(product, Entry{price, now + ttl_});
  }
}

std::size_t CachedCatalogue::Size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace saga::order
