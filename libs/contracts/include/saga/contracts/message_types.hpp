#pragma once
// The registry of every message type of the design: its schema version, kind, topic, producer,
// consumers and payload schema. The single source for Decode(), MakeEnvelope(), the golden files
// (libs/contracts/golden/) and docs/events.md (checked by a test).

#include <string>
#include <vector>

#include "saga/contracts/envelope.hpp"

namespace saga::contracts {

enum class FieldType {
  kUuid,            // canonical UUID string
  kString,          // non-empty string, at most 500 characters
  kPositiveInt,     // integer > 0
  kNonNegativeInt,  // integer >= 0
  kMoney,           // {"amountMinor": integer > 0, "currency": "EUR"}
  kTimestamp,       // RFC 3339 UTC
  kObjectArray,     // non-empty array of objects matching `children`
};

struct FieldSpec {
  std::string name;
  FieldType type;
  bool required = true;
  std::vector<FieldSpec> children;  // for kObjectArray
  std::string description;
};

/// The associated data ProcessPayment's sealed paymentToken is bound to ("sagas/<id>/payment_token"):
/// the order service seals the token for its saga (libs/crypto), only the payment service opens
/// it, and a token copied into another saga's command does not open.
[[nodiscard]] std::string PaymentTokenBinding(const core::SagaId& saga_id);

struct MessageSpec {
  std::string type;
  int version = 1;
  MessageKind kind = MessageKind::kEvent;
  std::string topic;
  std::string producer;
  std::string consumers;
  std::string description;
  std::vector<FieldSpec> fields;
};

/// Every registered (type, version).
[[nodiscard]] const std::vector<MessageSpec>& Registry();
/// The spec of (type, version), or nullptr.
[[nodiscard]] const MessageSpec* FindSpec(std::string_view type, int version) noexcept;

/// Checks `payload` against `spec` exactly (no unknown fields). Returns the first violation as
/// "payload.<path>: <reason>".
[[nodiscard]] core::Result<void, DecodeError> ValidatePayload(const MessageSpec& spec,
                                                              const nlohmann::json& payload);

/// docs/events.md as generated from the registry.
[[nodiscard]] std::string RenderEventsMarkdown();

// Topic names (deploy/kafka/topics.tsv).
inline constexpr const char* kOrderEventsTopic = "saga.order.events";
inline constexpr const char* kInventoryCommandsTopic = "saga.inventory.commands";
inline constexpr const char* kInventoryEventsTopic = "saga.inventory.events";
inline constexpr const char* kPaymentCommandsTopic = "saga.payment.commands";
inline constexpr const char* kPaymentEventsTopic = "saga.payment.events";
inline constexpr const char* kNotificationsTopic = "saga.notifications";

}  // namespace saga::contracts
