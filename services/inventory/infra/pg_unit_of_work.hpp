#pragma once
// The PostgreSQL units of work (app/unit_of_work.hpp): a PgInventoryRepository and a
// outbox::TransactionOutbox in transaction mode over one transaction.

#include <pqxx/transaction_base>

#include "saga/pg/pool.hpp"
#include "services/inventory/app/unit_of_work.hpp"

namespace saga::inventory {

/// A new transaction on a pooled connection per Run(): commits when the work returns, rolls back
/// when it throws. Thread-safe (each Run has its own connection). pqxx errors arrive translated.
class PgUnitOfWork final : public IUnitOfWork {
 public:
  explicit PgUnitOfWork(pg::ConnectionPool& pool) : pool_(pool) {}
  void Run(const Work& work) override;

 private:
  pg::ConnectionPool& pool_;
};

/// Runs the work inside `tx`, which the caller owns and commits (e.g. the reliable consumer's
/// inbox transaction, outbox::HandlerContext::tx). Never commits. Not thread-safe.
class PgTransactionUnitOfWork final : public IUnitOfWork {
 public:
  explicit PgTransactionUnitOfWork(pqxx::transaction_base& tx) : tx_(tx) {}
  void Run(const Work& work) override;

 private:
  pqxx::transaction_base& tx_;
};

}  // namespace saga::inventory
