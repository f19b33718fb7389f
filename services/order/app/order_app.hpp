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

/// On whose behalf a use case runs: a customer, who only places, sees and cancels its own
/// orders, or staff (admin, service), who see every order. The API derives it from the token.
class Requester {
 public:
  [[nodiscard]] static Requester Staff() { return Requester(std::nullopt); }
  [[nodiscard]] static Requester Customer(core::CustomerId id) { return Requester(id); }

  /// The customer's own id; nullopt for staff.
  [[nodiscard]] const std::optional<core::CustomerId>& OwnCustomer() const noexcept { return customer_; }
  [[nodiscard]] bool MayActFor(const core::CustomerId& customer) const noexcept {
    return !customer_ || *customer_ == customer;
  }

 private:
  explicit Requester(std::optional<core::CustomerId> customer) : customer_(customer) {}
  std::optional<core::CustomerId> customer_;
};

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
  /// order_id was never used before (the API's new idempotency claim, or no key): the look for
  /// an order placed first under it is skipped. Should one exist all the same, the insert's
  /// conflict still answers with it.
  bool new_id = false;
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
    kNotOwnCustomer,   // a customer placing an order for another customer
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
  /// A customer may only place orders for itself (kNotOwnCustomer).
  [[nodiscard]] core::Result<Order, OrderAppError> PlaceOrder(const PlaceOrderCommand& command,
                                                              const Requester& requester);
  /// nullopt when there is no such order or it is another customer's (indistinguishable).
  [[nodiscard]] std::optional<Order> GetOrder(const core::OrderId& id, const Requester& requester);
  /// A customer's list is always narrowed to its own orders.
  [[nodiscard]] core::Page<Order> ListOrders(OrderFilter filter, const core::PageRequest& page,
                                             const Requester& requester);
  /// Asks the order's saga to cancel: compensation starts, and the order becomes Cancelled when
  /// it ends. With `expected_version`, only if the order is at that version. Another customer's
  /// order is kNotFound.
  [[nodiscard]] core::Result<Order, OrderAppError> CancelOrder(const core::OrderId& id,
                                                               std::optional<std::int64_t> expected_version,
                                                               const Requester& requester);
  [[nodiscard]] std::optional<SagaView> GetSaga(const core::OrderId& id);
  /// Operators: sagas in a state (oldest update first), only those unchanged for at least
  /// `min_age` when given (stuck ones), and how many are in each state.
  [[nodiscard]] std::vector<SagaInstance> ListSagas(
      SagaState state, int limit, std::optional<std::chrono::seconds> min_age = std::nullopt);
  /// Operators: send the running step of the order's saga again (SagaOrchestrator::RetryStep).
  [[nodiscard]] core::Result<SagaInstance, OperatorRefusal> RetrySaga(const core::OrderId& id);
  /// Operators: compensate the order's saga (SagaOrchestrator::ForceCompensate).
  [[nodiscard]] core::Result<SagaInstance, OperatorRefusal> CompensateSaga(const core::OrderId& id,
                                                                           const std::string& reason);
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
