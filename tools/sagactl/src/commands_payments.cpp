// payments create / get / by-order / process / complete / fail / refund: the payment service.
#include "saga/core/uuid.hpp"
#include "saga/sagactl/commands.hpp"

namespace saga::sagactl {

namespace {

const std::vector<std::string> kPaymentColumns{
    "id", "orderId", "amount", "status", "transactionId", "failureReason", "updatedAt", "version"};

std::string PaymentPath(const std::string& id, const std::string& suffix = {}) {
  return "/api/payments/" + UrlEncode(id) + suffix;
}

}  // namespace

void AddPaymentCommands(CLI::App& app, Context& context) {
  auto* payments = app.add_subcommand("payments", "inspect and operate payments (payment service)");
  payments->require_subcommand(1);

  auto id = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  auto* create =
      payments->add_subcommand("create", "a payment for an order, amount = its total (POST /api/payments)");
  create->add_option("--order", *id, "order id")->required();
  create->add_option("--idempotency-key", *key, "Idempotency-Key header (default: a new UUID)");
  OnRun(create, context, [&context, id, key] {
    const auto reply =
        context.Api(Service::kPayment)
            .Call("POST", "/api/payments", Json{{"orderId", *id}},
                  {{"Idempotency-Key", key->empty() ? core::Uuid::Random().ToString() : *key}});
    return PrintObject(context, reply.body);
  });

  auto* get = payments->add_subcommand("get", "one payment (GET /api/payments/{id})");
  get->add_option("id", *id, "payment id")->required();
  OnRun(get, context, [&context, id] {
    return PrintObject(context, context.Api(Service::kPayment).Call("GET", PaymentPath(*id)).body);
  });

  auto* by_order =
      payments->add_subcommand("by-order", "an order's payments (GET /api/payments/order/{orderId})");
  by_order->add_option("order-id", *id, "order id")->required();
  OnRun(by_order, context, [&context, id] {
    const auto reply = context.Api(Service::kPayment).Call("GET", "/api/payments/order/" + UrlEncode(*id));
    context.Print(reply.body, RenderList(reply.body["items"], kPaymentColumns));
    return 0;
  });

  // The actions: POST /api/payments/{id}/<action> with the body each needs, If-Match optional.
  struct ActionOptions {
    std::string transaction_id;
    std::string reason;
    std::int64_t if_version = 0;
  };
  auto action = std::make_shared<ActionOptions>();
  const auto add_action = [&](const std::string& name, const std::string& help) {
    auto* cmd = payments->add_subcommand(name, help + " (POST /api/payments/{id}/" + name + ")");
    cmd->add_option("id", *id, "payment id")->required();
    cmd->add_option("--if-version", action->if_version,
                    "only if the payment is still at this version (If-Match)")
        ->check(CLI::PositiveNumber);
    OnRun(cmd, context, [&context, id, action, name] {
      Json body = Json::object();
      if (name == "complete") body["transactionId"] = action->transaction_id;
      if (name == "fail") body["reason"] = action->reason;
      const auto reply = context.Api(Service::kPayment)
                             .Call("POST", PaymentPath(*id, "/" + name), body, IfMatch(action->if_version));
      return PrintObject(context, reply.body);
    });
    return cmd;
  };
  add_action("process", "charge a pending payment through the gateway");
  add_action("complete", "mark a processing payment completed")
      ->add_option("--transaction-id", action->transaction_id, "the gateway's transaction id")
      ->required();
  add_action("fail", "mark a payment failed")->add_option("--reason", action->reason, "why")->required();
  add_action("refund", "refund a completed payment");
}

}  // namespace saga::sagactl
