// Strict decoding: every kind of bad input is a typed DecodeError naming the field, never an
// exception or a crash; good input round-trips.
#include "saga/contracts/envelope.hpp"

#include <gtest/gtest.h>

#include <random>

#include "saga/contracts/message_types.hpp"

namespace saga::contracts {
namespace {

using nlohmann::json;

EnvelopeContext Context() {
  EnvelopeContext c;
  c.correlation_id = "c-1";
  c.order_id = core::NewId<core::OrderId>();
  c.producer = "order-service";
  c.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  c.occurred_at = core::FromUnixMicros(1'790'000'000'000'001);
  return c;
}

json ValidDoc() {
  auto context = Context();
  auto e =
      MakeEnvelope("OrderCancelled",
                   {{"orderId", context.order_id.Get().ToString()}, {"reason", "changed mind"}}, context);
  EXPECT_TRUE(e.HasValue());
  return json::parse(Encode(e.Value()));
}

TEST(EnvelopeTest, RoundTripsExactly) {
  auto context = Context();
  context.saga_id = core::NewId<core::SagaId>();
  auto made = MakeEnvelope("CommitInventory", {{"orderId", context.order_id.Get().ToString()}}, context);
  ASSERT_TRUE(made.HasValue());
  EXPECT_EQ(made.Value().kind, MessageKind::kCommand);
  const auto bytes = Encode(made.Value());
  auto decoded = Decode(bytes);
  ASSERT_TRUE(decoded.HasValue()) << decoded.Error().Reason();
  EXPECT_EQ(decoded.Value().message_id, made.Value().message_id);
  EXPECT_EQ(decoded.Value().saga_id, context.saga_id);
  EXPECT_FALSE(decoded.Value().causation_id.has_value());
  EXPECT_EQ(decoded.Value().occurred_at, context.occurred_at);
  EXPECT_EQ(Encode(decoded.Value()), bytes);
}

TEST(EnvelopeTest, RejectsBadInputWithTheReason) {
  struct Case {
    std::function<void(json&)> mutate;
    DecodeErrorCode code;
    std::string detail;
  };
  const Case cases[] = {
      {[](json& d) { d.erase("messageId"); }, DecodeErrorCode::kInvalidEnvelope, "messageId"},
      {[](json& d) { d["messageId"] = "not-a-uuid"; }, DecodeErrorCode::kInvalidEnvelope, "messageId"},
      {[](json& d) { d["type"] = 5; }, DecodeErrorCode::kInvalidEnvelope, "type"},
      {[](json& d) { d["schemaVersion"] = "1"; }, DecodeErrorCode::kInvalidEnvelope, "schemaVersion"},
      {[](json& d) { d["kind"] = "query"; }, DecodeErrorCode::kInvalidEnvelope, "kind"},
      {[](json& d) { d["correlationId"] = ""; }, DecodeErrorCode::kInvalidEnvelope, "correlationId"},
      {[](json& d) { d["causationId"] = 7; }, DecodeErrorCode::kInvalidEnvelope, "causationId"},
      {[](json& d) { d["occurredAt"] = "yesterday"; }, DecodeErrorCode::kInvalidEnvelope, "occurredAt"},
      {[](json& d) { d["occurredAt"] = "2026-02-30T00:00:00Z"; }, DecodeErrorCode::kInvalidEnvelope,
       "occurredAt"},
      {[](json& d) { d["traceparent"] = "00-0000-00"; }, DecodeErrorCode::kInvalidEnvelope, "traceparent"},
      {[](json& d) { d["extra"] = true; }, DecodeErrorCode::kInvalidEnvelope, "extra: unknown field"},
      {[](json& d) { d["payload"] = json::array(); }, DecodeErrorCode::kInvalidEnvelope, "payload"},
      {[](json& d) { d["type"] = "OrderShipped"; }, DecodeErrorCode::kUnknownType, "OrderShipped"},
      {[](json& d) { d["schemaVersion"] = 2; }, DecodeErrorCode::kUnsupportedVersion, "version 2"},
      {[](json& d) { d["kind"] = "command"; }, DecodeErrorCode::kKindMismatch, "is a event"},
      {[](json& d) { d["payload"].erase("reason"); }, DecodeErrorCode::kInvalidPayload,
       "payload.reason: required"},
      {[](json& d) { d["payload"]["reason"] = 3; }, DecodeErrorCode::kInvalidPayload,
       "payload.reason: expected string"},
      {[](json& d) { d["payload"]["admin"] = true; }, DecodeErrorCode::kInvalidPayload,
       "payload.admin: unknown field"},
      {[](json& d) { d["payload"]["orderId"] = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"; },
       DecodeErrorCode::kInvalidPayload, "differs from the envelope"},
  };
  for (const auto& c : cases) {
    auto doc = ValidDoc();
    c.mutate(doc);
    auto decoded = Decode(doc.dump());
    ASSERT_FALSE(decoded.HasValue()) << doc.dump();
    EXPECT_EQ(decoded.Error().code, c.code) << decoded.Error().Reason();
    EXPECT_NE(decoded.Error().detail.find(c.detail), std::string::npos) << decoded.Error().Reason();
  }
}

TEST(EnvelopeTest, NestedPayloadErrorsNameThePath) {
  auto context = Context();
  const auto order = context.order_id.Get().ToString();
  const json money = {{"amountMinor", 100}, {"currency", "EUR"}};
  struct Case {
    json payload;
    std::string detail;
  };
  const Case cases[] = {
      {{{"orderId", order}, {"items", json::array()}, {"expiresAt", "2026-11-24T12:00:00Z"}},
       "payload.items: expected 1-100"},
      {{{"orderId", order},
        {"items", json::array({{{"productId", order}, {"quantity", 0}}})},
        {"expiresAt", "2026-11-24T12:00:00Z"}},
       "payload.items[0].quantity"},
      {{{"orderId", order},
        {"items", json::array({{{"productId", order}, {"quantity", 1}, {"price", 5}}})},
        {"expiresAt", "2026-11-24T12:00:00Z"}},
       "payload.items[0].price: unknown field"},
  };
  for (const auto& c : cases) {
    auto e = MakeEnvelope("ReserveInventory", c.payload, context);
    ASSERT_FALSE(e.HasValue()) << c.payload.dump();
    EXPECT_NE(e.Error().detail.find(c.detail), std::string::npos) << e.Error().Reason();
  }
  auto bad_money = MakeEnvelope(
      "ProcessPayment",
      {{"orderId", order}, {"amount", {{"amountMinor", -1}, {"currency", "EUR"}}}, {"paymentToken", "t"}},
      context);
  ASSERT_FALSE(bad_money.HasValue());
  EXPECT_NE(bad_money.Error().detail.find("payload.amount.amountMinor"), std::string::npos)
      << bad_money.Error().Reason();
  auto money_extra = MakeEnvelope("ProcessPayment",
                                  {{"orderId", order},
                                   {"amount", {{"amountMinor", 1}, {"currency", "EUR"}, {"fx", 1}}},
                                   {"paymentToken", "t"}},
                                  context);
  EXPECT_FALSE(money_extra.HasValue());
  EXPECT_TRUE(
      MakeEnvelope("ProcessPayment", {{"orderId", order}, {"amount", money}, {"paymentToken", "t"}}, context)
          .HasValue());
}

TEST(EnvelopeTest, GarbageNeverThrows) {
  for (const char* bytes : {"", "null", "[]", "{", "\"x\"", "{\"messageId\": null}", "\xff\xfe", "{}"}) {
    auto decoded = Decode(bytes);
    EXPECT_FALSE(decoded.HasValue()) << bytes;
  }
  // Random mutations of a valid message: each decodes or fails cleanly.
  const auto valid = ValidDoc().dump();
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng() % 256);
    EXPECT_NO_THROW((void)Decode(bytes));
  }
}

TEST(TraceparentTest, Format) {
  EXPECT_TRUE(IsValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(IsValidTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_FALSE(IsValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
  EXPECT_FALSE(IsValidTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(IsValidTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(IsValidTraceparent(""));
}

TEST(Rfc3339Test, ParsesWhatToRfc3339Writes) {
  for (std::int64_t micros : {0LL, 1LL, 1'790'000'000'123'456LL, 951'782'400'000'000LL /* 2000-02-29 */}) {
    auto ts = core::FromUnixMicros(micros);
    EXPECT_EQ(ParseRfc3339(core::ToRfc3339(ts)), ts) << micros;
  }
  EXPECT_EQ(ParseRfc3339("2026-11-24T12:00:00Z"), ParseRfc3339("2026-11-24T12:00:00.000000Z"));
  EXPECT_EQ(ParseRfc3339("2026-11-24T12:00:00.5Z"), ParseRfc3339("2026-11-24T12:00:00.500000Z"));
  for (const char* bad : {"2026-11-24 12:00:00Z", "2026-11-24T12:00:00", "2026-13-01T00:00:00Z",
                          "2026-11-24T12:00:00.1234567Z", "2026-11-24T12:00:00.Z", "2026-11-24T24:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace saga::contracts
