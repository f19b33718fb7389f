#pragma once
// What sagactl prints: aligned tables for people, the API's JSON for scripts. Pure functions
// from JSON to text, so every layout is unit-tested.

#include <string>
#include <vector>

#include "saga/sagactl/api_client.hpp"

namespace saga::sagactl {

/// Columns padded to their widest cell, two spaces apart, a header row first; no trailing
/// spaces. A row shorter than the header is padded with "-".
class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void Add(std::vector<std::string> row);
  [[nodiscard]] std::string Render() const;
  [[nodiscard]] std::size_t Rows() const noexcept { return rows_.size(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

/// One value as a cell: strings as they are, numbers and booleans as JSON, Money objects
/// ({"amountMinor", "currency"}) as "12.34 EUR", null or absent as "-", other objects and
/// arrays as compact JSON.
[[nodiscard]] std::string Cell(const Json& value);

/// `object[key]` as a Cell ("-" when absent or `object` is not an object).
[[nodiscard]] std::string Cell(const Json& object, const std::string& key);

/// A list: one row per element of `items`, one column per key (the header is the key).
[[nodiscard]] std::string RenderList(const Json& items, const std::vector<std::string>& keys);

/// Under a page's table ({"items", "total", "limit", "offset"}): "12 of 40 (offset 0)".
[[nodiscard]] std::string RenderPageFooter(const Json& page);

/// One resource: "key  value" lines for its scalar and Money members in the server's order,
/// then each array member as a titled table whose columns are the keys its elements have
/// (e.g. an order's items, a saga's log) and each other object member as "key  {json}".
[[nodiscard]] std::string RenderObject(const Json& object);

/// The result of one action of a batch (retry, compensate, replay, discard).
struct BatchResult {
  std::string id;
  bool ok = false;
  Exit exit = Exit::kOk;
  std::string detail;  // the new state for a success, the error message for a failure
  Json answer;         // the API's answer for a success
};

/// One line per result ("<id>  ok  <detail>" / "<id>  FAILED  <detail>") and a summary
/// ("<verb>: 3 ok, 1 failed").
[[nodiscard]] std::string RenderBatch(const std::vector<BatchResult>& results, const std::string& verb);

/// A batch's exit code: kOk when every action succeeded; when some failed, their code if they
/// all failed the same way (one unknown id: kNotFound), else kFailed.
[[nodiscard]] Exit BatchExit(const std::vector<BatchResult>& results);

/// For --json: [{"id", "ok", "result" (the answer) | "error", "exit"}].
[[nodiscard]] Json BatchJson(const std::vector<BatchResult>& results);

}  // namespace saga::sagactl
