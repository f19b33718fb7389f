#pragma once
// Test builders for payments.

#include "services/payment/domain/payment.hpp"

namespace saga::payment::testing {

inline const core::Currency kEur = *core::Currency::Parse("EUR");
inline const core::Timestamp kT0 = core::FromUnixMicros(1'790'000'000'111'222);

/// A Pending payment of `amount_minor` for `order` (a fresh order by default).
inline Payment PendingPayment(std::int64_t amount_minor = 2599,
                              core::OrderId order = core::NewId<core::OrderId>(), core::Timestamp at = kT0) {
  return Payment::Create(core::NewId<core::PaymentId>(), order, core::Money(amount_minor, kEur), at).Value();
}

}  // namespace saga::payment::testing
