#include "services/payment/api/payment_command_handler.hpp"

#include <spdlog/spdlog.h>

#include "saga/outbox/reliable_consumer.hpp"

namespace saga::payment {
namespace {

core::Money MoneyOf(const nlohmann::json& json) {
  const auto currency = core::Currency::Parse(json.at("currency").get<std::string>());
  if (!currency) throw outbox::PermanentError("payload.amount.currency: unknown currency");
  return core::Money(json.at("amountMinor").get<std::int64_t>(), *currency);
}

[[noreturn]] void Refused(const contracts::Envelope& command, PaymentCommandError error) {
  throw outbox::PermanentError(command.type + " refused: " + std::string(ToString(error)));
}

}  // namespace

void HandlePaymentCommand(const contracts::Envelope& command, PaymentCommands& commands,
                          const IPaymentTokenOpener& tokens) {
  const auto& payload = command.payload;
  if (command.type == "ProcessPayment") {
    auto token = tokens.Open(command.saga_id, payload.at("paymentToken").get<std::string>());
    if (!token)
      throw outbox::PermanentError("ProcessPayment refused: its payment token does not open for this saga");
    const ProcessPaymentCommand process{command.order_id, MoneyOf(payload.at("amount")), std::move(*token)};
    auto result = commands.ProcessPayment(process, command);
    if (!result) Refused(command, result.Error());
    spdlog::info("ProcessPayment: payment {} is {}", result.Value().Id().Get().ToString(),
                 ToString(result.Value().Status()));
    return;
  }
  if (command.type == "RefundPayment") {
    const RefundPaymentCommand refund{command.order_id, payload.at("reason").get<std::string>()};
    auto result = commands.RefundPayment(refund, command);
    if (!result) Refused(command, result.Error());
    spdlog::info("RefundPayment ({}): {}", refund.reason,
                 result.Value() ? "payment " + result.Value()->Id().Get().ToString() + " refunded"
                                : std::string("nothing was charged"));
    return;
  }
  throw outbox::PermanentError("payment-commands does not handle " + command.type);
}

}  // namespace saga::payment
