#pragma once
// Hand-written fakes of the inventory service's app ports, with controls for tests.

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "saga/core/errors.hpp"
#include "saga/outbox/message_outbox.hpp"

namespace saga::inventory::testing {

/// Keeps what was published, in order. `fail_next` makes the next Publish throw a retryable
/// core::InfraError (as a lost database connection would).
class FakeMessageOutbox final : public outbox::IMessageOutbox {
 public:
  void Publish(const std::string& topic, const contracts::Envelope& envelope) override {
    std::lock_guard lock(mu_);
    if (fail_next) {
      fail_next = false;
      throw core::InfraError("injected outbox failure", true);
    }
    published.emplace_back(topic, envelope);
  }
  [[nodiscard]] std::vector<std::string> Types() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> types;
    types.reserve(published.size());
    for (const auto& [topic, envelope] : published) types.push_back(envelope.type);
    return types;
  }

  std::vector<std::pair<std::string, contracts::Envelope>> published;
  bool fail_next = false;

 private:
  mutable std::mutex mu_;
};

}  // namespace saga::inventory::testing
