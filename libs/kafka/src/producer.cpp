#include "saga/kafka/producer.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "client.hpp"
#include "saga/kafka/errors.hpp"

namespace saga::kafka {
namespace {

// The series of each topic, created together on first use (so a topic's error counter exists,
// at 0, as soon as it is produced to) and looked up once per message.
class ProducerMetrics {
 public:
  struct Topic {
    prometheus::Counter& produced;
    prometheus::Counter& errors;
    prometheus::Histogram& latency;
  };

  explicit ProducerMetrics(observability::Metrics& metrics)
      : produced_(metrics.CounterFamily("saga_kafka_messages_produced_total",
                                        "Messages acknowledged by the broker (acks=all), by topic")),
        errors_(metrics.CounterFamily("saga_kafka_produce_errors_total",
                                      "Messages that failed for good or could not be enqueued, by topic")),
        latency_(metrics.HistogramFamily("saga_kafka_delivery_latency_seconds",
                                         "Time from enqueue to the broker's acknowledgement, by topic")) {}

  Topic& Of(const std::string& topic) {
    std::lock_guard lock(mu_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) {
      const prometheus::Labels labels{{"topic", topic}};
      it = topics_
               .emplace(topic, Topic{produced_.Add(labels), errors_.Add(labels),
                                     latency_.Add(labels, observability::LatencyBuckets())})
               .first;
    }
    return it->second;
  }

 private:
  prometheus::Family<prometheus::Counter>& produced_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Family<prometheus::Histogram>& latency_;
  std::mutex mu_;
  std::unordered_map<std::string, Topic> topics_;  // guarded by mu_; entries never move
};

// Travels with each message as its opaque and comes back in the delivery report.
struct Pending {
  std::promise<DeliveryReport> promise;
  std::chrono::steady_clock::time_point enqueued = std::chrono::steady_clock::now();
};

void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* opaque) {
  std::unique_ptr<Pending> pending(static_cast<Pending*>(msg->_private));
  if (!pending) return;
  const std::string topic = rd_kafka_topic_name(msg->rkt);
  auto& series = static_cast<ProducerMetrics*>(opaque)->Of(topic);
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    series.errors.Increment();
    try {
      ThrowKafkaError(msg->err, "delivery to " + topic + " failed");
    } catch (...) {
      pending->promise.set_exception(std::current_exception());
    }
    return;
  }
  series.produced.Increment();
  series.latency.Observe(observability::SecondsSince<std::chrono::steady_clock>(pending->enqueued));
  pending->promise.set_value(DeliveryReport{topic, msg->partition, msg->offset});
}

void OnError(rd_kafka_t* rk, int err, const char* reason, void* /*opaque*/) {
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512];
    const auto code = rd_kafka_fatal_error(rk, fatal, sizeof(fatal));
    spdlog::critical("kafka producer fatal error {}: {}", rd_kafka_err2name(code), fatal);
    return;
  }
  spdlog::warn("kafka producer: {} ({})", reason, rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)));
}

}  // namespace

struct Producer::Impl {
  explicit Impl(observability::Metrics& m) : metrics(m) {}
  ProducerMetrics metrics;  // the delivery callback's opaque: outlives the handle
  internal::HandlePtr rk;
  std::atomic<bool> stop{false};
  std::thread poller;
};

Producer::Producer(const KafkaConfig& config, observability::Metrics& metrics)
    : impl_(std::make_unique<Impl>(metrics)) {
  config.Validate();
  auto conf = internal::BaseConf(config);
  internal::Set(conf.get(), "enable.idempotence", "true");
  internal::Set(conf.get(), "acks", "all");
  internal::Set(conf.get(), "linger.ms", std::to_string(config.linger.count()));
  internal::Set(conf.get(), "compression.type", config.compression);
  internal::Set(conf.get(), "message.timeout.ms", std::to_string(config.delivery_timeout.count()));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), OnDelivery);
  rd_kafka_conf_set_error_cb(conf.get(), OnError);
  rd_kafka_conf_set_opaque(conf.get(), &impl_->metrics);
  impl_->rk = internal::MakeHandle(RD_KAFKA_PRODUCER, std::move(conf));
  impl_->poller = std::thread([impl = impl_.get()] {
    while (!impl->stop.load(std::memory_order_acquire)) rd_kafka_poll(impl->rk.get(), 100);
  });
}

Producer::~Producer() {
  const auto remaining = rd_kafka_flush(impl_->rk.get(), 5000);
  if (remaining != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("kafka producer closing with {} undelivered messages", rd_kafka_outq_len(impl_->rk.get()));
    rd_kafka_purge(impl_->rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  }
  impl_->stop.store(true, std::memory_order_release);
  impl_->poller.join();
  rd_kafka_poll(impl_->rk.get(), 0);  // serve the delivery reports of purged messages
}

std::future<DeliveryReport> Producer::Produce(const OutgoingMessage& message) {
  auto pending = std::make_unique<Pending>();
  auto future = pending->promise.get_future();

  rd_kafka_headers_t* headers = rd_kafka_headers_new(message.headers.size());
  for (const auto& [name, value] : message.headers) {
    rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  rd_kafka_vu_t values[6] = {};
  values[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  values[0].u.cstr = message.topic.c_str();
  values[1].vtype = RD_KAFKA_VTYPE_KEY;
  values[1].u.mem = {const_cast<char*>(message.key.data()), message.key.size()};
  values[2].vtype = RD_KAFKA_VTYPE_VALUE;
  values[2].u.mem = {const_cast<char*>(message.payload.data()), message.payload.size()};
  values[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  values[3].u.i = RD_KAFKA_MSG_F_COPY;
  values[4].vtype = RD_KAFKA_VTYPE_HEADERS;
  values[4].u.headers = headers;
  values[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
  values[5].u.ptr = pending.get();
  if (rd_kafka_error_t* error = rd_kafka_produceva(impl_->rk.get(), values, 6); error != nullptr) {
    const auto code = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
    rd_kafka_headers_destroy(headers);  // still ours when the message was not enqueued
    impl_->metrics.Of(message.topic).errors.Increment();
    ThrowKafkaError(code, "cannot enqueue message for " + message.topic);
  }
  (void)pending.release();  // owned by the delivery callback now
  return future;
}

std::optional<std::string> Producer::FatalError() const {
  char reason[512];
  const auto code = rd_kafka_fatal_error(impl_->rk.get(), reason, sizeof(reason));
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  return std::string(rd_kafka_err2name(code)) + ": " + reason;
}

void Producer::InjectFatalErrorForTest(const std::string& reason) {
  (void)rd_kafka_test_fatal_error(impl_->rk.get(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                  reason.c_str());
}

bool Producer::Flush(std::chrono::milliseconds timeout) {
  return rd_kafka_flush(impl_->rk.get(), static_cast<int>(std::max<std::int64_t>(0, timeout.count()))) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
}

}  // namespace saga::kafka
