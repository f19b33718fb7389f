#include "services/inventory/api/inventory_api.hpp"

#include <set>

#include "saga/http/json_body.hpp"
#include "saga/http/middleware.hpp"

namespace saga::inventory {
namespace {

using http::beast_http::field;

constexpr std::int64_t kMaxStock = 1'000'000'000;
constexpr std::size_t kMaxReservationLines = 50;
constexpr std::int64_t kDefaultReservationTtlSeconds = 900;
constexpr std::int64_t kDefaultLowStockThreshold = 10;

// InventoryResponseDto
nlohmann::json ToDto(const ProductStock& stock) {
  return {{"id", stock.product.Id().Get().ToString()},
          {"sku", stock.product.Sku().Value()},
          {"name", stock.product.Name()},
          {"price", http::MoneyJson(stock.product.Price())},
          {"quantity", stock.item.Quantity()},
          {"reserved", stock.item.Reserved()},
          {"available", stock.item.Available()},
          {"createdAt", core::ToRfc3339(stock.product.CreatedAt())},
          {"lastUpdated", core::ToRfc3339(stock.item.LastUpdated())},
          {"version", stock.item.Version()}};
}

nlohmann::json ToDto(const Reservation& reservation) {
  return {{"id", reservation.Id().Get().ToString()},
          {"productId", reservation.ProductId().Get().ToString()},
          {"quantity", reservation.Quantity()},
          {"status", ToString(reservation.Status())},
          {"createdAt", core::ToRfc3339(reservation.CreatedAt())},
          {"expiresAt", core::ToRfc3339(reservation.ExpiresAt())}};
}

http::Response StockResponse(http::Status status, const ProductStock& stock) {
  auto res = http::JsonResponse(status, ToDto(stock));
  res.set(field::etag, http::VersionETag(stock.item.Version()));
  return res;
}

nlohmann::json PageOf(const core::Page<ProductStock>& page, const core::PageRequest& request) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& stock : page.items) items.push_back(ToDto(stock));
  return http::PageJson(std::move(items), page.total, request);
}

[[noreturn]] void ThrowNotFound(const core::ProductId& id) {
  throw http::ProblemError(http::Status::not_found, "Not Found", "no product " + id.Get().ToString());
}

[[noreturn]] void ThrowRule(InventoryError error, nlohmann::json extra = nlohmann::json::object()) {
  extra["type"] = "urn:saga:problem:inventory-rule";
  throw http::ProblemError(http::Status::unprocessable_entity, "Business rule violated",
                           std::string(ToString(error)), std::move(extra));
}

http::Response Create(InventoryApp& app, const http::Request& request, const http::RequestContext& context) {
  const auto body = http::ParseJsonObject(request);
  std::vector<http::FieldError> errors;
  http::JsonReader reader(body, "", errors);
  auto name = reader.String("name", 1, 200);
  auto sku = reader.String("sku", 3, 64);
  auto price = reader.Money("price", 1);
  auto quantity = reader.Integer("quantity", 0, kMaxStock);
  reader.Forbidden({"id", "reserved", "available", "version", "createdAt", "lastUpdated"});
  reader.RejectUnknown();
  if (sku && !Sku::Parse(*sku)) errors.push_back({"sku", std::string(ToString(InventoryError::kInvalidSku))});
  http::ThrowIfInvalid(errors);
  auto created = app.CreateProduct(CreateProductCommand{*name, *sku, *price, *quantity, context.traceparent});
  if (!created) {
    const auto& error = created.Error();
    if (error.kind == AppError::Kind::kSkuTaken) {
      throw http::ProblemError(http::Status::conflict, "Conflict", "a product with SKU " + *sku + " exists");
    }
    if (error.rule == InventoryError::kInvalidSku)
      http::ThrowIfInvalid({{"sku", std::string(ToString(error.rule))}});
    if (error.rule == InventoryError::kInvalidName)
      http::ThrowIfInvalid({{"name", std::string(ToString(error.rule))}});
    ThrowRule(error.rule);
  }
  auto res = StockResponse(http::Status::created, created.Value());
  res.set(field::location, "/api/inventory/" + created.Value().product.Id().Get().ToString());
  return res;
}

http::Response Get(InventoryApp& app, const http::RequestContext& context) {
  const auto id = http::PathId<core::ProductId>(context, "id");
  http::RejectQuery(context);
  auto stock = app.GetProduct(id);
  if (!stock) ThrowNotFound(id);
  return StockResponse(http::Status::ok, *stock);
}

http::Response List(InventoryApp& app, const http::RequestContext& context) {
  std::vector<http::FieldError> errors;
  http::QueryReader query(context, errors);
  // ids: the products asked for (those that exist, in id order), as one page; paging does not
  // apply to them. The order service reads an order's prices with one such call.
  const auto ids = query.Uuids("ids", static_cast<std::size_t>(core::PageRequest::kMaxLimit));
  const auto page = query.Page();
  query.RejectUnknown();
  if (ids && (context.query.count("limit") != 0 || context.query.count("offset") != 0)) {
    query.Error("ids", "cannot be combined with limit or offset");
  }
  http::ThrowIfInvalid(errors);
  if (ids) {
    std::vector<core::ProductId> products;
    products.reserve(ids->size());
    for (const auto& id : *ids) products.emplace_back(id);
    auto found = app.GetProducts(products);
    const core::PageRequest all{static_cast<std::int32_t>(ids->size()), 0};
    const auto total = static_cast<std::int64_t>(found.size());
    return http::JsonResponse(http::Status::ok,
                              PageOf(core::Page<ProductStock>{std::move(found), total}, all));
  }
  return http::JsonResponse(http::Status::ok, PageOf(app.ListProducts(page), page));
}

http::Response LowStock(InventoryApp& app, const http::RequestContext& context) {
  std::vector<http::FieldError> errors;
  http::QueryReader query(context, errors);
  const auto page = query.Page();
  const auto threshold = query.Integer("threshold", 1, kMaxStock).value_or(kDefaultLowStockThreshold);
  query.RejectUnknown();
  http::ThrowIfInvalid(errors);
  auto body = PageOf(app.LowStock(threshold, page), page);
  body["threshold"] = threshold;
  return http::JsonResponse(http::Status::ok, body);
}

http::Response Reserve(InventoryApp& app, const http::Request& request, const http::RequestContext& context) {
  const auto body = http::ParseJsonObject(request);
  std::vector<http::FieldError> errors;
  http::JsonReader reader(body, "", errors);
  auto order_id = reader.IdOf<core::OrderId>("orderId");
  auto ttl = reader.Integer("ttlSeconds", 1, 86400, false).value_or(kDefaultReservationTtlSeconds);
  std::vector<ReservationLine> lines;
  std::set<core::ProductId> seen;
  reader.Objects("items", 1, kMaxReservationLines, [&](http::JsonReader& item) {
    auto product = item.IdOf<core::ProductId>("productId");
    auto quantity = item.Integer("quantity", 1, kMaxStock);
    if (product && !seen.insert(*product).second) {
      errors.push_back({item.PathOf("productId"), "appears twice; one line per product"});
    }
    if (product && quantity) lines.push_back({*product, *quantity});
  });
  reader.RejectUnknown();
  http::ThrowIfInvalid(errors);
  auto reserved = app.Reserve(*order_id, lines, std::chrono::seconds(ttl), context.traceparent);
  if (!reserved) {
    const auto& failure = reserved.Error();
    ThrowRule(failure.error,
              {{"productId", failure.product_id.Get().ToString()}, {"available", failure.available}});
  }
  nlohmann::json reservations = nlohmann::json::array();
  for (const auto& reservation : reserved.Value()) reservations.push_back(ToDto(reservation));
  return http::JsonResponse(
      http::Status::ok, {{"orderId", order_id->Get().ToString()}, {"reservations", std::move(reservations)}});
}

http::Response SetStock(InventoryApp& app, const http::Request& request,
                        const http::RequestContext& context) {
  const auto id = http::PathId<core::ProductId>(context, "id");
  const auto body = http::ParseJsonObject(request);
  std::vector<http::FieldError> errors;
  http::JsonReader reader(body, "", errors);
  auto quantity = reader.Integer("quantity", 0, kMaxStock);
  reader.Forbidden({"reserved", "available", "version"});
  reader.RejectUnknown();
  http::ThrowIfInvalid(errors);
  const auto expected = http::IfMatchVersion(request);
  auto updated = app.SetStock(id, *quantity, expected, context.traceparent);
  if (!updated) {
    const auto& error = updated.Error();
    switch (error.kind) {
      case AppError::Kind::kNotFound:
        ThrowNotFound(id);
      case AppError::Kind::kVersionMismatch:
        if (expected) {
          throw http::ProblemError(http::Status::precondition_failed, "Precondition Failed",
                                   "the stock changed since the version in If-Match",
                                   {{"currentVersion", error.current_version}},
                                   {{field::etag, http::VersionETag(error.current_version)}});
        }
        throw http::ProblemError(http::Status::conflict, "Conflict",
                                 "the stock is being changed concurrently; retry");
      case AppError::Kind::kSkuTaken:
      case AppError::Kind::kRule:
        break;
    }
    ThrowRule(error.rule);
  }
  return StockResponse(http::Status::ok, updated.Value());
}

}  // namespace

void AddInventoryRoutes(http::Router& router, InventoryApp& app) {
  using http::Verb;
  router.Add(Verb::post, "/api/inventory",
             [&app](const http::Request& request, const http::RequestContext& context) {
               return Create(app, request, context);
             });
  router.Add(Verb::get, "/api/inventory", [&app](const http::Request&, const http::RequestContext& context) {
    return List(app, context);
  });
  router.Add(
      Verb::get, "/api/inventory/low-stock",
      [&app](const http::Request&, const http::RequestContext& context) { return LowStock(app, context); });
  router.Add(Verb::post, "/api/inventory/reserve",
             [&app](const http::Request& request, const http::RequestContext& context) {
               return Reserve(app, request, context);
             });
  router.Add(Verb::get, "/api/inventory/{id}",
             [&app](const http::Request&, const http::RequestContext& context) { return Get(app, context); });
  router.Add(Verb::put, "/api/inventory/{id}/stock",
             [&app](const http::Request& request, const http::RequestContext& context) {
               return SetStock(app, request, context);
             });
}

std::vector<service::RoutePolicy> InventoryRoutePolicies() {
  using http::Verb;
  using service::Role;
  const auto everyone = Role::kCustomer | Role::kAdmin | Role::kService;
  const auto operators = Role::kAdmin | Role::kService;
  return {
      {Verb::post, "/api/inventory", Role::kAdmin},
      {Verb::get, "/api/inventory", everyone},
      {Verb::get, "/api/inventory/{id}", everyone},
      {Verb::get, "/api/inventory/low-stock", operators},
      {Verb::post, "/api/inventory/reserve", operators},
      {Verb::put, "/api/inventory/{id}/stock", Role::kAdmin},
  };
}

}  // namespace saga::inventory
