#include "saga/kafka/message.hpp"

namespace saga::kafka {

std::optional<std::string> ConsumedMessage::Header(const std::string& name) const {
  for (const auto& [header_name, header_value] : headers) {
    if (header_name == name) return header_value;
  }
  return std::nullopt;
}

}  // namespace saga::kafka
