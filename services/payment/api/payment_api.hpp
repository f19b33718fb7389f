#pragma once
// REST API of the payment service (documented in api/openapi.json):
//   POST /api/payments                  CreatePaymentDto (Idempotency-Key) -> 201 PaymentResponseDto
//   GET  /api/payments/{id}             PaymentResponseDto (ETag = payment version)
//   GET  /api/payments/order/{orderId}  the order's payments, newest first
//   POST /api/payments/{id}/process     Pending -> Processing
//   POST /api/payments/{id}/complete    CompletePaymentDto: Processing -> Completed
//   POST /api/payments/{id}/fail        FailPaymentDto: Pending | Processing -> Failed
//   POST /api/payments/{id}/refund      Completed -> Refunded
// The amount is the order's total (asked of the order service), never the client's. The
// actions take If-Match. Handlers only parse, call PaymentApp and map the result.
// Access (PaymentRoutePolicies): admin and service only (customers pay through the saga).

#include <string_view>

#include "saga/http/router.hpp"
#include "saga/service/idempotency.hpp"
#include "saga/service/security.hpp"
#include "services/payment/app/payment_app.hpp"

namespace saga::payment {

void AddPaymentRoutes(http::Router& router, PaymentApp& app, service::IdempotencyStore& idempotency);
/// Who may call each route above: the one table of the service's access policies.
[[nodiscard]] std::vector<service::RoutePolicy> PaymentRoutePolicies();

/// The OpenAPI document of these routes (api/openapi.json, embedded at build time).
[[nodiscard]] std::string_view PaymentOpenApi();

}  // namespace saga::payment
