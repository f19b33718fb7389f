#pragma once
// CachedCatalogue: an ICatalogue that remembers the prices another one (the inventory service's
// REST API) gave, for `ttl`, so that an order for products already priced does not ask again:
// one HTTPS round trip, a read in inventory_db and a wake of two services fewer per order.
//
// A remembered price is right: a product's price is fixed when the product is created (the
// inventory service has no route that changes it and never deletes a product). The ttl bounds
// how long a price change would take to reach new orders should prices become changeable.
// Unknown products are not remembered, so a product created a moment ago is priced by the next
// order. At most `capacity` products are kept: when a new one does not fit, the expired ones go,
// and if that is not enough, all of them (the next orders price them again).
//
// A ttl of zero turns the cache off (every call goes to the inner catalogue).
// Thread-safe: the map is guarded; the inner catalogue is called without holding the guard.

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <vector>

#include "saga/core/time.hpp"
#include "services/order/app/catalogue.hpp"

namespace saga::order {

class CachedCatalogue final : public ICatalogue {
 public:
  CachedCatalogue(ICatalogue& inner, const core::Clock& clock, std::chrono::seconds ttl,
                  std::size_t capacity = 10000);

  /// The remembered prices when every product is remembered; otherwise asks the inner catalogue
  /// for the products it lacks and remembers what comes back. Inner failures propagate.
  [[nodiscard]] std::map<core::ProductId, core::Money> Prices(
      const std::vector<core::ProductId>& products) override;

  /// How many products are remembered (expired ones included until they are purged).
  [[nodiscard]] std::size_t Size() const;

 private:
  struct Entry {
    core::Money price;
    core::Timestamp expires;
  };
  void Remember(const std::map<core::ProductId, core::Money>& prices, core::Timestamp now);

  ICatalogue& inner_;
  const core::Clock& clock_;
  std::chrono::seconds ttl_;
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::map<core::ProductId, Entry> entries_;
};

}  // namespace saga::order
