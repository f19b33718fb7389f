#pragma once
// Hand-written fakes of the payment service's ports, with controls for tests.

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>
#include "services/payment/app/payment_token_opener.hpp"

#include "saga/core/errors.hpp"
#include "saga/outbox/message_outbox.hpp"
#include "saga/pg/errors.hpp"
#include "services/payment/app/order_directory.hpp"
#include "services/payment/app/payment_gateway.hpp"
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

/// Records what was published, in order.
class RecordingOutbox final : public outbox::IMessageOutbox {
 public:
  void Publish(const std::string& topic, const contracts::Envelope& envelope) override {
    published.emplace_back(topic, envelope);
  }
  std::vector<std::pair<std::string, contracts::Envelope>> published;
};

/// Answers every charge with `charge_outcome` ("fake_<payment id>" when approved) and every refund
/// with `refund_outcome`; counts the calls and keeps the requests (tokens included: tests only).
class FakePaymentGateway final : public IPaymentGateway {
 public:
  [[nodiscard]] ChargeResult Charge(const ChargeRequest& request) override {
    std::lock_guard lock(mu_);
    charges.push_back(request);
    if (charge_outcome != ChargeOutcome::kApproved) return {charge_outcome, {}};
    return {ChargeOutcome::kApproved, "fake_" + request.payment_id.Get().ToString()};
  }
  [[nodiscard]] RefundResult Refund(const std::string& transaction_id, const core::Money& amount) override {
    std::lock_guard lock(mu_);
    refunds.emplace_back(transaction_id, amount);
    if (refund_outcome != RefundOutcome::kRefunded) return {refund_outcome, {}};
    return {RefundOutcome::kRefunded, "fakeref_" + transaction_id};
  }

  ChargeOutcome charge_outcome = ChargeOutcome::kApproved;
  RefundOutcome refund_outcome = RefundOutcome::kRefunded;
  std::vector<ChargeRequest> charges;
  std::vector<std::pair<std::string, core::Money>> refunds;

 private:
  std::mutex mu_;
};

/// Opens "sealed(<saga id>:<token>)" for that saga only (the order service's FakeTokenSealer).
class FakeTokenOpener final : public IPaymentTokenOpener {
 public:
  [[nodiscard]] std::optional<std::string> Open(const std::optional<core::SagaId>& saga,
                                                std::string_view sealed) const override {
    if (!saga) return std::nullopt;
    const auto prefix = "sealed(" + saga->Get().ToString() + ":";
    if (sealed.rfind(prefix, 0) != 0 || sealed.back() != ')') return std::nullopt;
    return std::string(sealed.substr(prefix.size(), sealed.size() - prefix.size() - 1));
  }
  static std::string Seal(const core::SagaId& saga, const std::string& token) {
    return "sealed(" + saga.Get().ToString() + ":" + token + ")";
  }
};

}  // namespace saga::payment::testing
