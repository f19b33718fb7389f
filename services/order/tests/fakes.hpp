#pragma once
// Hand-written fakes of the order service's ports, with controls for tests.

#include <map>
#include <mutex>

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"
#include "services/order/app/catalogue.hpp"
#include "services/order/app/payment_token_sealer.hpp"
#include "services/order/app/saga_metrics.hpp"
#include "services/order/app/saga_store.hpp"
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
    ++gets;
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
  int gets = 0;
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
    asked.push_back(products);
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
  std::vector<std::vector<core::ProductId>> asked;  // each call's products
};

/// The saga ports in memory: one store, units of work that apply directly (a failing unit of
/// work is not rolled back: tests that need atomicity use PostgreSQL).
class FakeSagaStore final : public ISagaUnitOfWork, public ISagaTransactions, public ISagaQueries {
 public:
  explicit FakeSagaStore(FakeOrderRepository& orders) : orders_(orders) {}

  IOrderRepository& Orders() override { return orders_; }
  [[nodiscard]] std::optional<SagaInstance> LockSaga(const core::OrderId& order_id) override {
    return GetSaga(order_id);
  }
  void CreateSaga(SagaInstance& saga) override {
    saga.MarkPersisted(1);
    sagas_.insert_or_assign(saga.OrderId(), saga);
  }
  void UpdateSaga(SagaInstance& saga) override {
    auto it = sagas_.find(saga.OrderId());
    if (it == sagas_.end() || it->second.Version() != saga.Version())
      throw core::ConcurrencyConflict("stale saga");
    saga.MarkPersisted(saga.Version() + 1);
    it->second = saga;
  }
  void AppendLog(const SagaInstance& saga, const SagaLogEntry& entry) override {
    log_[saga.Id()].push_back(entry);
  }
  void Publish(const std::string& topic, const contracts::Envelope& envelope) override {
    published.emplace_back(topic, envelope);
  }
  [[nodiscard]] std::vector<SagaInstance> LockDue(core::Timestamp now, int limit) override {
    std::vector<SagaInstance> due;
    for (const auto& [id, saga] : sagas_) {
      if (saga.Deadline() && *saga.Deadline() <= now && static_cast<int>(due.size()) < limit)
        due.push_back(saga);
    }
    return due;
  }
  [[nodiscard]] std::vector<core::OrderId> LockAbandoned(core::Timestamp, int) override { return {}; }
  /// Nothing rolls back here: the action runs when the unit of work that gave it ends.
  void AfterCommit(std::function<void()> action) override { pending_.push_back(std::move(action)); }
  void Run(const std::function<void(ISagaUnitOfWork&)>& work) override {
    try {
      work(*this);
    } catch (...) {
      pending_.clear();  // "rolled back": its after-commit actions never run
      throw;
    }
    Commit();
  }
  /// Runs what AfterCommit() collected (tests that drive the orchestrator without Run call it).
  void Commit() {
    auto actions = std::move(pending_);
    pending_.clear();
    for (auto& action : actions) action();
  }
  [[nodiscard]] std::optional<SagaInstance> GetSaga(const core::OrderId& order_id) override {
    auto it = sagas_.find(order_id);
    if (it == sagas_.end()) return std::nullopt;
    return it->second;
  }
  [[nodiscard]] std::vector<SagaLogEntry> GetLog(const core::SagaId& saga_id) override {
    return log_[saga_id];
  }
  [[nodiscard]] std::vector<SagaInstance> ListInState(
      SagaState state, int, std::optional<core::Timestamp> updated_before) override {
    std::vector<SagaInstance> out;
    for (const auto& [id, saga] : sagas_) {
      if (saga.State() == state && (!updated_before || saga.UpdatedAt() < *updated_before))
        out.push_back(saga);
    }
    return out;
  }
  [[nodiscard]] std::vector<SagaStateCount> CountByState() override { return {}; }

  /// Types of the messages published so far, in order.
  [[nodiscard]] std::vector<std::string> PublishedTypes() const {
    std::vector<std::string> types;
    for (const auto& [topic, envelope] : published) types.push_back(envelope.type);
    return types;
  }

  std::vector<std::pair<std::string, contracts::Envelope>> published;

 private:
  std::vector<std::function<void()>> pending_;
  FakeOrderRepository& orders_;
  std::map<core::OrderId, SagaInstance> sagas_;
  std::map<core::SagaId, std::vector<SagaLogEntry>> log_;
};

/// Records what the orchestrator reported, as "Event:label" strings in order.
/// "sealed(<saga id>:<token>)": visibly sealed, bound to the saga, and checkable by tests.
class FakeTokenSealer final : public IPaymentTokenSealer {
 public:
  [[nodiscard]] std::string Seal(const core::SagaId& saga, std::string_view token) const override {
    return "sealed(" + saga.Get().ToString() + ":" + std::string(token) + ")";
  }
};

class RecordingSagaMetrics final : public ISagaMetrics {
 public:
  void Started() override { events.emplace_back("Started"); }
  void Ended(SagaState end, std::chrono::duration<double> duration) override {
    events.push_back("Ended:" + std::string(ToString(end)));
    last_duration = duration;
  }
  void CompensationStarted(const std::string& reason) override {
    events.push_back("CompensationStarted:" + reason);
  }
  void Compensated(SagaState target) override {
    events.push_back("Compensated:" + std::string(ToString(target)));
  }
  void DeadlineExpired(SagaState state) override {
    events.push_back("DeadlineExpired:" + std::string(ToString(state)));
  }
  void StepRetried(SagaCommand command) override {
    events.push_back("StepRetried:" + std::string(ToString(command)));
  }
  void StepFinished(SagaCommand step, std::chrono::duration<double> duration) override {
    events.push_back("StepFinished:" + std::string(ToString(step)));
    last_duration = duration;
  }
  void ReplyIgnored(const std::string& type) override { events.push_back("ReplyIgnored:" + type); }

  std::vector<std::string> events;
  std::chrono::duration<double> last_duration{};
};

}  // namespace saga::order::testing
