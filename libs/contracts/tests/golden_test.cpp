// Golden files pin the wire format: libs/contracts/golden/<Type>.v<N>.json holds one example
// envelope of every registered type. Each must decode, and encoding the decoded envelope must
// give the file back byte for byte (a field renamed, retyped or reordered in the encoder fails
// here). SAGA_UPDATE_GOLDEN=1 rewrites the files from the examples below after a deliberate
// change; review the diff like code.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "saga/contracts/envelope.hpp"
#include "saga/contracts/message_types.hpp"

namespace saga::contracts {
namespace {

using nlohmann::json;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const json kEur1999 = {{"amountMinor", 1999}, {"currency", "EUR"}};
const json kEur3998 = {{"amountMinor", 3998}, {"currency", "EUR"}};
constexpr const char* kOrder = "0b5f8a1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b";
constexpr const char* kProduct = "7d3c2b1a-0f9e-4d8c-b7a6-958473625140";
constexpr const char* kPayment = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";

std::map<std::string, json> Examples() {
  const json items = json::array({{{"productId", kProduct}, {"quantity", 2}, {"unitPrice", kEur1999}}});
  const json quantities = json::array({{{"productId", kProduct}, {"quantity", 2}}});
  return {
      {"OrderCreated",
       {{"orderId", kOrder},
        {"customerId", "c0ffee00-1234-4567-89ab-cdef01234567"},
        {"items", items},
        {"total", kEur3998}}},
      {"OrderUpdated", {{"orderId", kOrder}, {"status", "InventoryReserved"}, {"version", 2}}},
      {"OrderCompleted", {{"orderId", kOrder}, {"total", kEur3998}}},
      {"OrderFailed", {{"orderId", kOrder}, {"reason", "InsufficientStock"}}},
      {"OrderCancelled", {{"orderId", kOrder}, {"reason", "customer request"}}},
      {"ReserveInventory",
       {{"orderId", kOrder}, {"items", quantities}, {"expiresAt", "2026-11-24T12:15:00.000000Z"}}},
      {"ReleaseInventory", {{"orderId", kOrder}, {"reason", "PaymentDeclined"}}},
      {"CommitInventory", {{"orderId", kOrder}}},
      {"InventoryReserved",
       {{"orderId", kOrder},
        {"reservations", json::array({{{"reservationId", "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"},
                                       {"productId", kProduct},
                                       {"quantity", 2}}})},
        {"expiresAt", "2026-11-24T12:15:00.000000Z"}}},
      {"InventoryReservationFailed",
       {{"orderId", kOrder}, {"reason", "InsufficientStock"}, {"productId", kProduct}, {"available", 1}}},
      {"InventoryReleased", {{"orderId", kOrder}, {"reason", "PaymentDeclined"}}},
      {"InventoryCommitted", {{"orderId", kOrder}, {"items", quantities}}},
      {"StockUpdated", {{"productId", kProduct}, {"quantity", 10}, {"reserved", 2}, {"available", 8}}},
      {"ProcessPayment", {{"orderId", kOrder}, {"amount", kEur3998}, {"paymentToken", "tok_sim_approve"}}},
      {"RefundPayment", {{"orderId", kOrder}, {"reason", "OrderCancelled"}}},
      {"PaymentInitiated", {{"orderId", kOrder}, {"paymentId", kPayment}, {"amount", kEur3998}}},
      {"PaymentCompleted",
       {{"orderId", kOrder},
        {"paymentId", kPayment},
        {"transactionId", "sim-tx-000042"},
        {"amount", kEur3998}}},
      {"PaymentFailed", {{"orderId", kOrder}, {"paymentId", kPayment}, {"reason", "Declined"}}},
      {"RefundInitiated", {{"orderId", kOrder}, {"paymentId", kPayment}, {"amount", kEur3998}}},
      {"RefundCompleted", {{"orderId", kOrder}, {"paymentId", kPayment}, {"amount", kEur3998}}},
      {"OrderNotification",
       {{"orderId", kOrder},
        {"customerId", "c0ffee00-1234-4567-89ab-cdef01234567"},
        {"status", "Failed"},
        {"total", kEur3998},
        {"reason", "PaymentDeclined"}}},
      {"LowStockNotification",
       {{"productId", kProduct}, {"sku", "TSHIRT-RED-M"}, {"available", 3}, {"threshold", 10}}},
  };
}

Envelope ExampleEnvelope(const MessageSpec& spec, const json& payload) {
  EnvelopeContext context;
  context.correlation_id = "corr-0001";
  context.causation_id = core::ParseId<core::MessageId>("1111aaaa-2222-4bbb-8ccc-3333dddd4444");
  context.saga_id = core::ParseId<core::SagaId>("2222bbbb-3333-4ccc-8ddd-4444eeee5555");
  context.order_id = *core::ParseId<core::OrderId>(kOrder);
  context.producer = spec.producer.substr(0, spec.producer.find(' ')) + "-service";
  context.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  context.occurred_at = *ParseRfc3339("2026-11-24T12:00:00.123456Z");
  auto envelope = MakeEnvelope(spec.type, payload, context);
  EXPECT_TRUE(envelope.HasValue()) << spec.type << ": " << (envelope ? "" : envelope.Error().Reason());
  auto e = std::move(envelope).Value();
  char id[40];
  std::snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012zu",
                spec.type.size() * 1000 + spec.type[0] * 10 + spec.type.back());
  e.message_id = *core::ParseId<core::MessageId>(id);
  return e;
}

std::filesystem::path GoldenPath(const MessageSpec& spec) {
  return std::filesystem::path(SAGA_GOLDEN_DIR) / (spec.type + ".v" + std::to_string(spec.version) + ".json");
}

TEST(GoldenTest, EveryRegisteredTypeHasAGoldenFileThatRoundTrips) {
  const bool update = std::getenv("SAGA_UPDATE_GOLDEN") != nullptr;
  const auto examples = Examples();
  for (const auto& spec : Registry()) {
    ASSERT_EQ(examples.count(spec.type), 1U) << "no example for " << spec.type;
    const auto path = GoldenPath(spec);
    if (update) {
      std::ofstream(path) << json::parse(Encode(ExampleEnvelope(spec, examples.at(spec.type)))).dump(2)
                          << "\n";
    }
    ASSERT_TRUE(std::filesystem::exists(path)) << path << " missing (SAGA_UPDATE_GOLDEN=1 writes it)";
    const std::string golden = ReadAll(path);
    auto decoded = Decode(golden);
    ASSERT_TRUE(decoded.HasValue()) << path << ": " << decoded.Error().Reason();
    EXPECT_EQ(decoded.Value().type, spec.type);
    EXPECT_EQ(json::parse(Encode(decoded.Value())).dump(2) + "\n", golden) << path << " does not round-trip";
    EXPECT_EQ(Encode(decoded.Value()), Encode(ExampleEnvelope(spec, examples.at(spec.type))))
        << path << " differs from the example: the wire format changed";
  }
  std::set<std::string> expected;
  for (const auto& spec : Registry()) expected.insert(GoldenPath(spec).filename().string());
  for (const auto& file : std::filesystem::directory_iterator(SAGA_GOLDEN_DIR)) {
    EXPECT_EQ(expected.count(file.path().filename().string()), 1U) << "stray golden file " << file.path();
  }
}

TEST(GoldenTest, EventsDocumentMatchesTheRegistry) {
  if (std::getenv("SAGA_UPDATE_GOLDEN") != nullptr) std::ofstream(SAGA_EVENTS_DOC) << RenderEventsMarkdown();
  EXPECT_TRUE(ReadAll(SAGA_EVENTS_DOC) == RenderEventsMarkdown())
      << "docs/events.md is out of date: SAGA_UPDATE_GOLDEN=1 build/release/libs/contracts/contracts_test";
}

TEST(GoldenTest, EveryTopicOfTheRegistryIsDefined) {
  const auto topics = ReadAll(SAGA_TOPICS_FILE);
  for (const auto& spec : Registry()) {
    EXPECT_NE(topics.find("\n" + spec.topic + "\t"), std::string::npos)
        << spec.type << " uses undefined " << spec.topic;
  }
}

TEST(GoldenTest, TheRequiredMessagesOfTheDesignAreRegistered) {
  for (const char* type : {"OrderCreated",      "OrderUpdated",        "OrderCancelled",
                           "OrderCompleted",    "InventoryReserved",   "InventoryReservationFailed",
                           "InventoryReleased", "StockUpdated",        "PaymentInitiated",
                           "PaymentCompleted",  "PaymentFailed",       "RefundInitiated",
                           "RefundCompleted",   "ReserveInventory",    "ReleaseInventory",
                           "CommitInventory",   "ProcessPayment",      "RefundPayment",
                           "OrderNotification", "LowStockNotification"}) {
    EXPECT_NE(FindSpec(type, 1), nullptr) << type;
  }
}

}  // namespace
}  // namespace saga::contracts
