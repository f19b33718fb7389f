#include "services/inventory/app/stock_messages.hpp"

#include <stdexcept>

#include "saga/contracts/message_types.hpp"

namespace saga::inventory {

MessageOrigin OriginOf(const contracts::Envelope& command) {
  return MessageOrigin{command.correlation_id, command.message_id, command.saga_id, command.traceparent};
}

MessageOrigin NewOrigin(const std::string& traceparent) {
  return MessageOrigin{core::Uuid::Random().ToString(), std::nullopt, std::nullopt,
                       contracts::IsValidTraceparent(traceparent) ? traceparent
                                                                  : contracts::NewTraceparent(core::Uuid::Random())};
}

contracts::Envelope BuildMessage(std::string_view type, nlohmann::json payload, const MessageOrigin& origin,
                                 const core::OrderId& key, core::Timestamp now) {
  auto envelope = contracts::MakeEnvelope(
      type, std::move(payload),
      contracts::EnvelopeContext{origin.correlation_id, origin.causation_id, origin.saga_id, key,
                                 std::string(kProducer), origin.traceparent, now});
  if (!envelope) throw std::logic_error(std::string(type) + ": " + envelope.Error().Reason());
  return std::move(envelope).Value();
}

void PublishStockWrites(outbox::IMessageOutbox& outbox, const std::vector<StockWrite>& writes,
                        const MessageOrigin& origin, core::Timestamp now) {
  for (const auto& write : writes) {
    const core::OrderId by_product(write.product_id.Get());
    const std::string product = write.product_id.Get().ToString();
    outbox.Publish(contracts::kInventoryEventsTopic,
                   BuildMessage("StockUpdated",
                                {{"productId", product},
                                 {"quantity", write.quantity},
                                 {"reserved", write.reserved},
                                 {"available", write.Available()}},
                                origin, write.order_id.value_or(by_product), now));
    const bool crossed = write.available_before && *write.available_before >= write.low_stock_threshold &&
                         write.Available() < write.low_stock_threshold;
    if (crossed) {
      outbox.Publish(contracts::kNotificationsTopic, BuildMessage("LowStockNotification",
                                                                  {{"productId", product},
                                                                   {"sku", write.sku},
                                                                   {"available", write.Available()},
                                                                   {"threshold", write.low_stock_threshold}},
                                                                  origin, by_product, now));
    }
  }
}

}  // namespace saga::inventory
