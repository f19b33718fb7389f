#include "services/payment/infra/http_order_directory.hpp"

#include <nlohmann/json.hpp>

#include "saga/core/errors.hpp"

namespace saga::payment {

std::optional<OrderSummary> HttpOrderDirectory::Find(const core::OrderId& order_id) {
  const auto reply = client_.Get("/api/orders/" + order_id.Get().ToString());
  if (reply.status == 404) return std::nullopt;
  if (reply.status != 200) {
    throw core::InfraError("order service answered " + std::to_string(reply.status) + " for an order", true);
  }
  const auto body = nlohmann::json::parse(reply.body, nullptr, false);
  if (body.is_object() && body.contains("totalAmount") && body["totalAmount"].is_object() &&
      body.contains("status") && body["status"].is_string()) {
    const auto& total = body["totalAmount"];
    const auto currency = total.contains("currency") && total["currency"].is_string()
                              ? core::Currency::Parse(total["currency"].get<std::string>())
                              : std::nullopt;
    if (currency && total.contains("amountMinor") && total["amountMinor"].is_number_integer()) {
      return OrderSummary{core::Money(total["amountMinor"].get<std::int64_t>(), *currency),
                          body["status"].get<std::string>()};
    }
  }
  throw core::InfraError("order service answered an order without a valid total and status", false);
}

}  // namespace saga::payment
