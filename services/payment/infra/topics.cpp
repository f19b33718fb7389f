#include "services/payment/infra/topics.hpp"

namespace saga::payment {

std::vector<std::string> RequiredTopics() {
  return {"saga.payment.commands", "saga.payment.events", "saga.payment.commands.dlq"};
}

}  // namespace saga::payment
