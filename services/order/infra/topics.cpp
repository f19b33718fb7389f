#include "services/order/infra/topics.hpp"

namespace saga::order {

std::vector<std::string> RequiredTopics() {
  return {"saga.order.events",         "saga.inventory.commands", "saga.payment.commands",
          "saga.inventory.events",     "saga.payment.events",     "saga.notifications",
          "saga.inventory.events.dlq", "saga.payment.events.dlq"};
}

}  // namespace saga::order
