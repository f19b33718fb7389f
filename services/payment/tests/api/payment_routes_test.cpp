// The payment API's routes against its OpenAPI document (no I/O: no handler runs).
#include "services/payment/api/payment_api.hpp"

#include <gtest/gtest.h>

#include "saga/testing/manual_clock.hpp"
#include "saga/testing/route_coverage.hpp"
#include "services/payment/tests/fakes.hpp"

namespace saga::payment {
namespace {

TEST(PaymentRoutesTest, EveryRouteIsDocumentedAndEveryDocumentedRouteIsServed) {
  pg::ConnectionPool unused_pool(pg::PgConfig{}, 1, std::chrono::milliseconds(1));
  service::IdempotencyStore idempotency(unused_pool, std::chrono::hours(1));
  testing::FakePaymentRepository payments;
  testing::FakeOrderDirectory orders;
  saga::testing::ManualClock clock;
  PaymentApp app(payments, orders, clock);
  http::Router router;
  AddPaymentRoutes(router, app, idempotency);
  saga::testing::ExpectServiceRoutesMatchDocument(router, PaymentOpenApi(), PaymentRoutePolicies());
}

}  // namespace
}  // namespace saga::payment
