#include "services/inventory/infra/pg_message_outbox.hpp"

#include "saga/outbox/outbox.hpp"

namespace saga::inventory {

void PgMessageOutbox::Publish(const std::string& topic, const contracts::Envelope& envelope) {
  (void)outbox::Append(tx_, topic, envelope);
}

}  // namespace saga::inventory
