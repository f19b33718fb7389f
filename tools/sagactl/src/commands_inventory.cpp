// inventory create / get / list / stock / reserve / low-stock: the inventory service's catalogue.
#include "saga/sagactl/commands.hpp"
#include "saga/sagactl/input.hpp"

namespace saga::sagactl {

namespace {

const std::vector<std::string> kProductColumns{"id",       "sku",      "name",      "price",
                                               "quantity", "reserved", "available", "version"};

std::string ProductPath(const std::string& id, const std::string& suffix = {}) {
  return "/api/inventory/" + UrlEncode(id) + suffix;
}

}  // namespace

void AddInventoryCommands(CLI::App& app, Context& context) {
  auto* inventory = app.add_subcommand("inventory", "the catalogue and its stock (inventory service)");
  inventory->require_subcommand(1);

  struct CreateOptions {
    std::string name;
    std::string sku;
    std::string price;
    std::string currency = "EUR";
    std::int64_t quantity = 0;
  };
  auto create = std::make_shared<CreateOptions>();
  auto* create_cmd =
      inventory->add_subcommand("create", "add a product with its stock (POST /api/inventory)");
  create_cmd->add_option("--name", create->name, "product name")->required();
  create_cmd->add_option("--sku", create->sku, "stock keeping unit (A-Z, 0-9, dashes)")->required();
  create_cmd->add_option("--price", create->price, "unit price, e.g. 12.34")->required();
  create_cmd->add_option("--currency", create->currency, "ISO 4217 code")->capture_default_str();
  create_cmd->add_option("--quantity", create->quantity, "units on hand")->capture_default_str();
  OnRun(create_cmd, context, [&context, create] {
    const Json body{{"name", create->name},
                    {"sku", create->sku},
                    {"price", {{"amountMinor", ParseAmount(create->price)}, {"currency", create->currency}}},
                    {"quantity", create->quantity}};
    const auto reply = context.Api(Service::kInventory).Call("POST", "/api/inventory", body);
    return PrintObject(context, reply.body);
  });

  auto id = std::make_shared<std::string>();
  auto* get = inventory->add_subcommand("get", "one product with its stock (GET /api/inventory/{id})");
  get->add_option("id", *id, "product id")->required();
  OnRun(get, context, [&context, id] {
    const auto reply = context.Api(Service::kInventory).Call("GET", ProductPath(*id));
    return PrintObject(context, reply.body);
  });

  struct PageOptions {
    std::string limit;
    std::string offset;
    std::string threshold;
  };
  auto page = std::make_shared<PageOptions>();
  auto* list = inventory->add_subcommand("list", "the catalogue (GET /api/inventory)");
  auto* low = inventory->add_subcommand("low-stock",
                                        "products with few units available (GET /api/inventory/low-stock)");
  low->add_option("--threshold", page->threshold, "available below this (server default 10)");
  for (auto* cmd : {list, low}) {
    cmd->add_option("--limit", page->limit, "page size (1..200, server default 50)");
    cmd->add_option("--offset", page->offset, "products to skip");
  }
  const auto list_action = [&context, page](const std::string& path) {
    return [&context, page, path] {
      const auto reply = context.Api(Service::kInventory)
                             .Call("GET", path + QueryString({{"threshold", page->threshold},
                                                              {"limit", page->limit},
                                                              {"offset", page->offset}}));
      context.Print(reply.body,
                    RenderList(reply.body["items"], kProductColumns) + RenderPageFooter(reply.body));
      return 0;
    };
  };
  OnRun(list, context, list_action("/api/inventory"));
  OnRun(low, context, list_action("/api/inventory/low-stock"));

  auto quantity = std::make_shared<std::int64_t>(0);
  auto if_version = std::make_shared<std::int64_t>(0);
  auto* stock = inventory->add_subcommand("stock", "set the units on hand (PUT /api/inventory/{id}/stock)");
  stock->add_option("id", *id, "product id")->required();
  stock->add_option("--quantity", *quantity, "units on hand, reserved ones included")->required();
  stock->add_option("--if-version", *if_version, "only if the stock is still at this version (If-Match)")
      ->check(CLI::PositiveNumber);
  OnRun(stock, context, [&context, id, quantity, if_version] {
    const auto reply =
        context.Api(Service::kInventory)
            .Call("PUT", ProductPath(*id, "/stock"), Json{{"quantity", *quantity}}, IfMatch(*if_version));
    return PrintObject(context, reply.body);
  });

  struct ReserveOptions {
    std::string order;
    std::vector<std::string> items;
    int ttl_s = 0;
  };
  auto reserve = std::make_shared<ReserveOptions>();
  auto* reserve_cmd = inventory->add_subcommand(
      "reserve", "reserve stock for an order, all or nothing (POST /api/inventory/reserve)");
  reserve_cmd->add_option("--order", reserve->order, "order id")->required();
  reserve_cmd->add_option("--item", reserve->items, "PRODUCT_ID:QUANTITY (repeatable)")->required();
  reserve_cmd->add_option("--ttl-s", reserve->ttl_s, "reservation lifetime (server default 900)")
      ->check(CLI::Range(1, 86400));
  OnRun(reserve_cmd, context, [&context, reserve] {
    Json body{{"orderId", reserve->order}, {"items", ParseItems(reserve->items)}};
    if (reserve->ttl_s > 0) body["ttlSeconds"] = reserve->ttl_s;
    const auto reply = context.Api(Service::kInventory).Call("POST", "/api/inventory/reserve", body);
    return PrintObject(context, reply.body);
  });
}

}  // namespace saga::sagactl
