#include "services/payment/infra/simulated_gateway.hpp"

#include <string_view>
#include <thread>

#include "saga/core/errors.hpp"

namespace saga::payment {
namespace {

constexpr std::string_view kApprove = "tok_sim_approve";
constexpr std::string_view kDecline = "tok_sim_decline";
constexpr std::string_view kInsufficientFunds = "tok_sim_insufficient_funds";
constexpr std::string_view kTimeout = "tok_sim_timeout";
constexpr std::string_view kSlow = "tok_sim_slow";

ChargeResult Outcome(ChargeOutcome outcome) {
  return ChargeResult{outcome, {}};
}

ChargeResult Approved(const core::PaymentId& payment_id) {
  return ChargeResult{ChargeOutcome::kApproved, "sim_" + payment_id.Get().ToString()};
}

}  // namespace

void SimulatedGatewayConfig::Validate() const {
  if (timeout.count() <= 0) throw core::ConfigError("gateway.timeout_ms must be positive");
  if (slow.count() <= 0) throw core::ConfigError("gateway.slow_ms must be positive");
}

SimulatedGateway::SimulatedGateway(SimulatedGatewayConfig config, Sleep sleep)
    : config_(config), sleep_(std::move(sleep)) {
  config_.Validate();
  if (!sleep_) sleep_ = [](std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); };
}

ChargeResult SimulatedGateway::Charge(const ChargeRequest& request) {
  // Checked first so a card number is compared with nothing and goes nowhere.
  if (ContainsCardNumber(request.token)) return Outcome(ChargeOutcome::kInvalidToken);
  const std::string_view token = request.token;
  if (token == kApprove) return Approved(request.payment_id);
  if (token == kDecline) return Outcome(ChargeOutcome::kDeclined);
  if (token == kInsufficientFunds) return Outcome(ChargeOutcome::kInsufficientFunds);
  if (token == kTimeout) {
    sleep_(config_.timeout);
    return Outcome(ChargeOutcome::kTimeout);
  }
  if (token == kSlow) {
    if (config_.slow >= config_.timeout) {
      sleep_(config_.timeout);
      return Outcome(ChargeOutcome::kTimeout);
    }
    sleep_(config_.slow);
    return Approved(request.payment_id);
  }
  return Outcome(ChargeOutcome::kInvalidToken);
}

RefundResult SimulatedGateway::Refund(const std::string& transaction_id, const core::Money& amount) {
  if (transaction_id.empty() || amount.MinorUnits() <= 0) return RefundResult{RefundOutcome::kRejected, {}};
  return RefundResult{RefundOutcome::kRefunded, "simref_" + transaction_id};
}

}  // namespace saga::payment
