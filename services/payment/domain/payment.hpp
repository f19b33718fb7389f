#pragma once
// Payment aggregate: the charge of one order. Invariants, always true:
//   - Amount() > 0;
//   - TransactionId() is set (non-empty) in Completed and Refunded;
//   - ProcessedAt() is set once the gateway answered (Completed, Failed after processing);
//   - the status moves only along the table below.
//
//   Pending -> Processing | Failed
//   Processing -> Completed | Failed
//   Completed -> Refunded
//   Failed, Refunded: terminal
//
// Every accepted change records a PaymentStatusChanged event; a refused one changes nothing.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "saga/core/ids.hpp"
#include "saga/core/money.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"

namespace saga::payment {

enum class PaymentStatus { kPending, kProcessing, kCompleted, kFailed, kRefunded };

inline constexpr std::array<PaymentStatus, 5> kAllPaymentStatuses = {
    PaymentStatus::kPending, PaymentStatus::kProcessing, PaymentStatus::kCompleted, PaymentStatus::kFailed,
    PaymentStatus::kRefunded};

[[nodiscard]] bool CanTransition(PaymentStatus from, PaymentStatus to) noexcept;
[[nodiscard]] bool IsTerminal(PaymentStatus status) noexcept;
[[nodiscard]] std::string_view ToString(PaymentStatus status) noexcept;
[[nodiscard]] std::optional<PaymentStatus> ParsePaymentStatus(std::string_view text) noexcept;

enum class PaymentError {
  kInvalidAmount,         // amount must be > 0
  kMissingTransactionId,  // completing needs the gateway's transaction id
  kInvalidTransactionId,  // 1..128 printable ASCII characters
  kIllegalTransition,     // the status table forbids the move
};

[[nodiscard]] std::string_view ToString(PaymentError error) noexcept;

struct PaymentStatusChanged {
  core::PaymentId payment_id;
  core::OrderId order_id;
  PaymentStatus from;
  PaymentStatus to;
  core::Timestamp at;
};

class Payment {
 public:
  [[nodiscard]] static core::Result<Payment, PaymentError> Create(core::PaymentId id, core::OrderId order_id,
                                                                  core::Money amount, core::Timestamp now);
  /// Rebuilds a stored payment; an error when the stored data breaks an invariant.
  [[nodiscard]] static core::Result<Payment, PaymentError> Restore(
      core::PaymentId id, core::OrderId order_id, core::Money amount, PaymentStatus status,
      std::optional<std::string> transaction_id, std::optional<core::Timestamp> processed_at,
      std::optional<std::string> failure_reason, core::Timestamp created_at, core::Timestamp updated_at,
      std::int64_t version);

  /// Pending -> Processing: the charge was sent to the gateway.
  [[nodiscard]] core::Result<void, PaymentError> Process(core::Timestamp now);
  /// Processing -> Completed with the gateway's transaction id.
  [[nodiscard]] core::Result<void, PaymentError> Complete(std::string transaction_id, core::Timestamp now);
  /// Pending or Processing -> Failed with a reason (declined, insufficient funds...).
  [[nodiscard]] core::Result<void, PaymentError> Fail(std::string reason, core::Timestamp now);
  /// Completed -> Refunded.
  [[nodiscard]] core::Result<void, PaymentError> Refund(core::Timestamp now);
  /// The generic move along the table; Completed additionally needs a transaction id already set.
  [[nodiscard]] core::Result<void, PaymentError> UpdateStatus(PaymentStatus to, core::Timestamp now);

  [[nodiscard]] const core::PaymentId& Id() const noexcept { return id_; }
  [[nodiscard]] const core::OrderId& OrderId() const noexcept { return order_id_; }
  [[nodiscard]] const core::Money& Amount() const noexcept { return amount_; }
  [[nodiscard]] PaymentStatus Status() const noexcept { return status_; }
  [[nodiscard]] const std::optional<std::string>& TransactionId() const noexcept { return transaction_id_; }
  [[nodiscard]] const std::optional<core::Timestamp>& ProcessedAt() const noexcept { return processed_at_; }
  [[nodiscard]] const std::optional<std::string>& FailureReason() const noexcept { return failure_reason_; }
  [[nodiscard]] core::Timestamp CreatedAt() const noexcept { return created_at_; }
  [[nodiscard]] core::Timestamp UpdatedAt() const noexcept { return updated_at_; }
  [[nodiscard]] std::int64_t Version() const noexcept { return version_; }
  void MarkPersisted(std::int64_t new_version) noexcept { version_ = new_version; }

  [[nodiscard]] const std::vector<PaymentStatusChanged>& DomainEvents() const noexcept { return events_; }
  void ClearDomainEvents() noexcept { events_.clear(); }

 private:
  Payment(core::PaymentId id, core::OrderId order_id, core::Money amount, core::Timestamp now)
      : id_(id), order_id_(order_id), amount_(amount), created_at_(now), updated_at_(now) {}
  void MoveTo(PaymentStatus to, core::Timestamp now);

  core::PaymentId id_;
  core::OrderId order_id_;
  core::Money amount_;
  PaymentStatus status_ = PaymentStatus::kPending;
  std::optional<std::string> transaction_id_;
  std::optional<core::Timestamp> processed_at_;
  std::optional<std::string> failure_reason_;
  core::Timestamp created_at_;
  core::Timestamp updated_at_;
  std::int64_t version_ = 0;
  std::vector<PaymentStatusChanged> events_;
};

}  // namespace saga::payment
