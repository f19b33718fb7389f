#pragma once
// IMessageOutbox over the transactional outbox (outbox::Append) in the caller's transaction: the
// message is sent by the outbox relay only if that transaction commits. The transaction must
// outlive this object. pg errors arrive translated; the caller's transaction then rolls back.

#include <pqxx/transaction_base>

#include "services/payment/app/message_outbox.hpp"

namespace saga::payment {

class PgMessageOutbox final : public IMessageOutbox {
 public:
  explicit PgMessageOutbox(pqxx::transaction_base& tx) : tx_(tx) {}
  void Publish(const std::string& topic, const contracts::Envelope& envelope) override;

 private:
  pqxx::transaction_base& tx_;
};

}  // namespace saga::payment
