#pragma once
// The envelope every message on Kafka carries, and its strict, allow-listed decoding.
//
// Wire format (JSON object, camelCase, one message per Kafka record):
//   {"messageId": uuid, "type": "OrderCreated", "schemaVersion": 1, "kind": "event"|"command",
//    "correlationId": string, "causationId": uuid|null, "sagaId": uuid|null, "orderId": uuid,
//    "occurredAt": RFC 3339 UTC, "producer": "order-service", "traceparent": W3C string,
//    "payload": {...}}
// Kafka key: the order id, so every message of one order stays in order on one partition.
// Headers repeat message-id, type, schema-version and traceparent for routing and tracing
// without parsing the body.
//
// Decode() accepts only (type, schemaVersion) pairs of the registry (message_types.hpp) whose
// payload matches the registered schema exactly: unknown types, versions or fields, missing or
// mistyped fields and malformed JSON are DecodeErrors (a consumer sends those to the DLQ).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "saga/core/ids.hpp"
#include "saga/core/money.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"

namespace saga::contracts {

enum class MessageKind { kCommand, kEvent };

[[nodiscard]] std::string_view ToString(MessageKind kind) noexcept;

struct Envelope {
  core::MessageId message_id;
  std::string type;
  int schema_version = 1;
  MessageKind kind = MessageKind::kEvent;
  std::string correlation_id;
  std::optional<core::MessageId> causation_id;
  std::optional<core::SagaId> saga_id;
  core::OrderId order_id;
  core::Timestamp occurred_at;
  std::string producer;
  std::string traceparent;
  nlohmann::json payload = nlohmann::json::object();
};

enum class DecodeErrorCode {
  kMalformedJson,       // not JSON, or not an object
  kInvalidEnvelope,     // an envelope field missing, mistyped or malformed
  kUnknownType,         // type not in the registry
  kUnsupportedVersion,  // type known, schemaVersion not
  kKindMismatch,        // "kind" differs from the registered kind of the type
  kInvalidPayload,      // payload does not match the schema (missing, mistyped or unknown field)
};

[[nodiscard]] std::string_view ToString(DecodeErrorCode code) noexcept;

struct DecodeError {
  DecodeErrorCode code;
  std::string detail;  // e.g. "payload.items[0].quantity: expected a positive integer"
  /// "<code>: <detail>", what the DLQ records as the reason.
  [[nodiscard]] std::string Reason() const;
};

/// Serialises an envelope (keys sorted, compact). The payload is written as given: build
/// envelopes with MakeEnvelope() so it is checked against the registry.
[[nodiscard]] std::string Encode(const Envelope& envelope);

/// Strict decoding; never throws.
[[nodiscard]] core::Result<Envelope, DecodeError> Decode(std::string_view bytes);

/// A new envelope for a registered type, with a fresh message id. Checks `payload` against the
/// schema; a mismatch is a programmer error reported as DecodeError (kInvalidPayload /
/// kUnknownType) so tests catch it.
struct EnvelopeContext {
  std::string correlation_id;
  std::optional<core::MessageId> causation_id;
  std::optional<core::SagaId> saga_id;
  core::OrderId order_id;
  std::string producer;
  std::string traceparent;
  core::Timestamp occurred_at;
};
[[nodiscard]] core::Result<Envelope, DecodeError> MakeEnvelope(std::string_view type, nlohmann::json payload,
                                                               const EnvelopeContext& context);

/// A new W3C traceparent for trace `trace_id` (its 32 hex digits) with a random span id:
/// "00-<trace>-<span>-01". Messages that start a trace use it; replies copy the command's.
[[nodiscard]] std::string NewTraceparent(const core::Uuid& trace_id);

/// The wire form of money in payloads: {"amountMinor": 1999, "currency": "EUR"}.
[[nodiscard]] nlohmann::json MoneyJson(const core::Money& money);

/// True for a version-00 W3C traceparent "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>"
/// (lowercase hex, non-zero ids); see core::TraceContext.
[[nodiscard]] bool IsValidTraceparent(std::string_view traceparent) noexcept;

/// Parses RFC 3339 UTC timestamps as Encode writes them ("...T...Z", 0-6 fraction digits).
[[nodiscard]] std::optional<core::Timestamp> ParseRfc3339(std::string_view text) noexcept;

}  // namespace saga::contracts
