#include "saga/outbox/outbox.hpp"

#include <spdlog/spdlog.h>

#include <exception>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "saga/pg/bulk.hpp"
#include "saga/pg/errors.hpp"

namespace saga::outbox {

kafka::Headers HeadersFor(const contracts::Envelope& envelope) {
  return {{"message-id", envelope.message_id.Get().ToString()},
          {"type", envelope.type},
          {"schema-version", std::to_string(envelope.schema_version)},
          {"correlation-id", envelope.correlation_id},
          {"traceparent", envelope.traceparent}};
}

namespace {

constexpr const char* kInsert =
    "INSERT INTO outbox (message_id, topic, message_key, payload, headers) SELECT v.message_id, v.topic, "
    "v.message_key, v.payload, v.headers FROM {rows} ORDER BY v.ord RETURNING id";

std::unique_ptr<pg::BulkRows> NewRows() {
  return std::make_unique<pg::BulkRows>(std::vector<pg::BulkColumn>{{"message_id", "uuid"},
                                                                    {"topic", "text"},
                                                                    {"message_key", "text"},
                                                                    {"payload", "text"},
                                                                    {"headers", "jsonb"}});
}

void AddRow(pg::BulkRows& rows, const std::string& topic, const contracts::Envelope& envelope) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : HeadersFor(envelope)) headers[name] = value;
  rows.Add(envelope.message_id.Get().ToString(), topic, envelope.order_id.Get().ToString(),
           contracts::Encode(envelope), headers.dump());
}

}  // namespace

std::int64_t Append(pqxx::transaction_base& tx, const std::string& topic,
                    const contracts::Envelope& envelope) {
  auto rows = NewRows();
  AddRow(*rows, topic, envelope);
  return pg::Translated([&] { return rows->Exec(tx, kInsert).at(0).at(0).as<std::int64_t>(); });
}

OutboxBuffer::OutboxBuffer() : rows_(NewRows()) {}

OutboxBuffer::~OutboxBuffer() {
  if (Pending() && std::uncaught_exceptions() == 0) {
    spdlog::error("outbox: {} message(s) published in a transaction were never flushed (not stored)",
                  rows_->Size());
  }
}

void OutboxBuffer::Publish(const std::string& topic, const contracts::Envelope& envelope) {
  AddRow(*rows_, topic, envelope);
  ++appended_;
}

bool OutboxBuffer::Pending() const noexcept {
  return !rows_->Empty();
}

void OutboxBuffer::Flush(pqxx::transaction_base& tx) {
  if (rows_->Empty()) return;
  pg::Translated([&] { (void)rows_->Exec(tx, kInsert); });
  rows_->Clear();
}

void OutboxBuffer::AddTo(pg::BulkStatement& statement) const {
  statement.Add(*rows_, kInsert);
}

void OutboxBuffer::Clear() {
  rows_->Clear();
}

}  // namespace saga::outbox
