#pragma once
// Hand-written fakes of the payment service's ports, with controls for tests.

#include <map>
#include <mutex>

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"
#include "services/payment/app/order_directory.hpp"
#include "services/payment/domain/payment_repository.hpp"

namespace saga::payment::testing {

/// In memory, with the PostgreSQL repository's contract: versions checked; duplicate ids, a
/// second live payment of an order and a reused transaction id refused with the constraint
/// names the schema uses.
class FakePaymentRepository final : public IPaymentRepository {
 public:
  void Create(Payment& payment) override {
    std::lock_guard lock(mu_);
    if (payments_.count(payment.Id()) != 0) throw pg::ConstraintViolation("dup", "23505", "payments_pkey");
    for (const auto& [id, other] : payments_) {
      if (other.OrderId() == payment.OrderId() && other.Status() != PaymentStatus::kFailed) {
        throw pg::ConstraintViolation("live", "23505", "payments_one_live_per_order");
      }
    }
    payment.MarkPersisted(1);
    payments_.emplace(payment.Id(), payment);
  }
  void Update(Payment& payment) override {
    std::lock_guard lock(mu_);
    auto it = payments_.find(payment.Id());
    if (it == payments_.end() || it->second.Version() != payment.Version())
      throw core::ConcurrencyConflict("stale");
    for (const auto& [id, other] : payments_) {
      if (id != payment.Id() && payment.TransactionId() && other.TransactionId() == payment.TransactionId()) {
        throw pg::ConstraintViolation("tx", "23505", "payments_transaction_id_key");
      }
    }
    payment.MarkPersisted(payment.Version() + 1);
    it->second = payment;
  }
  [[nodiscard]] std::optional<Payment> Get(const core::PaymentId& id) override {
    std::lock_guard lock(mu_);
    auto it = payments_.find(id);
    return it == payments_.end() ? std::nullopt : std::optional<Payment>(it->second);
  }
  [[nodiscard]] std::vector<Payment> GetByOrderId(const core::OrderId& order_id) override {
    std::lock_guard lock(mu_);
    std::vector<Payment> out;
    for (const auto& [id, payment] : payments_) {
      if (payment.OrderId() == order_id) out.push_back(payment);
    }
    return out;
  }
  [[nodiscard]] std::optional<Payment> GetByTransactionId(const std::string& transaction_id) override {
    std::lock_guard lock(mu_);
    for (const auto& [id, payment] : payments_) {
      if (payment.TransactionId() == transaction_id) return payment;
    }
    return std::nullopt;
  }
  [[nodiscard]] core::Page<Payment> List(const PaymentFilter&, const core::PageRequest&) override {
    return {};
  }

 private:
  std::mutex mu_;
  std::map<core::PaymentId, Payment> payments_;
};

class FakeOrderDirectory final : public IOrderDirectory {
 public:
  [[nodiscard]] std::optional<OrderSummary> Find(const core::OrderId& order_id) override {
    auto it = orders.find(order_id);
    return it == orders.end() ? std::nullopt : std::optional<OrderSummary>(it->second);
  }
  std::map<core::OrderId, OrderSummary> orders;
};

}  // namespace saga::payment::testing
