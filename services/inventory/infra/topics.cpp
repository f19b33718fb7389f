#include "services/inventory/infra/topics.hpp"

namespace saga::inventory {

std::vector<std::string> RequiredTopics() {
  return {"saga.inventory.commands", "saga.inventory.events", "saga.inventory.commands.dlq",
          "saga.notifications"};
}

}  // namespace saga::inventory
