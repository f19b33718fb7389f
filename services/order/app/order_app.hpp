#pragma once
// The order service's use cases behind the REST API (the saga joins in the next step).
// Business refusals are results; infrastructure failures propagate as core::InfraError.
// Thread-safety: stateless apart from its dependencies, which must be thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "saga/core/ids.hpp"
#include "saga/core/paging.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/order/app/catalogue.hpp"
#include "services/order/app/saga_orchestrator.hpp"
#include "services/order/domain/order_repository.hpp"

namespace saga::order {

struct OrderLine {
  core::ProductId product_id;
  std::int32_t quantity = 0;
};

struct PlaceOrderCommand {
  /// Chosen by the caller (the API's idempotency key handling): placing the same id twice
  /// returns the order placed first.
  core::OrderId order_id;
  core::CustomerId customer_id;
  std::vector<OrderLine> lines;
  /// The card as the gateway's token (never a card number).
  std::string payment_token;
  /// Ties the saga's messages and logs together (the request id, or the order id).
  std::string correlation_id;
  /// W3C traceparent of the request's span: the saga's trace ("" starts a new one).
  std::string traceparent;
};

/// An order's saga and its timeline.
struct SagaView {
  SagaInstance saga;
  std::vector<SagaLogEntry> log;
};

struct OrderAppError {
  enum class Kind {
    kRule,             // `rule` says which domain rule
    kNotFound,         // no such order
    kUnknownProduct,   // `product_id` is not in the catalogue
    kMixedCurrencies,  // the products are priced in different currencies
    kVersionMismatch,  // expected version is not current (`current_version`)
    kAlreadyEnded,     // cancel: the order's saga has ended (`current_status`)
    kCompensating,     // cancel: the order is already being compensated
  };
  Kind kind = Kind::kRule;
  OrderError rule = OrderError::kIllegalTransition;
  core::ProductId product_id{};
  std::int64_t current_version = 0;
  std::string current_status;
};

class OrderApp {
 public:
  OrderApp(IOrderRepository& orders, ICatalogue& catalogue, const core::Clock& clock,
           const SagaOrchestrator& orchestrator, ISagaTransactions& transactions, ISagaQueries& queries)
      : orders_(orders),
        catalogue_(catalogue),
        clock_(clock),
        orchestrator_(orchestrator),
        transactions_(transactions),
        queries_(queries) {}

  /// Prices the lines from the catalogue, stores the order (status Created) and starts its
  /// saga, in one transaction.
  [[nodiscard]] core::Result<Order, OrderAppError> PlaceOrder(const PlaceOrderCommand& command);
  [[nodiscard]] std::optional<Order> GetOrder(const core::OrderId& id);
  [[nodiscard]] core::Page<Order> ListOrders(const OrderFilter& filter, const core::PageRequest& page);
  /// Asks the order's saga to cancel: compensation starts, and the order becomes Cancelled when
  /// it ends. With `expected_version`, only if the order is at that version.
  [[nodiscard]] core::Result<Order, OrderAppError> CancelOrder(const core::OrderId& id,
                                                               std::optional<std::int64_t> expected_version);
  [[nodiscard]] std::optional<SagaView> GetSaga(const core::OrderId& id);
  /// Operators: sagas in a state (oldest update first), and how many are in each state.
  [[nodiscard]] std::vector<SagaInstance> ListSagas(SagaState state, int limit);
  [[nodiscard]] std::vector<SagaStateCount> CountSagas();

 private:
  IOrderRepository& orders_;
  ICatalogue& catalogue_;
  const core::Clock& clock_;
  const SagaOrchestrator& orchestrator_;
  ISagaTransactions& transactions_;
  ISagaQueries& queries_;
};

}  // namespace saga::order
