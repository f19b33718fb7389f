#include "services/inventory/infra/catalogue_file.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "saga/core/errors.hpp"

namespace saga::inventory {

std::vector<CatalogueEntry> ParseCatalogue(const std::string& json_text, const std::string& origin) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw core::ConfigError(origin + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object() || !doc.contains("currency") || !doc["currency"].is_string() ||
      !doc.contains("products") || !doc["products"].is_array()) {
    throw core::ConfigError(origin + ": expected {\"currency\": \"EUR\", \"products\": [...]}");
  }
  const auto currency = core::Currency::Parse(doc["currency"].get<std::string>());
  if (!currency) throw core::ConfigError(origin + ": currency must be a three-letter ISO code");
  std::vector<CatalogueEntry> entries;
  std::size_t index = 0;
  for (const auto& p : doc["products"]) {
    const std::string where = origin + ": products[" + std::to_string(index++) + "]";
    if (!p.is_object() || !p.contains("sku") || !p["sku"].is_string() || !p.contains("name") ||
        !p["name"].is_string() || !p.contains("price") || !p["price"].is_number_integer() ||
        !p.contains("stock") || !p["stock"].is_number_integer()) {
      throw core::ConfigError(where + ": needs string sku and name, integer price (minor units) and stock");
    }
    entries.push_back(CatalogueEntry{p["sku"].get<std::string>(), p["name"].get<std::string>(),
                                     core::Money(p["price"].get<std::int64_t>(), *currency),
                                     p["stock"].get<std::int64_t>()});
  }
  return entries;
}

std::vector<CatalogueEntry> LoadCatalogueFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw core::ConfigError("cannot open catalogue file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseCatalogue(text.str(), path);
}

}  // namespace saga::inventory
