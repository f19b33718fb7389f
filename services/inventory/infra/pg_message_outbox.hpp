#pragma once
// IMessageOutbox over the service's `outbox` table (outbox::Append) inside one transaction the
// caller owns. Not thread-safe; must not outlive the transaction.

#include <pqxx/transaction_base>

#include "services/inventory/app/message_outbox.hpp"

namespace saga::inventory {

class PgMessageOutbox final : public IMessageOutbox {
 public:
  explicit PgMessageOutbox(pqxx::transaction_base& tx) : tx_(tx) {}
  void Publish(const std::string& topic, const contracts::Envelope& envelope) override;

 private:
  pqxx::transaction_base& tx_;
};

}  // namespace saga::inventory
