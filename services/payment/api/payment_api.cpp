#include "services/payment/api/payment_api.hpp"

#include "saga/http/json_body.hpp"
#include "saga/http/middleware.hpp"

namespace saga::payment {
namespace {

using http::beast_http::field;

// PaymentResponseDto; optional members are left out while unset.
nlohmann::json ToDto(const Payment& payment) {
  nlohmann::json dto{{"id", payment.Id().Get().ToString()},
                     {"orderId", payment.OrderId().Get().ToString()},
                     {"amount", http::MoneyJson(payment.Amount())},
                     {"status", ToString(payment.Status())},
                     {"createdAt", core::ToRfc3339(payment.CreatedAt())},
                     {"updatedAt", core::ToRfc3339(payment.UpdatedAt())},
                     {"version", payment.Version()}};
  if (payment.TransactionId()) dto["transactionId"] = *payment.TransactionId();
  if (payment.FailureReason()) dto["failureReason"] = *payment.FailureReason();
  if (payment.ProcessedAt()) dto["processedAt"] = core::ToRfc3339(*payment.ProcessedAt());
  return dto;
}

http::Response PaymentResponse(http::Status status, const Payment& payment) {
  auto res = http::JsonResponse(status, ToDto(payment));
  res.set(field::etag, http::VersionETag(payment.Version()));
  return res;
}

[[noreturn]] void ThrowNotFound(const std::string& what) {
  throw http::ProblemError(http::Status::not_found, "Not Found", "no " + what);
}

[[noreturn]] void ThrowAppError(const PaymentAppError& error, std::optional<std::int64_t> expected) {
  using Kind = PaymentAppError::Kind;
  switch (error.kind) {
    case Kind::kNotFound:
      ThrowNotFound("such payment");
    case Kind::kUnknownOrder:
      throw http::ProblemError(http::Status::unprocessable_entity, "Business rule violated", "no such order",
                               {{"type", "urn:saga:problem:payment-rule"}});
    case Kind::kOrderNotPayable:
      throw http::ProblemError(
          http::Status::unprocessable_entity, "Business rule violated",
          "the order cannot be paid in status " + error.order_status,
          {{"type", "urn:saga:problem:payment-rule"}, {"orderStatus", error.order_status}});
    case Kind::kAlreadyPaid:
      throw http::ProblemError(http::Status::conflict, "Conflict",
                               "the order already has a payment that has not failed");
    case Kind::kTransactionIdTaken:
      throw http::ProblemError(http::Status::conflict, "Conflict", "another payment has this transaction id");
    case Kind::kVersionMismatch:
      if (expected) {
        throw http::ProblemError(http::Status::precondition_failed, "Precondition Failed",
                                 "the payment changed since the version in If-Match",
                                 {{"currentVersion", error.current_version}},
                                 {{field::etag, http::VersionETag(error.current_version)}});
      }
      throw http::ProblemError(http::Status::conflict, "Conflict",
                               "the payment is being changed concurrently; retry");
    case Kind::kRule:
      break;
  }
  if (error.rule == PaymentError::kIllegalTransition) {
    throw http::ProblemError(
        http::Status::conflict, "Conflict",
        "not allowed while the payment is " + std::string(ToString(error.current_status)),
        {{"type", "urn:saga:problem:illegal-transition"}, {"currentStatus", ToString(error.current_status)}});
  }
  throw http::ProblemError(http::Status::unprocessable_entity, "Business rule violated",
                           std::string(ToString(error.rule)), {{"type", "urn:saga:problem:payment-rule"}});
}

http::Response Create(PaymentApp& app, const http::Request& request, const http::RequestContext& context,
                      const core::Uuid& payment_id) {
  http::RejectQuery(context);
  const auto body = http::ParseJsonObject(request);
  std::vector<http::FieldError> errors;
  http::JsonReader reader(body, "", errors);
  auto order_id = reader.IdOf<core::OrderId>("orderId");
  reader.Forbidden({"id", "amount", "status", "transactionId", "version"});
  reader.RejectUnknown();
  http::ThrowIfInvalid(errors);
  auto created = app.CreatePayment(core::PaymentId(payment_id), *order_id);
  if (!created) ThrowAppError(created.Error(), std::nullopt);
  auto res = PaymentResponse(http::Status::created, created.Value());
  res.set(field::location, "/api/payments/" + created.Value().Id().Get().ToString());
  return res;
}

http::Response Get(PaymentApp& app, const http::RequestContext& context) {
  const auto id = http::PathId<core::PaymentId>(context, "id");
  http::RejectQuery(context);
  auto payment = app.GetPayment(id);
  if (!payment) ThrowNotFound("payment " + id.Get().ToString());
  return PaymentResponse(http::Status::ok, *payment);
}

http::Response OfOrder(PaymentApp& app, const http::RequestContext& context) {
  const auto order_id = http::PathId<core::OrderId>(context, "orderId");
  http::RejectQuery(context);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& payment : app.PaymentsOfOrder(order_id)) items.push_back(ToDto(payment));
  return http::JsonResponse(http::Status::ok,
                            {{"orderId", order_id.Get().ToString()}, {"items", std::move(items)}});
}

http::Response Act(PaymentApp& app, const http::Request& request, const http::RequestContext& context,
                   PaymentAction::Kind kind) {
  const auto id = http::PathId<core::PaymentId>(context, "id");
  http::RejectQuery(context);
  const bool needs_body = kind == PaymentAction::Kind::kComplete || kind == PaymentAction::Kind::kFail;
  const auto body = http::ParseJsonObject(request, !needs_body);
  std::vector<http::FieldError> errors;
  http::JsonReader reader(body, "", errors);
  PaymentAction action;
  action.kind = kind;
  if (kind == PaymentAction::Kind::kComplete) {
    if (auto transaction = reader.String("transactionId", 1, 128)) action.transaction_id = *transaction;
  } else if (kind == PaymentAction::Kind::kFail) {
    if (auto reason = reader.String("reason", 1, 500)) action.reason = *reason;
  }
  reader.Forbidden({"status", "amount"});
  reader.RejectUnknown();
  http::ThrowIfInvalid(errors);
  const auto expected = http::IfMatchVersion(request);
  auto applied = app.Apply(id, action, expected);
  if (!applied) ThrowAppError(applied.Error(), expected);
  return PaymentResponse(http::Status::ok, applied.Value());
}

}  // namespace

void AddPaymentRoutes(http::Router& router, PaymentApp& app, service::IdempotencyStore& idempotency) {
  using http::Verb;
  router.Add(Verb::post, "/api/payments",
             [&app, &idempotency](const http::Request& request, const http::RequestContext& context) {
               return service::Idempotent(
                   idempotency, request, context, "POST /api/payments",
                   [&](const core::Uuid& id, bool /*new_id*/) { return Create(app, request, context, id); });
             });
  router.Add(Verb::get, "/api/payments/{id}",
             [&app](const http::Request&, const http::RequestContext& context) { return Get(app, context); });
  router.Add(
      Verb::get, "/api/payments/order/{orderId}",
      [&app](const http::Request&, const http::RequestContext& context) { return OfOrder(app, context); });
  const std::pair<const char*, PaymentAction::Kind> actions[] = {{"process", PaymentAction::Kind::kProcess},
                                                                 {"complete", PaymentAction::Kind::kComplete},
                                                                 {"fail", PaymentAction::Kind::kFail},
                                                                 {"refund", PaymentAction::Kind::kRefund}};
  for (const auto& [name, kind] : actions) {
    router.Add(Verb::post, std::string("/api/payments/{id}/") + name,
               [&app, kind = kind](const http::Request& request, const http::RequestContext& context) {
                 return Act(app, request, context, kind);
               });
  }
}

std::vector<service::RoutePolicy> PaymentRoutePolicies() {
  using http::Verb;
  using service::Role;
  const auto operators = Role::kAdmin | Role::kService;
  return {
      {Verb::post, "/api/payments", operators},
      {Verb::get, "/api/payments/{id}", operators},
      {Verb::get, "/api/payments/order/{orderId}", operators},
      {Verb::post, "/api/payments/{id}/process", operators},
      {Verb::post, "/api/payments/{id}/complete", operators},
      {Verb::post, "/api/payments/{id}/fail", operators},
      {Verb::post, "/api/payments/{id}/refund", operators},
  };
}

}  // namespace saga::payment
