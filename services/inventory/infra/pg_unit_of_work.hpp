#pragma once
// The PostgreSQL units of work (app/unit_of_work.hpp): a PgInventoryRepository and an outbox
// over one transaction.

#include <functional>

#include <pqxx/transaction_base>

#include "saga/outbox/message_outbox.hpp"
#include "saga/pg/pool.hpp"
#include "services/inventory/app/unit_of_work.hpp"
#include "services/inventory/infra/pg_inventory_repository.hpp"

namespace saga::inventory {

/// A new transaction on a pooled connection per Run(): commits when the work returns, rolls back
/// when it throws. Thread-safe (each Run has its own connection). pqxx errors arrive translated.
/// `published`, when given, runs after a commit that appended outbox rows (the service wires
/// OutboxRelay::Notify, so they are published now rather than at the relay's next poll).
class PgUnitOfWork final : public IUnitOfWork {
 public:
  explicit PgUnitOfWork(pg::ConnectionPool& pool, std::function<void()> published = {})
      : pool_(pool), published_(std::move(published)) {}
  void Run(const Work& work) override;

 private:
  pg::ConnectionPool& pool_;
  std::function<void()> published_;
};

/// Runs the work inside `tx`, which the caller owns and commits (e.g. the reliable consumer's
/// inbox transaction, outbox::HandlerContext::tx), with `outbox` as its outbox (the consumer's
/// outbox::TransactionOutboxOf, which it flushes before its commit). Never commits. Not
/// thread-safe.
class PgTransactionUnitOfWork final : public IUnitOfWork {
 public:
  /// `preloaded`: what the consumer read with the transaction's inbox rows (PreloadedStock).
  PgTransactionUnitOfWork(pqxx::transaction_base& tx, outbox::IMessageOutbox& outbox,
                          PreloadedStock* preloaded = nullptr)
      : tx_(tx), outbox_(outbox), preloaded_(preloaded) {}
  void Run(const Work& work) override;

 private:
  pqxx::transaction_base& tx_;
  outbox::IMessageOutbox& outbox_;
  PreloadedStock* preloaded_;
};

}  // namespace saga::inventory
