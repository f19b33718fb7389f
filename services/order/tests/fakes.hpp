#pragma once
// Hand-written fakes of the order service's ports, with controls for tests.

#include <map>
#include <mutex>

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"
#include "services/order/app/catalogue.hpp"
#include "services/order/domain/order_repository.hpp"

namespace saga::order::testing {

/// In memory, with the PostgreSQL repository's contract: versions checked, duplicate ids refused
/// with the primary key's constraint name.
class FakeOrderRepository final : public IOrderRepository {
 public:
  void Create(Order& order) override {
    std::lock_guard lock(mu_);
    if (orders_.count(order.Id()) != 0) throw pg::ConstraintViolation("duplicate", "23505", "orders_pkey");
    order.MarkPersisted(1);
    orders_.emplace(order.Id(), order);
    ++writes;
  }
  void Update(Order& order) override {
    std::lock_guard lock(mu_);
    auto it = orders_.find(order.Id());
    if (it == orders_.end() || it->second.Version() != order.Version())
      throw core::ConcurrencyConflict("stale");
    if (conflicts_to_inject > 0) {
      --conflicts_to_inject;
      throw core::ConcurrencyConflict("injected");
    }
    order.MarkPersisted(order.Version() + 1);
    it->second = order;
    ++writes;
  }
  [[nodiscard]] std::optional<Order> Get(const core::OrderId& id) override {
    std::lock_guard lock(mu_);
    auto it = orders_.find(id);
    if (it == orders_.end()) return std::nullopt;
    return it->second;
  }
  [[nodiscard]] core::Page<Order> GetAll(const OrderFilter& filter, const core::PageRequest& page) override {
    std::lock_guard lock(mu_);
    core::Page<Order> out;
    std::vector<Order> matching;
    for (const auto& [id, order] : orders_) {
      if (filter.status && order.Status() != *filter.status) continue;
      if (filter.customer_id && order.CustomerId() != *filter.customer_id) continue;
      matching.push_back(order);
    }
    out.total = static_cast<std::int64_t>(matching.size());
    for (auto i = static_cast<std::size_t>(page.ClampedOffset());
         i < matching.size() && out.items.size() < static_cast<std::size_t>(page.ClampedLimit()); ++i) {
      out.items.push_back(matching[i]);
    }
    return out;
  }
  bool Delete(const core::OrderId& id, std::int64_t) override {
    std::lock_guard lock(mu_);
    return orders_.erase(id) > 0;
  }

  int writes = 0;
  int conflicts_to_inject = 0;

 private:
  std::mutex mu_;
  std::map<core::OrderId, Order> orders_;
};

class FakeCatalogue final : public ICatalogue {
 public:
  [[nodiscard]] std::map<core::ProductId, core::Money> Prices(
      const std::vector<core::ProductId>& products) override {
    ++calls;
    if (unavailable) throw core::InfraError("catalogue down", true);
    std::map<core::ProductId, core::Money> out;
    for (const auto& product : products) {
      auto it = prices.find(product);
      if (it != prices.end()) out.emplace(product, it->second);
    }
    return out;
  }
  std::map<core::ProductId, core::Money> prices;
  bool unavailable = false;
  int calls = 0;
};

}  // namespace saga::order::testing
