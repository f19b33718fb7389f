#pragma once
// The integration events the inventory publishes, and where their envelopes come from.
//
// Every stock change is announced: one StockUpdated (saga.inventory.events) per stock row write,
// keyed by the order that caused it, or by the product when no order did; and a
// LowStockNotification (saga.notifications, keyed by the product) when a write takes the
// product's available units from >= its low-stock threshold to below it (a product created
// below its threshold crossed nothing, so it is not announced).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "saga/contracts/envelope.hpp"
#include "saga/core/ids.hpp"
#include "saga/core/time.hpp"
#include "saga/outbox/message_outbox.hpp"
#include "services/inventory/domain/inventory_repository.hpp"

namespace saga::inventory {

/// The envelope `producer` of everything this service publishes.
inline constexpr std::string_view kProducer = "inventory-service";

/// What the envelopes of the messages a change causes carry from its cause.
struct MessageOrigin {
  std::string correlation_id;
  std::optional<core::MessageId> causation_id;
  std::optional<core::SagaId> saga_id;
  std::string traceparent;
};

/// The origin of the replies to `command`: its correlation id, saga id and traceparent, and
/// the command's message id as the causation id.
[[nodiscard]] MessageOrigin OriginOf(const contracts::Envelope& command);
/// The origin of a change no message caused (a REST call, an expiry): a new correlation id, and
/// `traceparent` (the request's span) or, when it is not a valid one, a new trace.
[[nodiscard]] MessageOrigin NewOrigin(const std::string& traceparent = {});

/// A registered message with a fresh id, keyed by `key`. A payload that does not match the
/// registered schema is a programmer error: throws std::logic_error.
[[nodiscard]] contracts::Envelope BuildMessage(std::string_view type, nlohmann::json payload,
                                               const MessageOrigin& origin, const core::OrderId& key,
                                               core::Timestamp now);

/// Publishes the messages of `writes` (see above), in order.
void PublishStockWrites(outbox::IMessageOutbox& outbox, const std::vector<StockWrite>& writes,
                        const MessageOrigin& origin, core::Timestamp now);

}  // namespace saga::inventory
