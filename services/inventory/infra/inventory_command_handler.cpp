#include "services/inventory/infra/inventory_command_handler.hpp"

#include <spdlog/spdlog.h>

#include <set>
#include <string>

#include "saga/pg/sql.hpp"
#include "services/inventory/infra/pg_inventory_repository.hpp"
#include "services/inventory/infra/pg_unit_of_work.hpp"

namespace saga::inventory {
namespace {

[[noreturn]] void Permanent(const contracts::Envelope& command, const std::string& why) {
  throw outbox::PermanentError(command.type + " " + command.message_id.Get().ToString() + ": " + why);
}

template <typename Id>
Id IdAt(const contracts::Envelope& command, const nlohmann::json& object, const char* field) {
  auto id = object.contains(field) && object[field].is_string()
                ? core::ParseId<Id>(object[field].get<std::string>())
                : std::nullopt;
  if (!id) Permanent(command, std::string("payload.") + field + ": expected a UUID");
  return *id;
}

core::OrderId OrderOf(const contracts::Envelope& command) {
  const auto order_id = IdAt<core::OrderId>(command, command.payload, "orderId");
  if (order_id != command.order_id) Permanent(command, "payload.orderId differs from the envelope's orderId");
  return order_id;
}

CommandReply Unwrap(const contracts::Envelope& command, core::Result<CommandReply, InventoryError> reply) {
  if (!reply) Permanent(command, "refused by stored stock: " + std::string(ToString(reply.Error())));
  return std::move(reply).Value();
}

// The orders and products a transaction's commands ask about (InventoryCommandLoad).
struct Asked {
  std::set<std::string> orders;
  std::set<std::string> products;
};

Asked AskedBy(const std::vector<const contracts::Envelope*>& commands) {
  Asked asked;
  for (const auto* command : commands) {
    asked.orders.insert(command->order_id.Get().ToString());
    if (command->type != "ReserveInventory") continue;
    const auto items = command->payload.find("items");
    if (items == command->payload.end() || !items->is_array()) continue;
    for (const auto& item : *items) {
      if (!item.is_object() || !item.contains("productId") || !item["productId"].is_string()) continue;
      if (const auto id = core::ParseId<core::ProductId>(item["productId"].get<std::string>())) {
        asked.products.insert(id->Get().ToString());
      }
    }
  }
  return asked;
}

std::string ArrayOf(const std::set<std::string>& ids) {
  return pg::ArrayLiteral(ids, [](const std::string& id) { return id; });
}

}  // namespace

std::optional<outbox::BatchLoad> InventoryCommandLoad(const std::vector<const contracts::Envelope*>& taken,
                                                      int first_parameter) {
  const auto asked = AskedBy(taken);
  if (asked.orders.empty()) return std::nullopt;
  return outbox::BatchLoad{PgInventoryRepository::PreloadQuery(first_parameter, first_parameter + 1),
                           {ArrayOf(asked.orders), ArrayOf(asked.products)}};
}

CommandReply DispatchInventoryCommand(const contracts::Envelope& command, IUnitOfWork& unit,
                                      const core::Clock& clock) {
  const auto origin = OriginOf(command);
  const auto& payload = command.payload;
  if (command.type == "ReserveInventory") {
    ReserveInventoryCommand reserve{OrderOf(command), {}, {}};
    for (const auto& item : payload.at("items")) {
      reserve.items.push_back(
          {IdAt<core::ProductId>(command, item, "productId"), item.at("quantity").get<std::int64_t>()});
    }
    const auto expires_at = contracts::ParseRfc3339(payload.at("expiresAt").get<std::string>());
    if (!expires_at) Permanent(command, "payload.expiresAt: expected an RFC 3339 timestamp");
    reserve.expires_at = *expires_at;
    return HandleReserveInventory(unit, clock, reserve, origin);
  }
  if (command.type == "ReleaseInventory") {
    return Unwrap(
        command, HandleReleaseInventory(unit, clock,
                                        {OrderOf(command), payload.at("reason").get<std::string>()}, origin));
  }
  if (command.type == "CommitInventory") {
    return Unwrap(command, HandleCommitInventory(unit, clock, {OrderOf(command)}, origin));
  }
  Permanent(command, "not a command of the inventory service");
}

outbox::MessageHandler MakeInventoryCommandHandler(const core::Clock& clock) {
  return [&clock](outbox::HandlerContext& context) {
    // What the transaction read with its inbox rows (InventoryCommandLoad), kept across its
    // commands until they write it.
    auto& preloaded = outbox::TransactionStateOf<std::optional<PreloadedStock>>(context, [&] {
      std::optional<PreloadedStock> stock;
      if (context.loaded != nullptr) {
        const auto asked = AskedBy(context.applying);
        stock.emplace(*context.loaded, asked.orders, asked.products);
      }
      return stock;
    });
    PgTransactionUnitOfWork unit(context.tx, outbox::TransactionOutboxOf(context),
                                 preloaded ? &*preloaded : nullptr);
    const auto reply = DispatchInventoryCommand(context.envelope, unit, clock);
    spdlog::info("{} for order {} answered {}{}", context.envelope.type,
                 context.envelope.order_id.Get().ToString(), reply.type,
                 reply.reason.empty() ? "" : " (" + reply.reason + ")");
  };
}

}  // namespace saga::inventory
