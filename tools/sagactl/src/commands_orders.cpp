// orders create / get / list / cancel / status / watch: the order service's /api/orders.
#include <thread>

#include "saga/core/uuid.hpp"
#include "saga/sagactl/commands.hpp"
#include "saga/sagactl/input.hpp"

namespace saga::sagactl {

namespace {

const std::vector<std::string> kOrderColumns{"id",          "customerId", "status",
                                             "totalAmount", "createdAt",  "updatedAt"};

std::string OrderPath(const std::string& id, const std::string& suffix = {}) {
  return "/api/orders/" + UrlEncode(id) + suffix;
}

struct WatchOptions {
  std::string id;
  int timeout_s = 120;
  int interval_ms = 500;
};

// Polls the order's status until it is terminal; prints each status as it is first seen.
int Watch(Context& context, const WatchOptions& options) {
  auto& api = context.Api(Service::kOrder);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_s);
  std::string last;
  Json status;
  while (true) {
    status = api.Call("GET", OrderPath(options.id, "/status")).body;
    const auto current = Cell(status, "status");
    if (current != last && !context.json)
      *context.out << Cell(status, "updatedAt") << "  " << current << '\n';
    last = current;
    if (current == "Completed" || current == "Failed" || current == "Cancelled") break;
    if (std::chrono::steady_clock::now() >= deadline) {
      if (context.json) context.Print(status, "");
      *context.err << "sagactl: order " << options.id << " still " << current << " after "
                   << options.timeout_s << " s\n";
      return Code(Exit::kWatchTimeout);
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(options.interval_ms));  // polling an API: no event to wait on
  }
  if (context.json) context.Print(status, "");
  return Code(last == "Completed" ? Exit::kOk
              : last == "Failed"  ? Exit::kOrderFailed
                                  : Exit::kOrderCancelled);
}

}  // namespace

void AddOrderCommands(CLI::App& app, Context& context) {
  auto* orders = app.add_subcommand("orders", "place, inspect, cancel and follow orders (order service)");
  orders->require_subcommand(1);

  struct CreateOptions {
    std::string customer;
    std::vector<std::string> items;
    std::string payment_token;
    std::string idempotency_key;
  };
  auto create = std::make_shared<CreateOptions>();
  auto* create_cmd = orders->add_subcommand("create", "place an order (POST /api/orders; answered 202)");
  create_cmd->add_option("--customer", create->customer, "customer id (UUID)")->required();
  create_cmd->add_option("--item", create->items, "PRODUCT_ID:QUANTITY (repeatable)")->required();
  create_cmd
      ->add_option("--payment-token", create->payment_token,
                   "payment gateway token (simulator: tok_sim_approve, tok_sim_decline, ...)")
      ->required();
  create_cmd->add_option("--idempotency-key", create->idempotency_key,
                         "Idempotency-Key header (default: a new UUID; reuse it to retry safely)");
  OnRun(create_cmd, context, [&context, create] {
    const Json body{{"customerId", create->customer},
                    {"items", ParseItems(create->items)},
                    {"paymentToken", create->payment_token}};
    const auto key =
        create->idempotency_key.empty() ? core::Uuid::Random().ToString() : create->idempotency_key;
    const auto reply =
        context.Api(Service::kOrder).Call("POST", "/api/orders", body, {{"Idempotency-Key", key}});
    const bool replayed = reply.headers.count("idempotent-replayed") != 0;
    context.Print(reply.body, "order " + Cell(reply.body, "id") + " accepted (Idempotency-Key " + key +
                                  (replayed ? ", replayed" : "") + ")\n" + RenderObject(reply.body));
    return 0;
  });

  auto id = std::make_shared<std::string>();
  auto* get = orders->add_subcommand("get", "one order with its lines (GET /api/orders/{id})");
  get->add_option("id", *id, "order id")->required();
  OnRun(get, context, [&context, id] {
    const auto reply = context.Api(Service::kOrder).Call("GET", OrderPath(*id));
    return PrintObject(context, reply.body);
  });

  auto* status =
      orders->add_subcommand("status", "an order's status and version (GET /api/orders/{id}/status)");
  status->add_option("id", *id, "order id")->required();
  OnRun(status, context, [&context, id] {
    const auto reply = context.Api(Service::kOrder).Call("GET", OrderPath(*id, "/status"));
    return PrintObject(context, reply.body);
  });

  struct ListOptions {
    std::string status;
    std::string customer;
    std::string limit;
    std::string offset;
  };
  auto list = std::make_shared<ListOptions>();
  auto* list_cmd = orders->add_subcommand("list", "orders, newest first (GET /api/orders)");
  list_cmd->add_option("--status", list->status, "only this status")
      ->check(CLI::IsMember(
          {"Created", "InventoryReserved", "PaymentProcessing", "Completed", "Failed", "Cancelled"}));
  list_cmd->add_option("--customer", list->customer, "only this customer's orders");
  list_cmd->add_option("--limit", list->limit, "page size (1..200, server default 50)");
  list_cmd->add_option("--offset", list->offset, "orders to skip");
  OnRun(list_cmd, context, [&context, list] {
    const auto reply = context.Api(Service::kOrder)
                           .Call("GET", "/api/orders" + QueryString({{"status", list->status},
                                                                     {"customerId", list->customer},
                                                                     {"limit", list->limit},
                                                                     {"offset", list->offset}}));
    context.Print(reply.body, RenderList(reply.body["items"], kOrderColumns) + RenderPageFooter(reply.body));
    return 0;
  });

  auto if_version = std::make_shared<std::int64_t>(0);
  auto* cancel =
      orders->add_subcommand("cancel", "cancel an order (PUT /api/orders/{id}/cancel; answered 202)");
  cancel->add_option("id", *id, "order id")->required();
  cancel->add_option("--if-version", *if_version, "only if the order is still at this version (If-Match)")
      ->check(CLI::PositiveNumber);
  OnRun(cancel, context, [&context, id, if_version] {
    const auto reply = context.Api(Service::kOrder)
                           .Call("PUT", OrderPath(*id, "/cancel"), Json::object(), IfMatch(*if_version));
    return PrintObject(context, reply.body);
  });

  auto watch = std::make_shared<WatchOptions>();
  auto* watch_cmd = orders->add_subcommand(
      "watch", "follow an order until Completed (exit 0), Failed (8) or Cancelled (9); 10 on --timeout-s");
  watch_cmd->add_option("id", watch->id, "order id")->required();
  watch_cmd->add_option("--timeout-s", watch->timeout_s, "give up after this long")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  watch_cmd->add_option("--interval-ms", watch->interval_ms, "polling period")
      ->check(CLI::Range(50, 60000))
      ->capture_default_str();
  OnRun(watch_cmd, context, [&context, watch] { return Watch(context, *watch); });
}

}  // namespace saga::sagactl
