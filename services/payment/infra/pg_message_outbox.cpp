#include "services/payment/infra/pg_message_outbox.hpp"

#include "saga/outbox/outbox.hpp"

namespace saga::payment {

void PgMessageOutbox::Publish(const std::string& topic, const contracts::Envelope& envelope) {
  static_cast<void>(outbox::Append(tx_, topic, envelope));
}

}  // namespace saga::payment
