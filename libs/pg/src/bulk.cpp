#include "saga/pg/bulk.hpp"

#include <stdexcept>

#include "saga/pg/prepared.hpp"

namespace saga::pg {

BulkRows::BulkRows(std::vector<BulkColumn> columns) : columns_(std::move(columns)) {
  if (columns_.empty()) throw std::logic_error("BulkRows without columns");
  arrays_.assign(columns_.size(), "{");
}

void BulkRows::Clear() {
  arrays_.assign(columns_.size(), "{");
  rows_ = 0;
}

void BulkRows::ThrowArity(std::size_t given) const {
  throw std::logic_error("BulkRows: " + std::to_string(given) + " values for " + std::to_string(columns_.size()) +
                         " columns");
}

void BulkRows::AddElement(std::size_t column, std::optional<std::string_view> text) {
  auto& array = arrays_[column];
  if (rows_ > 0) array += ',';
  if (!text) {
    array += "NULL";
    return;
  }
  // Always quoted (so that empty strings, spaces, braces, commas and the word NULL stay values);
  // inside quotes only the quote and the backslash are escaped.
  array.reserve(array.size() + text->size() + 2);
  array += '"';
  for (const char c : *text) {
    if (c == '"' || c == '\\') array += '\\';
    array += c;
  }
  array += '"';
}

std::string BulkRows::Statement(const std::string& sql) const {
  std::string relation = "unnest(";
  std::string names;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    relation += (i == 0 ? "$" : ", $") + std::to_string(i + 1) + "::" + columns_[i].type + "[]";
    names += columns_[i].name + ", ";
  }
  relation += ") WITH ORDINALITY AS v(" + names + "ord)";
  std::string out;
  std::size_t from = 0;
  for (auto at = sql.find("{rows}"); at != std::string::npos; at = sql.find("{rows}", from)) {
    out.append(sql, from, at - from);
    out += relation;
    from = at + 6;
  }
  out.append(sql, from, std::string::npos);
  return out;
}

pqxx::result BulkRows::Exec(pqxx::transaction_base& tx, const std::string& sql) const {
  if (rows_ == 0) return {};
  std::vector<std::string> params;
  params.reserve(arrays_.size());
  for (const auto& array : arrays_) params.push_back(array + "}");
  return tx.exec_prepared(Prepare(tx, Statement(sql)), pqxx::prepare::make_dynamic_params(params));
}

}  // namespace saga::pg
