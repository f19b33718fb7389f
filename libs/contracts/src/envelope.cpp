#include "saga/contracts/envelope.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <random>
#include <set>

#include "saga/contracts/message_types.hpp"
#include "saga/core/trace_context.hpp"

namespace saga::contracts {
namespace {

core::Result<Envelope, DecodeError> Invalid(DecodeErrorCode code, std::string detail) {
  return core::Fail(DecodeError{code, std::move(detail)});
}

template <typename T>
bool ReadNumber(std::string_view text, T& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

const std::set<std::string>& EnvelopeKeys() {
  static const std::set<std::string> kKeys = {"messageId",     "type",        "schemaVersion", "kind",
                                              "correlationId", "causationId", "sagaId",        "orderId",
                                              "occurredAt",    "producer",    "traceparent",   "payload"};
  return kKeys;
}

std::optional<std::string> RequiredString(const nlohmann::json& doc, const char* key, std::size_t max = 200) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string() || it->get<std::string>().empty() ||
      it->get<std::string>().size() > max) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

template <typename Id>
std::optional<std::optional<Id>> OptionalId(const nlohmann::json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return std::optional<Id>();
  if (!it->is_string()) return std::nullopt;
  auto id = core::ParseId<Id>(it->get<std::string>());
  if (!id) return std::nullopt;
  return std::optional<Id>(*id);
}

}  // namespace

std::string_view ToString(MessageKind kind) noexcept {
  return kind == MessageKind::kCommand ? "command" : "event";
}

std::string_view ToString(DecodeErrorCode code) noexcept {
  switch (code) {
    case DecodeErrorCode::kMalformedJson:
      return "malformed-json";
    case DecodeErrorCode::kInvalidEnvelope:
      return "invalid-envelope";
    case DecodeErrorCode::kUnknownType:
      return "unknown-type";
    case DecodeErrorCode::kUnsupportedVersion:
      return "unsupported-version";
    case DecodeErrorCode::kKindMismatch:
      return "kind-mismatch";
    case DecodeErrorCode::kInvalidPayload:
      return "invalid-payload";
  }
  return "unknown";
}

std::string DecodeError::Reason() const {
  return std::string(ToString(code)) + ": " + detail;
}

std::string NewTraceparent(const core::Uuid& trace_id) {
  return core::TraceContext::ForTrace(trace_id).ToTraceparent();
}

nlohmann::json MoneyJson(const core::Money& money) {
  return {{"amountMinor", money.MinorUnits()}, {"currency", money.GetCurrency().Code()}};
}

bool IsValidTraceparent(std::string_view tp) noexcept {
  return tp.size() == 55 && tp.substr(0, 2) == "00" && core::TraceContext::Parse(tp).has_value();
}

std::optional<core::Timestamp> ParseRfc3339(std::string_view text) noexcept {
  // YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z
  if (text.size() < 20 || text.back() != 'Z' || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadNumber(text.substr(0, 4), year) || !ReadNumber(text.substr(5, 2), month) ||
      !ReadNumber(text.substr(8, 2), day) || !ReadNumber(text.substr(11, 2), hour) ||
      !ReadNumber(text.substr(14, 2), minute) || !ReadNumber(text.substr(17, 2), second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  std::int64_t micros = 0;
  const auto rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 7) return std::nullopt;
    const auto digits = rest.substr(1);
    if (!ReadNumber(digits, micros) || digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    for (std::size_t i = digits.size(); i < 6; ++i) micros *= 10;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t secs = timegm(&tm);
  if (tm.tm_mday != day) return std::nullopt;  // e.g. February 30 normalised away
  return core::FromUnixMicros(static_cast<std::int64_t>(secs) * 1000000 + micros);
}

std::string Encode(const Envelope& e) {
  nlohmann::json doc = {
      {"messageId", e.message_id.Get().ToString()},
      {"type", e.type},
      {"schemaVersion", e.schema_version},
      {"kind", ToString(e.kind)},
      {"correlationId", e.correlation_id},
      {"causationId",
       e.causation_id ? nlohmann::json(e.causation_id->Get().ToString()) : nlohmann::json(nullptr)},
      {"sagaId", e.saga_id ? nlohmann::json(e.saga_id->Get().ToString()) : nlohmann::json(nullptr)},
      {"orderId", e.order_id.Get().ToString()},
      {"occurredAt", core::ToRfc3339(e.occurred_at)},
      {"producer", e.producer},
      {"traceparent", e.traceparent},
      {"payload", e.payload},
  };
  return doc.dump();
}

core::Result<Envelope, DecodeError> Decode(std::string_view bytes) {
  nlohmann::json doc = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Invalid(DecodeErrorCode::kMalformedJson, "the message is not valid JSON");
  if (!doc.is_object()) return Invalid(DecodeErrorCode::kMalformedJson, "the message is not a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (EnvelopeKeys().count(key) == 0)
      return Invalid(DecodeErrorCode::kInvalidEnvelope, key + ": unknown field");
  }
  Envelope e;
  auto message_id = core::ParseId<core::MessageId>(RequiredString(doc, "messageId").value_or(""));
  if (!message_id) return Invalid(DecodeErrorCode::kInvalidEnvelope, "messageId: expected a uuid");
  e.message_id = *message_id;
  auto type = RequiredString(doc, "type", 100);
  if (!type) return Invalid(DecodeErrorCode::kInvalidEnvelope, "type: expected a string");
  e.type = *type;
  auto version = doc.find("schemaVersion");
  if (version == doc.end() || !version->is_number_integer() || version->get<std::int64_t>() < 1 ||
      version->get<std::int64_t>() > 1000) {
    return Invalid(DecodeErrorCode::kInvalidEnvelope, "schemaVersion: expected a positive integer");
  }
  e.schema_version = version->get<int>();
  auto kind = RequiredString(doc, "kind");
  if (!kind || (*kind != "event" && *kind != "command")) {
    return Invalid(DecodeErrorCode::kInvalidEnvelope, "kind: expected \"event\" or \"command\"");
  }
  e.kind = *kind == "command" ? MessageKind::kCommand : MessageKind::kEvent;
  auto correlation = RequiredString(doc, "correlationId");
  if (!correlation) return Invalid(DecodeErrorCode::kInvalidEnvelope, "correlationId: expected a string");
  e.correlation_id = *correlation;
  auto causation = OptionalId<core::MessageId>(doc, "causationId");
  if (!causation) return Invalid(DecodeErrorCode::kInvalidEnvelope, "causationId: expected a uuid or null");
  e.causation_id = *causation;
  auto saga = OptionalId<core::SagaId>(doc, "sagaId");
  if (!saga) return Invalid(DecodeErrorCode::kInvalidEnvelope, "sagaId: expected a uuid or null");
  e.saga_id = *saga;
  auto order = core::ParseId<core::OrderId>(RequiredString(doc, "orderId").value_or(""));
  if (!order) return Invalid(DecodeErrorCode::kInvalidEnvelope, "orderId: expected a uuid");
  e.order_id = *order;
  auto occurred = ParseRfc3339(RequiredString(doc, "occurredAt").value_or(""));
  if (!occurred)
    return Invalid(DecodeErrorCode::kInvalidEnvelope, "occurredAt: expected an RFC 3339 UTC timestamp");
  e.occurred_at = *occurred;
  auto producer = RequiredString(doc, "producer", 100);
  if (!producer) return Invalid(DecodeErrorCode::kInvalidEnvelope, "producer: expected a string");
  e.producer = *producer;
  auto traceparent = RequiredString(doc, "traceparent", 100);
  if (!traceparent || !IsValidTraceparent(*traceparent)) {
    return Invalid(DecodeErrorCode::kInvalidEnvelope, "traceparent: expected a W3C traceparent");
  }
  e.traceparent = *traceparent;
  auto payload = doc.find("payload");
  if (payload == doc.end() || !payload->is_object()) {
    return Invalid(DecodeErrorCode::kInvalidEnvelope, "payload: expected an object");
  }
  e.payload = *payload;

  const MessageSpec* spec = FindSpec(e.type, e.schema_version);
  if (spec == nullptr) {
    for (const auto& known : Registry()) {
      if (known.type == e.type) {
        return Invalid(DecodeErrorCode::kUnsupportedVersion,
                       e.type + " version " + std::to_string(e.schema_version) + " is not supported");
      }
    }
    return Invalid(DecodeErrorCode::kUnknownType, "no message type '" + e.type + "'");
  }
  if (spec->kind != e.kind) {
    return Invalid(DecodeErrorCode::kKindMismatch, e.type + " is a " + std::string(ToString(spec->kind)));
  }
  auto valid = ValidatePayload(*spec, e.payload);
  if (!valid) return core::Fail(valid.Error());
  if (e.payload.contains("orderId") &&
      e.payload["orderId"].get<std::string>() != e.order_id.Get().ToString()) {
    return Invalid(DecodeErrorCode::kInvalidPayload, "payload.orderId differs from the envelope's orderId");
  }
  return e;
}

core::Result<Envelope, DecodeError> MakeEnvelope(std::string_view type, nlohmann::json payload,
                                                 const EnvelopeContext& context) {
  const MessageSpec* spec = nullptr;
  for (const auto& candidate : Registry()) {
    if (candidate.type == type && (spec == nullptr || candidate.version > spec->version)) spec = &candidate;
  }
  if (spec == nullptr)
    return Invalid(DecodeErrorCode::kUnknownType, "no message type '" + std::string(type) + "'");
  auto valid = ValidatePayload(*spec, payload);
  if (!valid) return core::Fail(valid.Error());
  Envelope e;
  e.message_id = core::NewId<core::MessageId>();
  e.type = spec->type;
  e.schema_version = spec->version;
  e.kind = spec->kind;
  e.correlation_id = context.correlation_id;
  e.causation_id = context.causation_id;
  e.saga_id = context.saga_id;
  e.order_id = context.order_id;
  e.occurred_at = context.occurred_at;
  e.producer = context.producer;
  e.traceparent = context.traceparent;
  e.payload = std::move(payload);
  return e;
}

}  // namespace saga::contracts
