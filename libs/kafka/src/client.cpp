#include "client.hpp"

#include <spdlog/spdlog.h>

#include "saga/core/errors.hpp"
#include "saga/kafka/errors.hpp"

namespace saga::kafka::internal {
namespace {

void LogCallback(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  // syslog levels: 0-3 error, 4 warning, 5-6 info/notice, 7 debug.
  const auto spd_level = level <= 3   ? spdlog::level::err
                         : level == 4 ? spdlog::level::warn
                         : level <= 6 ? spdlog::level::info
                                      : spdlog::level::debug;
  spdlog::log(spd_level, "rdkafka {} [{}]: {}", rd_kafka_name(rk), facility, message);
}

}  // namespace

void Set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    const bool secret = name.find("password") != std::string::npos;
    throw core::ConfigError("kafka property " + name + "=" + (secret ? std::string("(hidden)") : value) +
                            ": " + errstr);
  }
}

ConfPtr BaseConf(const KafkaConfig& config) {
  ConfPtr conf(rd_kafka_conf_new());
  Set(conf.get(), "bootstrap.servers", config.brokers);
  Set(conf.get(), "client.id", config.client_id);
  Set(conf.get(), "security.protocol", config.security_protocol);
  if (config.security_protocol.rfind("sasl_", 0) == 0) {
    Set(conf.get(), "sasl.mechanisms", config.sasl_mechanism);
    Set(conf.get(), "sasl.username", config.sasl_username);
    Set(conf.get(), "sasl.password", config.sasl_password);
  }
  if (!config.ssl_ca_file.empty()) Set(conf.get(), "ssl.ca.location", config.ssl_ca_file);
  // A broker that is down is retried quickly but without hammering it.
  Set(conf.get(), "reconnect.backoff.ms", "50");
  Set(conf.get(), "reconnect.backoff.max.ms", "1000");
  Set(conf.get(), "log.connection.close", "false");
  rd_kafka_conf_set_log_cb(conf.get(), LogCallback);
  for (const auto& [name, value] : config.extra) Set(conf.get(), name, value);
  return conf;
}

HandlePtr MakeHandle(rd_kafka_type_t type, ConfPtr conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof(errstr));
  if (rk == nullptr) {
    throw KafkaError(std::string("cannot create kafka client: ") + errstr, RD_KAFKA_RESP_ERR__INVALID_ARG,
                     false);
  }
  (void)conf.release();  // rd_kafka_new took ownership
  return HandlePtr(rk);
}

EventPtr AdminRequest(rd_kafka_t* rk, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout,
                      const std::string& what,
                      const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& submit) {
  char errstr[512];
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, op);
  rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), errstr,
                                            sizeof(errstr));
  rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count()), errstr,
                                              sizeof(errstr));  // ignored by requests without one
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  submit(options, queue);
  EventPtr event(rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 2000));
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  if (!event) ThrowKafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, what);
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ThrowKafkaError(rd_kafka_event_error(event.get()), what);
  }
  return event;
}

}  // namespace saga::kafka::internal
