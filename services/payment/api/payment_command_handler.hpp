#pragma once
// The Kafka handler of saga.payment.commands (consumer "payment-commands"): thin, like the REST
// handlers. It reads the command's payload (already checked against its schema by the
// ReliableConsumer's strict decoding), calls one PaymentCommands function and maps the result.
// Throws outbox::PermanentError (the message is dead-lettered) for a type this service does not
// handle and for a refused command (PaymentCommandError); lets infrastructure exceptions and
// core::ConcurrencyConflict through for the consumer to retry. Never logs the payment token.

#include "saga/contracts/envelope.hpp"
#include "services/payment/app/payment_commands.hpp"
#include "services/payment/app/payment_token_opener.hpp"

namespace saga::payment {

/// Handles one ProcessPayment or RefundPayment with `commands`, whose ports are bound to the
/// consumer's transaction.
/// ProcessPayment's token is opened with `tokens` first; one that does not open is refused
/// (dead-lettered) without a charge.
void HandlePaymentCommand(const contracts::Envelope& command, PaymentCommands& commands,
                          const IPaymentTokenOpener& tokens);

}  // namespace saga::payment
