#include "saga/sagactl/input.hpp"

#include <charconv>

namespace saga::sagactl {

namespace {

// A non-negative decimal integer that is the whole of `text`.
bool ParseWhole(const std::string& text, std::int64_t& value) {
  if (text.empty() || text.front() == '-' || text.front() == '+') return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Json ParseItem(const std::string& text) {
  const auto colon = text.rfind(':');
  std::int64_t quantity = 0;
  if (colon == std::string::npos || colon == 0 || !ParseWhole(text.substr(colon + 1), quantity) ||
      quantity < 1) {
    throw CommandError(Exit::kUsage,
                       "--item '" + text + "' is not PRODUCT_ID:QUANTITY (a positive quantity)");
  }
  return Json{{"productId", text.substr(0, colon)}, {"quantity", quantity}};
}

Json ParseItems(const std::vector<std::string>& texts) {
  Json items = Json::array();
  for (const auto& text : texts) items.push_back(ParseItem(text));
  return items;
}

std::int64_t ParseAmount(const std::string& text) {
  const auto bad = [&] {
    return CommandError(Exit::kUsage,
                        "amount '" + text + "' is not a decimal with at most two decimals (12.34)");
  };
  const auto dot = text.find('.');
  std::int64_t whole = 0;
  if (!ParseWhole(text.substr(0, dot), whole)) throw bad();
  std::int64_t cents = 0;
  if (dot != std::string::npos) {
    auto fraction = text.substr(dot + 1);
    if (fraction.empty() || fraction.size() > 2 || !ParseWhole(fraction, cents)) throw bad();
    if (fraction.size() == 1) cents *= 10;
  }
  if (whole > (INT64_MAX - cents) / 100) throw bad();
  return whole * 100 + cents;
}

}  // namespace saga::sagactl
