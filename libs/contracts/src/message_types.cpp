#include "saga/contracts/message_types.hpp"

#include <set>
#include <sstream>

#include "saga/core/money.hpp"

namespace saga::contracts {
namespace {

FieldSpec F(std::string name, FieldType type, std::string description, bool required = true) {
  return FieldSpec{std::move(name), type, required, {}, std::move(description)};
}

FieldSpec Array(std::string name, std::vector<FieldSpec> children, std::string description) {
  return FieldSpec{std::move(name), FieldType::kObjectArray, true, std::move(children),
                   std::move(description)};
}

std::vector<MessageSpec> Build() {
  using T = FieldType;
  const auto E = MessageKind::kEvent;
  const auto C = MessageKind::kCommand;
  const auto order_id = F("orderId", T::kUuid, "the order");
  const auto line_items = Array("items",
                                {F("productId", T::kUuid, "product"), F("quantity", T::kPositiveInt, "units"),
                                 F("unitPrice", T::kMoney, "catalogue price per unit")},
                                "order lines");
  const auto product_quantities =
      Array("items", {F("productId", T::kUuid, "product"), F("quantity", T::kPositiveInt, "units")},
            "products and units");
  return {
      // Order service, events of the order's life (saga.order.events; notifications downstream).
      {"OrderCreated",
       1,
       E,
       kOrderEventsTopic,
       "order",
       "notifications, analytics",
       "An order was accepted and its saga started.",
       {order_id, F("customerId", T::kUuid, "who ordered"), line_items,
        F("total", T::kMoney, "sum of the items")}},
      {"OrderUpdated",
       1,
       E,
       kOrderEventsTopic,
       "order",
       "notifications, analytics",
       "The order moved to another status.",
       {order_id, F("status", T::kString, "new OrderStatus"),
        F("version", T::kPositiveInt, "aggregate version")}},
      {"OrderCompleted",
       1,
       E,
       kOrderEventsTopic,
       "order",
       "notifications, analytics",
       "Stock sold and payment taken: the saga ended successfully.",
       {order_id, F("total", T::kMoney, "amount charged")}},
      {"OrderFailed",
       1,
       E,
       kOrderEventsTopic,
       "order",
       "notifications, analytics",
       "The saga ended without a sale; everything it did was compensated.",
       {order_id, F("reason", T::kString, "why")}},
      {"OrderCancelled",
       1,
       E,
       kOrderEventsTopic,
       "order",
       "notifications, analytics",
       "The order was cancelled by its customer or an operator; compensations follow.",
       {order_id, F("reason", T::kString, "why")}},
      // Saga commands to inventory.
      {"ReserveInventory",
       1,
       C,
       kInventoryCommandsTopic,
       "order (saga)",
       "inventory",
       "Hold stock for every line of the order, all or nothing, until expiresAt.",
       {order_id, product_quantities, F("expiresAt", T::kTimestamp, "when an uncommitted hold lapses")}},
      {"ReleaseInventory",
       1,
       C,
       kInventoryCommandsTopic,
       "order (saga)",
       "inventory",
       "Compensation: give back the order's held stock (repeatable).",
       {order_id, F("reason", T::kString, "why")}},
      {"CommitInventory",
       1,
       C,
       kInventoryCommandsTopic,
       "order (saga)",
       "inventory",
       "Turn the order's held stock into a sale (repeatable).",
       {order_id}},
      // Inventory events.
      {"InventoryReserved",
       1,
       E,
       kInventoryEventsTopic,
       "inventory",
       "order (saga)",
       "Stock is held for the order.",
       {order_id,
        Array("reservations",
              {F("reservationId", T::kUuid, "reservation"), F("productId", T::kUuid, "product"),
               F("quantity", T::kPositiveInt, "units")},
              "one per line"),
        F("expiresAt", T::kTimestamp, "when the hold lapses")}},
      {"InventoryReservationFailed",
       1,
       E,
       kInventoryEventsTopic,
       "inventory",
       "order (saga)",
       "Stock could not be held; nothing is held.",
       {order_id, F("reason", T::kString, "InsufficientStock, UnknownProduct, InvalidQuantity..."),
        F("productId", T::kUuid, "the product that failed", false),
        F("available", T::kNonNegativeInt, "units available then", false)}},
      {"InventoryReleased",
       1,
       E,
       kInventoryEventsTopic,
       "inventory",
       "order (saga)",
       "The order's held stock is back in the available stock.",
       {order_id, F("reason", T::kString, "why")}},
      {"InventoryCommitted",
       1,
       E,
       kInventoryEventsTopic,
       "inventory",
       "order (saga)",
       "The order's held stock is sold.",
       {order_id, product_quantities}},
      {"StockUpdated",
       1,
       E,
       kInventoryEventsTopic,
       "inventory",
       "order (saga) ignores it; analytics",
       "A product's stock changed (key: the order id that caused it, or the product id).",
       {F("productId", T::kUuid, "product"), F("quantity", T::kNonNegativeInt, "units on hand"),
        F("reserved", T::kNonNegativeInt, "units held"),
        F("available", T::kNonNegativeInt, "quantity - reserved")}},
      // Saga commands to payment.
      {"ProcessPayment",
       1,
       C,
       kPaymentCommandsTopic,
       "order (saga)",
       "payment",
       "Charge the order's total. The card is a gateway token: never a card number or CVV.",
       {order_id, F("amount", T::kMoney, "to charge"),
        F("paymentToken", T::kString,
          "gateway token of the card, sealed with the shared key ring (AES-256-GCM envelope, bound to "
          "sagas/<sagaId>/payment_token); only the payment service opens it")}},
      {"RefundPayment",
       1,
       C,
       kPaymentCommandsTopic,
       "order (saga)",
       "payment",
       "Compensation: refund the order's charge, if any (repeatable).",
       {order_id, F("reason", T::kString, "why")}},
      // Payment events.
      {"PaymentInitiated",
       1,
       E,
       kPaymentEventsTopic,
       "payment",
       "order (saga)",
       "The charge was sent to the gateway.",
       {order_id, F("paymentId", T::kUuid, "payment"), F("amount", T::kMoney, "charged")}},
      {"PaymentCompleted",
       1,
       E,
       kPaymentEventsTopic,
       "payment",
       "order (saga)",
       "The gateway took the money.",
       {order_id, F("paymentId", T::kUuid, "payment"), F("transactionId", T::kString, "gateway transaction"),
        F("amount", T::kMoney, "charged")}},
      {"PaymentFailed",
       1,
       E,
       kPaymentEventsTopic,
       "payment",
       "order (saga)",
       "The charge was refused or failed.",
       {order_id, F("paymentId", T::kUuid, "payment"),
        F("reason", T::kString, "Declined, InsufficientFunds...")}},
      {"RefundInitiated",
       1,
       E,
       kPaymentEventsTopic,
       "payment",
       "order (saga)",
       "A refund was sent to the gateway.",
       {order_id, F("paymentId", T::kUuid, "payment"), F("amount", T::kMoney, "refunded")}},
      {"RefundCompleted",
       1,
       E,
       kPaymentEventsTopic,
       "payment",
       "order (saga)",
       "The money is back with the customer (or nothing was charged).",
       {order_id, F("paymentId", T::kUuid, "payment", false), F("amount", T::kMoney, "refunded", false)}},
      // Notifications for people (saga.notifications), published through the outbox.
      {"OrderNotification",
       1,
       E,
       kNotificationsTopic,
       "order",
       "external notifiers (e-mail, push)",
       "Tell the customer how their order ended: Completed, Failed or Cancelled.",
       {order_id, F("customerId", T::kUuid, "who to tell"),
        F("status", T::kString, "Completed, Failed or Cancelled"), F("total", T::kMoney, "order total"),
        F("reason", T::kString, "why it failed or was cancelled", false)}},
      {"LowStockNotification",
       1,
       E,
       kNotificationsTopic,
       "inventory",
       "external notifiers (buyers)",
       "A product's available stock fell below its low-stock threshold (key: the product id).",
       {F("productId", T::kUuid, "product"), F("sku", T::kString, "its SKU"),
        F("available", T::kNonNegativeInt, "units available now"),
        F("threshold", T::kNonNegativeInt, "the product's low-stock threshold")}},
  };
}

std::string_view TypeName(FieldType type) {
  switch (type) {
    case FieldType::kUuid:
      return "uuid";
    case FieldType::kString:
      return "string";
    case FieldType::kPositiveInt:
      return "integer > 0";
    case FieldType::kNonNegativeInt:
      return "integer >= 0";
    case FieldType::kMoney:
      return "money";
    case FieldType::kTimestamp:
      return "RFC 3339 timestamp";
    case FieldType::kObjectArray:
      return "array of objects";
  }
  return "?";
}

std::optional<std::string> CheckValue(const FieldSpec& field, const nlohmann::json& value,
                                      const std::string& path);

std::optional<std::string> CheckObject(const std::vector<FieldSpec>& fields, const nlohmann::json& object,
                                       const std::string& path) {
  if (!object.is_object()) return path + ": expected an object";
  std::set<std::string> known;
  for (const auto& field : fields) {
    known.insert(field.name);
    const std::string child = path + "." + field.name;
    auto it = object.find(field.name);
    if (it == object.end() || it->is_null()) {
      if (field.required) return child + ": required";
      continue;
    }
    if (auto error = CheckValue(field, *it, child)) return error;
  }
  for (const auto& [key, value] : object.items()) {
    if (known.count(key) == 0) return path + "." + key + ": unknown field";
  }
  return std::nullopt;
}

std::optional<std::string> CheckValue(const FieldSpec& field, const nlohmann::json& value,
                                      const std::string& path) {
  const auto expected = [&] { return path + ": expected " + std::string(TypeName(field.type)); };
  switch (field.type) {
    case FieldType::kUuid:
      if (!value.is_string() || !core::Uuid::Parse(value.get<std::string>())) return expected();
      return std::nullopt;
    case FieldType::kString:
      if (!value.is_string() || value.get<std::string>().empty() || value.get<std::string>().size() > 500) {
        return expected() + " (1-500 characters)";
      }
      return std::nullopt;
    case FieldType::kPositiveInt:
      if (!value.is_number_integer() || value.get<std::int64_t>() <= 0) return expected();
      return std::nullopt;
    case FieldType::kNonNegativeInt:
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0) return expected();
      return std::nullopt;
    case FieldType::kMoney: {
      static const std::vector<FieldSpec> kMoneyFields = {
          {"amountMinor", FieldType::kPositiveInt, true, {}, ""}};
      if (!value.is_object() || !value.contains("currency") || !value["currency"].is_string() ||
          !core::Currency::Parse(value["currency"].get<std::string>())) {
        return path + ".currency: expected a three-letter ISO code";
      }
      auto without_currency = value;
      without_currency.erase("currency");
      return CheckObject(kMoneyFields, without_currency, path);
    }
    case FieldType::kTimestamp:
      if (!value.is_string() || !ParseRfc3339(value.get<std::string>())) return expected();
      return std::nullopt;
    case FieldType::kObjectArray: {
      if (!value.is_array() || value.empty() || value.size() > 100) return path + ": expected 1-100 objects";
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto error = CheckObject(field.children, value[i], path + "[" + std::to_string(i) + "]"))
          return error;
      }
      return std::nullopt;
    }
  }
  return expected();
}

void RenderFields(std::ostringstream& out, const std::vector<FieldSpec>& fields, const std::string& prefix) {
  for (const auto& field : fields) {
    out << "| `" << prefix << field.name << "` | " << TypeName(field.type) << " | "
        << (field.required ? "yes" : "no") << " | " << field.description << " |\n";
    if (field.type == FieldType::kObjectArray) RenderFields(out, field.children, prefix + field.name + "[].");
  }
}

}  // namespace

const std::vector<MessageSpec>& Registry() {
  static const std::vector<MessageSpec> kRegistry = Build();
  return kRegistry;
}

const MessageSpec* FindSpec(std::string_view type, int version) noexcept {
  for (const auto& spec : Registry()) {
    if (spec.type == type && spec.version == version) return &spec;
  }
  return nullptr;
}

core::Result<void, DecodeError> ValidatePayload(const MessageSpec& spec, const nlohmann::json& payload) {
  if (auto error = CheckObject(spec.fields, payload, "payload")) {
    return core::Fail(DecodeError{DecodeErrorCode::kInvalidPayload, *error});
  }
  return core::Ok<DecodeError>();
}

std::string RenderEventsMarkdown() {
  std::ostringstream out;
  out << "# Messages\n\n"
         "Generated from the registry in libs/contracts/src/message_types.cpp (a test keeps this file\n"
         "equal to it). Every message travels in the envelope described in\n"
         "libs/contracts/include/saga/contracts/envelope.hpp; the Kafka key is the order id (for\n"
         "StockUpdated too), so the messages of one order keep their order. Golden examples of each\n"
         "type are in libs/contracts/golden/. Money is {\"amountMinor\": integer, \"currency\": ISO "
         "code}.\n\n"
         "| type | version | kind | topic | producer | consumers |\n| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& spec : Registry()) {
    out << "| [" << spec.type << "](#" << spec.type << ") | " << spec.version << " | " << ToString(spec.kind)
        << " | `" << spec.topic << "` | " << spec.producer << " | " << spec.consumers << " |\n";
  }
  for (const auto& spec : Registry()) {
    out << "\n## " << spec.type << "\n\n"
        << spec.description << "\n\n"
        << "Version " << spec.version << ", " << ToString(spec.kind) << " on `" << spec.topic << "`.\n\n"
        << "| field | type | required | meaning |\n| --- | --- | --- | --- |\n";
    RenderFields(out, spec.fields, "");
  }
  return out.str();
}

std::string PaymentTokenBinding(const core::SagaId& saga_id) {
  return "sagas/" + saga_id.Get().ToString() + "/payment_token";
}

}  // namespace saga::contracts
