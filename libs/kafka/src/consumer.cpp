#include "saga/kafka/consumer.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <map>
#include <utility>

#include "client.hpp"
#include "saga/kafka/errors.hpp"

namespace saga::kafka {
namespace {

struct MessageDeleter {
  void operator()(rd_kafka_message_t* msg) const noexcept { rd_kafka_message_destroy(msg); }
};

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const noexcept {
    rd_kafka_topic_partition_list_destroy(list);
  }
};

std::string AsString(const void* data, std::size_t size) {
  return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), size);
}

}  // namespace

namespace {

struct RebalanceListener {
  std::string group;
  std::function<void(bool, int)> on_rebalance;
  // The group's committed offsets of assigned partitions that have no position yet (Lag()).
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> committed;
};

// How long Lag() may wait, once per assignment, for the committed offsets of partitions without
// a position; on a time-out it counts from the low watermark and asks again on its next call.
constexpr int kCommittedTimeoutMs = 200;

// Applies the new assignment (eager or cooperative protocol), logs it and tells the owner.
void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                 void* opaque) {
  auto* impl = static_cast<RebalanceListener*>(opaque);
  impl->committed.clear();
  const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
  const bool assigned = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
  if (assigned) {
    if (cooperative) {
      if (auto* error = rd_kafka_incremental_assign(rk, partitions)) rd_kafka_error_destroy(error);
    } else {
      rd_kafka_assign(rk, partitions);
    }
  } else {
    if (cooperative) {
      if (auto* error = rd_kafka_incremental_unassign(rk, partitions)) rd_kafka_error_destroy(error);
    } else {
      rd_kafka_assign(rk, nullptr);
    }
  }
  if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS && err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    spdlog::warn("kafka consumer {}: rebalance error {}", impl->group, rd_kafka_err2name(err));
  }
  spdlog::info("kafka consumer {}: {} {} partition(s)", impl->group, assigned ? "assigned" : "revoked",
               partitions != nullptr ? partitions->cnt : 0);
  if (impl->on_rebalance) impl->on_rebalance(assigned, partitions != nullptr ? partitions->cnt : 0);
}

}  // namespace

struct Consumer::Impl {
  RebalanceListener listener;  // the rebalance callback's opaque: outlives the handle
  internal::HandlePtr rk;
  bool closed = false;
};

Consumer::Consumer(const KafkaConfig& config, const ConsumerOptions& options)
    : impl_(std::make_unique<Impl>()) {
  config.Validate();
  auto conf = internal::BaseConf(config);
  internal::Set(conf.get(), "group.id", options.group_id);
  // Offsets are stored only by Commit(), i.e. after the caller's effect is durable; librdkafka
  // sends stored offsets to the broker in the background, on rebalance and on close. A commit
  // that is lost in a crash only means a redelivery, which the inbox absorbs, and the hot path
  // never waits for the group coordinator (which is slow to come back after a broker restart).
  internal::Set(conf.get(), "enable.auto.commit", "true");
  internal::Set(conf.get(), "auto.commit.interval.ms", "200");
  internal::Set(conf.get(), "enable.auto.offset.store", "false");
  internal::Set(conf.get(), "session.timeout.ms", "10000");
  internal::Set(conf.get(), "heartbeat.interval.ms", "2000");
  internal::Set(conf.get(), "auto.offset.reset", options.auto_offset_reset);
  internal::Set(conf.get(), "enable.partition.eof", "false");
  // Reads only what committed producers wrote; harmless when no transactions are used.
  internal::Set(conf.get(), "isolation.level", "read_committed");
  impl_->listener = RebalanceListener{options.group_id, options.on_rebalance, {}};
  rd_kafka_conf_set_rebalance_cb(conf.get(), OnRebalance);
  rd_kafka_conf_set_opaque(conf.get(), &impl_->listener);
  impl_->rk = internal::MakeHandle(RD_KAFKA_CONSUMER, std::move(conf));
  rd_kafka_poll_set_consumer(impl_->rk.get());

  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter> topics(
      rd_kafka_topic_partition_list_new(static_cast<int>(options.topics.size())));
  for (const auto& topic : options.topics) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  const auto err = rd_kafka_subscribe(impl_->rk.get(), topics.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) ThrowKafkaError(err, "subscribe");
}

Consumer::~Consumer() {
  try {
    Close();
  } catch (const std::exception& e) {
    spdlog::warn("kafka consumer close failed: {}", e.what());
  }
}

std::optional<ConsumedMessage> Consumer::Poll(std::chrono::milliseconds timeout) {
  std::unique_ptr<rd_kafka_message_t, MessageDeleter> msg(
      rd_kafka_consumer_poll(impl_->rk.get(), static_cast<int>(timeout.count())));
  if (!msg) return std::nullopt;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return std::nullopt;
    const bool fatal = msg->err == RD_KAFKA_RESP_ERR__FATAL;
    if (fatal || msg->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        msg->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
      spdlog::error("kafka consumer error: {}", rd_kafka_message_errstr(msg.get()));
    } else {
      spdlog::warn("kafka consumer transient error: {}", rd_kafka_message_errstr(msg.get()));
    }
    if (fatal) ThrowKafkaError(msg->err, "consumer");
    return std::nullopt;
  }
  ConsumedMessage out;
  out.topic = rd_kafka_topic_name(msg->rkt);
  out.partition = msg->partition;
  out.offset = msg->offset;
  out.key = AsString(msg->key, msg->key_len);
  out.payload = AsString(msg->payload, msg->len);
  rd_kafka_timestamp_type_t ts_type{};
  out.timestamp_ms = rd_kafka_message_timestamp(msg.get(), &ts_type);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(msg.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      out.headers.emplace_back(name, AsString(value, size));
    }
  }
  return out;
}

void Consumer::Commit(const ConsumedMessage& message) {
  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter> offsets(
      rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(offsets.get(), message.topic.c_str(), message.partition)->offset =
      message.offset + 1;
  const auto err = rd_kafka_offsets_store(impl_->rk.get(), offsets.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) ThrowKafkaError(err, "offset store");
  // A partition revoked meanwhile refuses the store: the next owner gets the message again.
  if (offsets->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::info("offset of {}[{}]@{} not stored ({}); it will be redelivered", message.topic,
                 message.partition, message.offset, rd_kafka_err2str(offsets->elems[0].err));
  }
}

std::vector<Consumer::PartitionLag> Consumer::Lag() {
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(impl_->rk.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR || raw == nullptr) return {};
  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter> assigned(raw);
  rd_kafka_position(impl_->rk.get(), assigned.get());
  // A partition that has delivered nothing since it was assigned has no position (a member that
  // takes over a caught-up partition, a restart on an idle topic): its lag counts from the
  // group's committed offset, asked once per assignment and cached (OnRebalance clears it).
  auto& committed = impl_->listener.committed;
  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter> unknown(
      rd_kafka_topic_partition_list_new(assigned->cnt));
  for (int i = 0; i < assigned->cnt; ++i) {
    const auto& tp = assigned->elems[i];
    if (tp.offset < 0 && !committed.contains({tp.topic, tp.partition})) {
      rd_kafka_topic_partition_list_add(unknown.get(), tp.topic, tp.partition);
    }
  }
  if (unknown->cnt > 0 &&
      rd_kafka_committed(impl_->rk.get(), unknown.get(), kCommittedTimeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < unknown->cnt; ++i) {
      const auto& tp = unknown->elems[i];
      if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR) committed[{tp.topic, tp.partition}] = tp.offset;
    }
  }
  std::vector<PartitionLag> lags;
  for (int i = 0; i < assigned->cnt; ++i) {
    const auto& tp = assigned->elems[i];
    std::int64_t low = -1;
    std::int64_t high = -1;
    // Cached from the last fetch response: never blocks the consuming thread.
    rd_kafka_get_watermark_offsets(impl_->rk.get(), tp.topic, tp.partition, &low, &high);
    std::int64_t position = tp.offset;
    if (position < 0) {
      const auto it = committed.find({tp.topic, tp.partition});
      position = it != committed.end() && it->second >= 0 ? it->second : std::max<std::int64_t>(low, 0);
    }
    const std::int64_t lag = high >= 0 ? std::max<std::int64_t>(0, high - position) : 0;
    lags.push_back(PartitionLag{tp.topic, tp.partition, lag});
  }
  return lags;
}

void Consumer::Close() {
  if (impl_->closed) return;
  impl_->closed = true;
  const auto err = rd_kafka_consumer_close(impl_->rk.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) ThrowKafkaError(err, "consumer close");
}

}  // namespace saga::kafka
