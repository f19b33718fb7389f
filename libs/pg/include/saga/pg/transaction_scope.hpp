#pragma once
// TransactionScope: where a repository runs its statements. Over a pool, each call is its own
// transaction on a pooled connection, committed before the call returns. Over a caller's
// transaction (a consumer's inbox transaction, a unit of work), calls run inside it and the
// caller commits, so a state change, its outbox rows and its inbox record commit together.
// pqxx exceptions are translated (pg/errors.hpp) in both modes.

#include <pqxx/pqxx>
#include <type_traits>

#include "saga/pg/errors.hpp"
#include "saga/pg/pool.hpp"

namespace saga::pg {

class TransactionScope {
 public:
  explicit TransactionScope(ConnectionPool& pool) : pool_(&pool) {}
  explicit TransactionScope(pqxx::transaction_base& tx) : tx_(&tx) {}

  /// Runs `fn(pqxx::transaction_base&)` and returns its result.
  template <typename F>
  decltype(auto) Run(F&& fn) const {
    if (tx_ != nullptr) return Translated([&]() -> decltype(auto) { return fn(*tx_); });
    auto conn = pool_->Acquire();
    return Translated([&]() -> decltype(auto) {
      pqxx::work tx(*conn);
      if constexpr (std::is_void_v<decltype(fn(tx))>) {
        fn(tx);
        tx.commit();
      } else {
        auto result = fn(tx);
        tx.commit();
        return result;
      }
    });
  }

  /// True inside a caller's transaction (reads may lock rows: the caller writes them next).
  [[nodiscard]] bool InCallerTransaction() const noexcept { return tx_ != nullptr; }

 private:
  ConnectionPool* pool_ = nullptr;
  pqxx::transaction_base* tx_ = nullptr;
};

}  // namespace saga::pg
