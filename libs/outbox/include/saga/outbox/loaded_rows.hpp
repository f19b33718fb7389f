#pragma once
// Rows a consumer transaction read with its inbox rows (ConsumerConfig::load), kept for its
// handlers by a key (an order id): the rows of a key that was asked for serve until the
// transaction writes one of them (Wrote); after that, and for a key not asked for, Of() has
// nothing and the handler reads the database. A key asked for without rows has none (an empty
// list, not nothing). Not thread-safe; lives as long as its transaction.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace saga::outbox {

template <typename Row>
class LoadedRows {
 public:
  explicit LoadedRows(std::set<std::string> asked) : asked_(std::move(asked)) {}

  /// Keeps `row` under `key` when `key` was asked for (rows of other keys are dropped).
  void Add(const std::string& key, Row row) {
    if (asked_.count(key) != 0) rows_[key].push_back(std::move(row));
  }
  /// The rows of `key`, in the order added; nothing when not asked for or written since.
  [[nodiscard]] std::optional<std::vector<Row>> Of(const std::string& key) const {
    if (asked_.count(key) == 0) return std::nullopt;
    const auto it = rows_.find(key);
    if (it == rows_.end()) return std::vector<Row>{};
    return it->second;
  }
  void Wrote(const std::string& key) { asked_.erase(key); }

 private:
  std::set<std::string> asked_;  // asked for, not written since
  std::map<std::string, std::vector<Row>> rows_;
};

}  // namespace saga::outbox
