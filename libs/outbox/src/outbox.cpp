#include "saga/outbox/outbox.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"

namespace saga::outbox {

kafka::Headers HeadersFor(const contracts::Envelope& envelope) {
  return {{"message-id", envelope.message_id.Get().ToString()},
          {"type", envelope.type},
          {"schema-version", std::to_string(envelope.schema_version)},
          {"correlation-id", envelope.correlation_id},
          {"traceparent", envelope.traceparent}};
}

std::int64_t Append(pqxx::transaction_base& tx, const std::string& topic,
                    const contracts::Envelope& envelope) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : HeadersFor(envelope)) headers[name] = value;
  return pg::Translated([&] {
    return pg::
        Exec1(tx,
              "INSERT INTO outbox (message_id, topic, message_key, payload, headers) VALUES ($1, $2, $3, $4, "
              "$5::jsonb) "
              "RETURNING id",
              envelope.message_id.Get().ToString(), topic, envelope.order_id.Get().ToString(),
              contracts::Encode(envelope), headers.dump())[0]
            .as<std::int64_t>();
  });
}

}  // namespace saga::outbox
