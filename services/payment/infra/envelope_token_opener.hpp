#pragma once
// IPaymentTokenOpener with libs/crypto's envelope encryption and the key ring shared with the
// order service (crypto.keyring_dir).

#include <spdlog/spdlog.h>

#include "saga/contracts/message_types.hpp"
#include "saga/crypto/envelope_cipher.hpp"
#include "services/payment/app/payment_token_opener.hpp"

namespace saga::payment {

class EnvelopeTokenOpener final : public IPaymentTokenOpener {
 public:
  explicit EnvelopeTokenOpener(const crypto::IKeyProvider& keys) : keys_(keys) {}
  [[nodiscard]] std::optional<std::string> Open(const std::optional<core::SagaId>& saga,
                                                std::string_view sealed) const override {
    if (!saga) return std::nullopt;
    try {
      return crypto::Open(keys_, sealed, contracts::PaymentTokenBinding(*saga));
    } catch (const crypto::CryptoError& e) {
      spdlog::error("the payment token of saga {} does not open: {}", saga->Get().ToString(), e.what());
      return std::nullopt;
    }
  }

 private:
  const crypto::IKeyProvider& keys_;
};

}  // namespace saga::payment
