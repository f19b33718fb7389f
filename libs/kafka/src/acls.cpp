#include "saga/kafka/acls.hpp"

#include <librdkafka/rdkafka.h>

#include <fstream>
#include <sstream>

#include "client.hpp"
#include "saga/core/errors.hpp"
#include "saga/kafka/errors.hpp"

namespace saga::kafka {
namespace {

rd_kafka_AclOperation_t OperationOf(const std::string& name) {
  if (name == "read") return RD_KAFKA_ACL_OPERATION_READ;
  if (name == "write") return RD_KAFKA_ACL_OPERATION_WRITE;
  if (name == "describe") return RD_KAFKA_ACL_OPERATION_DESCRIBE;
  if (name == "describe_configs") return RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS;
  return RD_KAFKA_ACL_OPERATION_UNKNOWN;
}

}  // namespace

std::vector<AclRule> LoadAclsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw core::ConfigError("cannot open ACL file '" + path + "'");
  std::vector<AclRule> rules;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    std::string principal;
    std::string resource;
    std::string pattern;
    std::string name;
    std::string operations;
    std::string extra;
    if (!(fields >> principal)) continue;  // blank or comment
    const auto where = path + ":" + std::to_string(number) + ": ";
    if (!(fields >> resource >> pattern >> name >> operations) || (fields >> extra)) {
      throw core::ConfigError(where + "expected: principal resource pattern name operation[,operation...]");
    }
    if (resource != "topic" && resource != "group")
      throw core::ConfigError(where + "resource must be topic or group");
    if (pattern != "literal" && pattern != "prefixed") {
      throw core::ConfigError(where + "pattern must be literal or prefixed");
    }
    std::istringstream ops(operations);
    for (std::string operation; std::getline(ops, operation, ',');) {
      if (OperationOf(operation) == RD_KAFKA_ACL_OPERATION_UNKNOWN) {
        throw core::ConfigError(where + "unknown operation '" + operation +
                                "' (read, write, describe, describe_configs)");
      }
      rules.push_back({principal, resource, pattern, name, operation});
    }
  }
  return rules;
}

std::size_t ApplyAcls(const KafkaConfig& config, const std::vector<AclRule>& rules,
                      std::chrono::milliseconds timeout) {
  if (rules.empty()) return 0;
  config.Validate();
  auto rk = internal::MakeHandle(RD_KAFKA_PRODUCER, internal::BaseConf(config));
  char errstr[512];
  std::vector<rd_kafka_AclBinding_t*> bindings;
  struct BindingsGuard {
    std::vector<rd_kafka_AclBinding_t*>& bindings;
    ~BindingsGuard() { rd_kafka_AclBinding_destroy_array(bindings.data(), bindings.size()); }
  } guard{bindings};
  for (const auto& rule : rules) {
    auto* binding = rd_kafka_AclBinding_new(
        rule.resource == "topic" ? RD_KAFKA_RESOURCE_TOPIC : RD_KAFKA_RESOURCE_GROUP, rule.name.c_str(),
        rule.pattern == "literal" ? RD_KAFKA_RESOURCE_PATTERN_LITERAL : RD_KAFKA_RESOURCE_PATTERN_PREFIXED,
        ("User:" + rule.principal).c_str(), "*", OperationOf(rule.operation),
        RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, errstr, sizeof(errstr));
    if (binding == nullptr)
      throw core::ConfigError("ACL for " + rule.principal + " on " + rule.name + ": " + errstr);
    bindings.push_back(binding);
  }
  const auto event = internal::AdminRequest(rk.get(), RD_KAFKA_ADMIN_OP_CREATEACLS, timeout, "create ACLs",
                                            [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                                              rd_kafka_CreateAcls(rk.get(), bindings.data(), bindings.size(),
                                                                  options, queue);
                                            });
  std::size_t count = 0;
  const auto** results =
      rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(event.get()), &count);
  for (std::size_t i = 0; i < count; ++i) {
    const rd_kafka_error_t* error = rd_kafka_acl_result_error(results[i]);
    if (error != nullptr && rd_kafka_error_code(error) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      ThrowKafkaError(rd_kafka_error_code(error), std::string("create ACL: ") + rd_kafka_error_string(error));
    }
  }
  return count;
}

}  // namespace saga::kafka
