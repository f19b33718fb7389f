#include "saga/sagactl/output.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "saga/core/money.hpp"

namespace saga::sagactl {

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::Add(std::vector<std::string> row) {
  row.resize(std::max(row.size(), headers_.size()), "-");
  rows_.push_back(std::move(row));
}

std::string Table::Render() const {
  std::vector<std::size_t> widths(headers_.size());
  const auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  };
  measure(headers_);
  for (const auto& row : rows_) measure(row);
  std::string out;
  const auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      text += row[i];
      if (i + 1 < widths.size()) text += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + '\n';
  };
  line(headers_);
  for (const auto& row : rows_) line(row);
  return out;
}

namespace {

bool IsMoney(const Json& value) {
  return value.is_object() && value.size() == 2 && value.contains("amountMinor") &&
         value["amountMinor"].is_number_integer() && value.contains("currency") &&
         value["currency"].is_string();
}

}  // namespace

std::string Cell(const Json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (IsMoney(value)) {
    if (const auto currency = core::Currency::Parse(value["currency"].get<std::string>())) {
      return core::Money(value["amountMinor"].get<std::int64_t>(), *currency).ToString();
    }
  }
  return value.dump();
}

std::string Cell(const Json& object, const std::string& key) {
  if (!object.is_object() || !object.contains(key)) return "-";
  return Cell(object[key]);
}

std::string RenderList(const Json& items, const std::vector<std::string>& keys) {
  Table table(keys);
  if (items.is_array()) {
    for (const auto& item : items) {
      std::vector<std::string> row;
      row.reserve(keys.size());
      for (const auto& key : keys) row.push_back(Cell(item, key));
      table.Add(std::move(row));
    }
  }
  return table.Render();
}

std::string RenderPageFooter(const Json& page) {
  const auto shown = page.is_object() && page.contains("items") ? page["items"].size() : 0;
  return std::to_string(shown) + " of " + Cell(page, "total") + " (offset " + Cell(page, "offset") + ")\n";
}

std::string RenderObject(const Json& object) {
  if (!object.is_object()) return Cell(object) + '\n';
  std::size_t width = 0;
  for (const auto& [key, value] : object.items()) {
    if (!value.is_array()) width = std::max(width, key.size());
  }
  std::string out;
  std::string tables;
  for (const auto& [key, value] : object.items()) {
    if (!value.is_array()) {
      out += key + std::string(width - key.size() + 2, ' ') + Cell(value) + '\n';
      continue;
    }
    // The columns: every key of the elements, in order of first appearance.
    std::vector<std::string> keys;
    std::set<std::string> seen;
    for (const auto& element : value) {
      if (!element.is_object()) continue;
      for (const auto& [member, ignored] : element.items()) {
        if (seen.insert(member).second) keys.push_back(member);
      }
    }
    tables += "\n" + key + " (" + std::to_string(value.size()) + "):\n";
    if (!keys.empty()) {
      tables += RenderList(value, keys);
    } else {
      for (const auto& element : value) tables += "  " + Cell(element) + '\n';
    }
  }
  return out + tables;
}

std::string RenderBatch(const std::vector<BatchResult>& results, const std::string& verb) {
  Table table({"id", "result", "detail"});
  int ok = 0;
  for (const auto& result : results) {
    ok += result.ok ? 1 : 0;
    // A failure's message may list fields on further lines: keep the table one line per id.
    auto detail = result.detail;
    std::replace(detail.begin(), detail.end(), '\n', ' ');
    table.Add({result.id, result.ok ? "ok" : "FAILED", detail});
  }
  const auto failed = static_cast<int>(results.size()) - ok;
  return (results.empty() ? std::string() : table.Render()) + verb + ": " + std::to_string(ok) + " ok, " +
         std::to_string(failed) + " failed\n";
}

Exit BatchExit(const std::vector<BatchResult>& results) {
  std::optional<Exit> exit;
  for (const auto& result : results) {
    if (result.ok) continue;
    if (exit && *exit != result.exit) return Exit::kFailed;
    exit = result.exit;
  }
  return exit.value_or(Exit::kOk);
}

Json BatchJson(const std::vector<BatchResult>& results) {
  Json out = Json::array();
  for (const auto& result : results) {
    Json entry{{"id", result.id}, {"ok", result.ok}};
    if (result.ok) {
      entry["result"] = result.answer;
    } else {
      entry["error"] = result.detail;
      entry["exit"] = Code(result.exit);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace saga::sagactl
