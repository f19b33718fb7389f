#include "saga/outbox/dead_letters.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "saga/core/encoding.hpp"
#include "saga/core/uuid.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"
#include "saga/pg/sql.hpp"

namespace saga::outbox {
namespace {

constexpr std::string_view kDlqHeaderPrefix = "dlq-";

const std::string kColumns =
    "id, consumer, topic, dlq_topic, partition, \"offset\", message_key, message_id, message_type, payload, "
    "payload_base64, headers::text, reason, attempts, (extract(epoch from failed_at) * 1000000)::bigint, "
    "status, (extract(epoch from resolved_at) * 1000000)::bigint, coalesce(resolved_by, ''), "
    "coalesce(resolution, '')";

std::optional<std::string> Optional(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

DeadLetter LetterOf(const pqxx::row& row) {
  DeadLetter letter;
  letter.id = row[0].as<std::int64_t>();
  letter.consumer = row[1].as<std::string>();
  letter.topic = row[2].as<std::string>();
  letter.dlq_topic = row[3].as<std::string>();
  letter.partition = row[4].as<std::int32_t>();
  letter.offset = row[5].as<std::int64_t>();
  letter.key = Optional(row[6]);
  letter.message_id = Optional(row[7]);
  letter.message_type = Optional(row[8]);
  letter.payload = row[9].as<std::string>();
  if (row[10].as<bool>()) letter.payload = core::Base64UrlDecode(letter.payload).value_or(std::string());
  for (const auto& pair : nlohmann::json::parse(row[11].as<std::string>())) {
    letter.headers.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
  }
  letter.reason = row[12].as<std::string>();
  letter.attempts = row[13].as<int>();
  letter.failed_at = core::FromUnixMicros(row[14].as<std::int64_t>());
  letter.status = ParseDeadLetterStatus(row[15].as<std::string>()).value_or(DeadLetterStatus::kPending);
  if (!row[16].is_null()) letter.resolved_at = core::FromUnixMicros(row[16].as<std::int64_t>());
  letter.resolved_by = row[17].as<std::string>();
  letter.resolution = row[18].as<std::string>();
  return letter;
}

/// Locks the dead letter; kNotFound or kNotPending when it cannot be resolved.
core::Result<DeadLetter, DeadLetterRefusal> LockPending(pqxx::transaction_base& tx, std::int64_t id) {
  auto rows = pg::Exec(tx, "SELECT " + kColumns + " FROM dead_letters WHERE id = $1 FOR UPDATE", id);
  if (rows.empty()) return core::Fail(DeadLetterRefusal{DeadLetterRefusal::Kind::kNotFound, {}});
  auto letter = LetterOf(rows[0]);
  if (letter.status != DeadLetterStatus::kPending) {
    return core::Fail(DeadLetterRefusal{DeadLetterRefusal::Kind::kNotPending, letter.status});
  }
  return letter;
}

DeadLetter Resolve(pqxx::transaction_base& tx, std::int64_t id, DeadLetterStatus status,
                   const std::string& actor, const std::string& resolution) {
  return LetterOf(pg::Exec1(tx,
                            "UPDATE dead_letters SET status = $2, resolved_at = clock_timestamp(), "
                            "resolved_by = $3, resolution = $4 WHERE id = $1 RETURNING " +
                                kColumns,
                            id, std::string(ToString(status)), actor, resolution));
}

}  // namespace

std::string_view ToString(DeadLetterStatus status) noexcept {
  switch (status) {
    case DeadLetterStatus::kPending:
      return "pending";
    case DeadLetterStatus::kReplayed:
      return "replayed";
    case DeadLetterStatus::kDiscarded:
      return "discarded";
  }
  return "pending";
}

std::optional<DeadLetterStatus> ParseDeadLetterStatus(std::string_view text) noexcept {
  for (const auto status :
       {DeadLetterStatus::kPending, DeadLetterStatus::kReplayed, DeadLetterStatus::kDiscarded}) {
    if (ToString(status) == text) return status;
  }
  return std::nullopt;
}

bool IsText(std::string_view bytes) noexcept {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    if (lead == 0) return false;
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0U) == 0xC0U) {
      length = 2;
      code = lead & 0x1FU;
    } else if ((lead & 0xF0U) == 0xE0U) {
      length = 3;
      code = lead & 0x0FU;
    } else if ((lead & 0xF8U) == 0xF0U) {
      length = 4;
      code = lead & 0x07U;
    } else {
      return false;
    }
    if (i + length > bytes.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(bytes[i + k]);
      if ((next & 0xC0U) != 0x80U) return false;
      code = (code << 6U) | (next & 0x3FU);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

std::optional<std::int64_t> RecordDeadLetter(pqxx::transaction_base& tx, const DeadLetter& letter) {
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : letter.headers) headers.push_back({name, value});
  const bool text = IsText(letter.payload);
  return pg::Translated([&]() -> std::optional<std::int64_t> {
    auto rows = pg::Exec(tx,
                         "INSERT INTO dead_letters (consumer, topic, dlq_topic, partition, \"offset\", "
                         "message_key, message_id, message_type, payload, payload_base64, headers, reason, "
                         "attempts, failed_at) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, " +
                             pg::TimestampParam(14) +
                             ") ON CONFLICT ON CONSTRAINT dead_letters_source_key DO NOTHING RETURNING id",
                         letter.consumer, letter.topic, letter.dlq_topic, letter.partition, letter.offset,
                         letter.key, letter.message_id, letter.message_type,
                         text ? letter.payload : core::Base64UrlEncode(letter.payload), !text,
                         headers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                         letter.reason, letter.attempts, core::ToUnixMicros(letter.failed_at));
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<std::int64_t>();
  });
}

core::Page<DeadLetter> ListDeadLetters(pqxx::transaction_base& tx, const DeadLetterFilter& filter,
                                       const core::PageRequest& page) {
  return pg::Translated([&] {
    const std::string where =
        " WHERE ($1::text IS NULL OR topic = $1 OR dlq_topic = $1) AND ($2::text IS NULL OR status = $2)";
    const auto status = filter.status ? std::optional(std::string(ToString(*filter.status))) : std::nullopt;
    core::Page<DeadLetter> result;
    result.total =
        pg::ExecPlanned(tx, "SELECT count(*) FROM dead_letters" + where, filter.topic, status)[0][0]
            .as<std::int64_t>();
    for (const auto& row : pg::ExecPlanned(
             tx, "SELECT " + kColumns + " FROM dead_letters" + where + " ORDER BY id DESC LIMIT $3 OFFSET $4",
             filter.topic, status, page.ClampedLimit(), page.ClampedOffset())) {
      result.items.push_back(LetterOf(row));
    }
    return result;
  });
}

std::optional<DeadLetter> FindDeadLetter(pqxx::transaction_base& tx, std::int64_t id) {
  return pg::Translated([&]() -> std::optional<DeadLetter> {
    auto rows = pg::Exec(tx, "SELECT " + kColumns + " FROM dead_letters WHERE id = $1", id);
    if (rows.empty()) return std::nullopt;
    return LetterOf(rows[0]);
  });
}

core::Result<DeadLetter, DeadLetterRefusal> ReplayDeadLetter(pqxx::transaction_base& tx, std::int64_t id,
                                                             const std::string& actor,
                                                             std::string_view topic_prefix) {
  return pg::Translated([&]() -> core::Result<DeadLetter, DeadLetterRefusal> {
    auto locked = LockPending(tx, id);
    if (!locked) return core::Fail(locked.Error());
    const auto& letter = locked.Value();
    if (!IsText(letter.payload))
      return core::Fail(DeadLetterRefusal{DeadLetterRefusal::Kind::kNotText, letter.status});
    std::string topic = letter.topic;
    if (!topic_prefix.empty() && topic.rfind(topic_prefix, 0) == 0) topic.erase(0, topic_prefix.size());
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [name, value] : letter.headers) {
      if (name.rfind(kDlqHeaderPrefix, 0) != 0 && name != "replayed-from") headers[name] = value;
    }
    headers["replayed-from"] = letter.dlq_topic;
    // The outbox row needs an id of its own (the same message may be dead-lettered and replayed
    // again); the message-id header, which consumers read, stays the message's.
    pg::Exec0(tx,
              "INSERT INTO outbox (message_id, topic, message_key, payload, headers) VALUES ($1, $2, $3, $4, "
              "$5::jsonb)",
              core::Uuid::Random().ToString(), topic, letter.key.value_or(""), letter.payload,
              headers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return Resolve(tx, id, DeadLetterStatus::kReplayed, actor, "replayed to " + topic);
  });
}

core::Result<DeadLetter, DeadLetterRefusal> DiscardDeadLetter(pqxx::transaction_base& tx, std::int64_t id,
                                                              const std::string& actor,
                                                              const std::string& reason) {
  return pg::Translated([&]() -> core::Result<DeadLetter, DeadLetterRefusal> {
    auto locked = LockPending(tx, id);
    if (!locked) return core::Fail(locked.Error());
    return Resolve(tx, id, DeadLetterStatus::kDiscarded, actor,
                   reason.empty() ? std::string("discarded") : reason);
  });
}

}  // namespace saga::outbox
