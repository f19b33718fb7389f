#pragma once
// Broker ACLs from one reviewed file (deploy/kafka/acls.tsv), applied idempotently through the
// Admin API (CreateAcls) by `sagactl acls apply`: each service's credential may write only the
// topics it produces (and the dead-letter topics of what it consumes), read only what it
// consumes, use only its own consumer groups, and see (describe) the saga topics.

#include <chrono>
#include <string>
#include <vector>

#include "saga/kafka/kafka_config.hpp"

namespace saga::kafka {

struct AclRule {
  std::string principal;  // "order" -> User:order
  std::string resource;   // "topic" or "group"
  std::string pattern;    // "literal" or "prefixed"
  std::string name;
  std::string operation;  // read, write, describe, describe_configs
};

/// Parses the file: whitespace-separated columns
///   principal resource pattern name operation[,operation...]
/// '#' starts a comment. Throws core::ConfigError naming the line for anything malformed.
[[nodiscard]] std::vector<AclRule> LoadAclsFile(const std::string& path);

/// Creates every rule as an ALLOW binding for host "*" (existing ones are left as they are).
/// Returns how many were applied. Throws KafkaError when the broker cannot be reached within
/// `timeout` or refuses a binding (the caller is not allowed to alter ACLs).
std::size_t ApplyAcls(const KafkaConfig& config, const std::vector<AclRule>& rules,
                      std::chrono::milliseconds timeout);

}  // namespace saga::kafka
