#pragma once
// IPaymentTokenSealer with libs/crypto's envelope encryption and a key provider (the local key
// ring of crypto.keyring_dir, shared with the payment service; a KMS in a cloud deployment).

#include "saga/contracts/message_types.hpp"
#include "saga/crypto/envelope_cipher.hpp"
#include "services/order/app/payment_token_sealer.hpp"

namespace saga::order {

class EnvelopeTokenSealer final : public IPaymentTokenSealer {
 public:
  explicit EnvelopeTokenSealer(const crypto::IKeyProvider& keys) : keys_(keys) {}
  [[nodiscard]] std::string Seal(const core::SagaId& saga, std::string_view token) const override {
    return crypto::Seal(keys_, token, contracts::PaymentTokenBinding(saga));
  }

 private:
  const crypto::IKeyProvider& keys_;
};

}  // namespace saga::order
