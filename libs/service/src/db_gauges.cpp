#include "saga/service/db_gauges.hpp"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>
#include <stdexcept>

#include "saga/pg/errors.hpp"

namespace saga::service {

namespace {

// `value` as an SQL literal; the values are constants of the code, so a quote is a bug.
std::string Literal(const std::string& value) {
  if (value.find_first_of("'\\") != std::string::npos) {
    throw std::invalid_argument("database gauges: a value with a quote: " + value);
  }
  return "'" + value + "'";
}

void RequireValues(const std::vector<std::string>& values) {
  if (values.empty()) throw std::invalid_argument("database gauges: no values to count");
}

}  // namespace

std::string CountEachSql(const std::string& table, const std::string& column,
                         const std::vector<std::string>& values) {
  RequireValues(values);
  std::string sql;
  for (const auto& value : values) {
    if (!sql.empty()) sql += " UNION ALL ";
    sql +=
        "SELECT " + Literal(value) + ", count(*) FROM " + table + " WHERE " + column + " = " + Literal(value);
  }
  return sql;
}

std::string CountEachInOneScanSql(const std::string& table, const std::string& column,
                                  const std::vector<std::string>& values) {
  RequireValues(values);
  std::string list;
  for (const auto& value : values) list += (list.empty() ? "" : ", ") + Literal(value);
  // Counted first, then joined to the values (for the zeros): joining every row to the values
  // before counting took 2.7x as long (240 against 90 ms at 316k reservations).
  return "SELECT v.value, coalesce(c.n, 0) FROM unnest(ARRAY[" + list + "]) AS v(value) LEFT JOIN (SELECT " +
         column + ", count(*) AS n FROM " + table + " WHERE " + column + " IN (" + list + ") GROUP BY " +
         column + ") c ON c." + column + " = v.value";
}

DbGaugeSampler::DbGaugeSampler(pg::ConnectionPool& pool, std::chrono::milliseconds interval,
                               std::chrono::milliseconds history_interval, observability::Metrics& metrics)
    : pool_(pool),
      history_interval_(history_interval),
      metrics_(metrics),
      errors_(
          metrics.CounterFamily("saga_metrics_sample_errors_total", "Failed samples of the database gauges")
              .Add({})),
      // The first sample waits an interval: at start-up the schema may still be migrating.
      task_(
          interval,
          [this] {
            SampleOnce();
            failures_ = 0;
          },
          [this](const std::exception& e) {
            errors_.Increment();
            if (failures_++ % 20 == 0) spdlog::warn("database gauges: sample failed: {}", e.what());
          },
          /*wait_first=*/true) {}

DbGaugeSampler::~DbGaugeSampler() {
  Stop();
}

void DbGaugeSampler::Add(const std::string& name, const std::string& help, std::vector<std::string> labels,
                         std::string sql, Refresh refresh) {
  std::lock_guard lock(sample_mu_);
  queries_.push_back(
      Query{&metrics_.GaugeFamily(name, help), std::move(labels), std::move(sql), refresh, {}});
}

void DbGaugeSampler::SampleOnce() {
  std::lock_guard lock(sample_mu_);
  const auto now = std::chrono::steady_clock::now();
  const bool history_due = !history_sampled_ || now - *history_sampled_ >= history_interval_;
  auto lease = pool_.Acquire();
  pg::Translated([&] {
    pqxx::read_transaction tx(*lease);
    for (auto& query : queries_) {
      if (query.refresh == Refresh::kHistory && !history_due) continue;
      std::map<std::vector<std::string>, double> values;
      for (const auto& row : tx.exec(query.sql)) {
        if (row.size() != query.labels.size() + 1) {
          throw core::InfraError("gauge query returned " + std::to_string(row.size()) +
                                     " columns, expected " + std::to_string(query.labels.size() + 1),
                                 false);
        }
        std::vector<std::string> key;
        for (std::size_t i = 0; i < query.labels.size(); ++i) {
          key.push_back(row[static_cast<int>(i)].is_null() ? "" : row[static_cast<int>(i)].c_str());
        }
        const auto& value = row[static_cast<int>(query.labels.size())];
        values[key] = value.is_null() ? 0.0 : value.as<double>();
      }
      for (auto& [key, gauge] : query.series) {
        if (values.count(key) == 0) gauge->Set(0);
      }
      for (const auto& [key, value] : values) {
        auto& gauge = query.series[key];
        if (gauge == nullptr) {
          std::map<std::string, std::string> labels;
          for (std::size_t i = 0; i < key.size(); ++i) labels[query.labels[i]] = key[i];
          gauge = &query.family->Add(labels);
        }
        gauge->Set(value);
      }
    }
  });
  if (history_due) history_sampled_ = now;
}

}  // namespace saga::service
