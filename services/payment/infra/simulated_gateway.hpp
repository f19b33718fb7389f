#pragma once
// SimulatedGateway: the built-in, deterministic IPaymentGateway. The token decides the outcome:
//
//   tok_sim_approve             approved, transaction id "sim_<payment id>"
//   tok_sim_decline             declined
//   tok_sim_insufficient_funds  insufficient funds
//   tok_sim_timeout             no answer within `timeout`: kTimeout after waiting `timeout`,
//                               no money taken
//   tok_sim_slow                approved after waiting `slow` (kTimeout after `timeout` when
//                               slow >= timeout)
//   a card number (13+ digits)  kInvalidToken at once; never stored or logged
//   anything else               kInvalidToken
//
// A repeated charge of one payment answers the same transaction id. Refund() returns
// "simref_<transaction id>" for any non-empty transaction id and positive amount (the same id
// when repeated), else kRejected. Stateless, so thread-safe; waiting goes through the injected
// `sleep` so tests need not wait.

#include <chrono>
#include <functional>

#include "services/payment/app/payment_gateway.hpp"

namespace saga::payment {

/// Config keys gateway.*, read once in main.cpp.
struct SimulatedGatewayConfig {
  /// gateway.timeout_ms: how long a charge may take before it counts as unanswered.
  std::chrono::milliseconds timeout{2000};
  /// gateway.slow_ms: how long tok_sim_slow takes to approve.
  std::chrono::milliseconds slow{1500};
  /// Throws core::ConfigError unless both are positive.
  void Validate() const;
};

class SimulatedGateway final : public IPaymentGateway {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;

  /// `sleep` waits for the simulated gateway latency (default: std::this_thread::sleep_for).
  explicit SimulatedGateway(SimulatedGatewayConfig config, Sleep sleep = {});

  [[nodiscard]] ChargeResult Charge(const ChargeRequest& request) override;
  [[nodiscard]] RefundResult Refund(const std::string& transaction_id, const core::Money& amount) override;

 private:
  SimulatedGatewayConfig config_;
  Sleep sleep_;
};

}  // namespace saga::payment
