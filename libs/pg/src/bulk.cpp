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
  throw std::logic_error("BulkRows: " + std::to_string(given) + " values for " +
                         std::to_string(columns_.size()) + " columns");
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

std::string BulkRows::Statement(const std::string& sql, int first_parameter) const {
  std::string relation = "unnest(";
  std::string names;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    relation += (i == 0 ? "$" : ", $") + std::to_string(static_cast<int>(i) + first_parameter) +
                "::" + columns_[i].type + "[]";
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

std::vector<std::string> BulkRows::Parameters() const {
  std::vector<std::string> params;
  params.reserve(arrays_.size());
  for (const auto& array : arrays_) params.push_back(array + "}");
  return params;
}

pqxx::result BulkRows::Exec(pqxx::transaction_base& tx, const std::string& sql) const {
  if (rows_ == 0) return {};
  const auto params = Parameters();
  return tx.exec_prepared(Prepare(tx, Statement(sql)), pqxx::prepare::make_dynamic_params(params));
}

std::size_t BulkStatement::Add(const BulkRows& rows, std::string sql) {
  parts_.push_back(Part{&rows, std::move(sql)});
  return parts_.size() - 1;
}

std::vector<std::size_t> BulkStatement::Exec(pqxx::transaction_base& tx) const {
  std::vector<std::size_t> counts(parts_.size(), 0);
  std::vector<std::size_t> present;
  for (std::size_t i = 0; i < parts_.size(); ++i) {
    if (!parts_[i].rows->Empty()) present.push_back(i);
  }
  if (present.empty()) return counts;
  std::string with = "WITH ";
  std::string select = " SELECT ";
  std::vector<std::string> params;
  int next = 1;
  for (std::size_t k = 0; k < present.size(); ++k) {
    const auto& part = parts_[present[k]];
    const auto name = "p" + std::to_string(k);
    with += (k == 0 ? "" : ", ") + name + " AS (" + part.rows->Statement(part.sql, next) + ")";
    select += (k == 0 ? "" : ", ") + std::string("(SELECT count(*) FROM ") + name + ")";
    for (auto& param : part.rows->Parameters()) params.push_back(std::move(param));
    next += static_cast<int>(part.rows->Columns());
  }
  const auto row = tx.exec_prepared1(Prepare(tx, with + select), pqxx::prepare::make_dynamic_params(params));
  for (std::size_t k = 0; k < present.size(); ++k)
    counts[present[k]] = row[static_cast<int>(k)].as<std::size_t>();
  return counts;
}

}  // namespace saga::pg
