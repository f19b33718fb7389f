// topics, acls, invariants, audit verify and token: the commands that talk to Kafka and the
// databases directly (the launcher, operators, tests), not to the services' APIs. The broker
// credential comes from SAGA_KAFKA_SECURITY_PROTOCOL, SAGA_KAFKA_SASL_USERNAME and
// SAGA_KAFKA_SASL_PASSWORD_FILE.
#include <iostream>

#include "saga/audit/audit_log.hpp"
#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"
#include "saga/invariants/checker.hpp"
#include "saga/kafka/acls.hpp"
#include "saga/kafka/errors.hpp"
#include "saga/kafka/topics.hpp"
#include "saga/pg/connection.hpp"
#include "saga/sagactl/commands.hpp"

namespace saga::sagactl {

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "-" : out;
}

struct KafkaOptions {
  std::string brokers = "127.0.0.1:19092";
  std::string topics_file = "deploy/kafka/topics.tsv";
  std::string acls_file = "deploy/kafka/acls.tsv";
  int timeout_ms = 15000;
};

// Runs `work` with the broker's configuration; a broker failure is exit 1 naming the brokers.
int WithKafka(const KafkaOptions& options, const std::function<void(const kafka::KafkaConfig&)>& work) {
  auto config = kafka::KafkaConfig::FromSource(config::ConfigSource());
  config.brokers = options.brokers;
  config.client_id = "sagactl";
  try {
    work(config);
  } catch (const kafka::KafkaError& e) {
    throw CommandError(Exit::kFailed, "kafka at " + options.brokers + ": " + e.what());
  }
  return 0;
}

void AddKafkaCommands(CLI::App& app, Context& context) {
  auto options = std::make_shared<KafkaOptions>();
  auto* topics = app.add_subcommand("topics", "Kafka topic administration");
  topics->require_subcommand(1);
  auto* apply = topics->add_subcommand("apply", "create the topics of a topics file that do not exist yet");
  auto* list = topics->add_subcommand("list", "list the topics of the cluster with their partition counts");
  auto* acls = app.add_subcommand("acls", "Kafka ACL administration (needs an admin credential)");
  acls->require_subcommand(1);
  auto* acls_apply = acls->add_subcommand("apply", "create the ALLOW bindings of an ACL file (idempotent)");
  acls_apply->add_option("--file", options->acls_file, "ACL definition")->capture_default_str();
  for (auto* cmd : {apply, list, acls_apply}) {
    cmd->add_option("--brokers", options->brokers, "bootstrap servers")
        ->envname("SAGA_KAFKA_BROKERS")
        ->capture_default_str();
    cmd->add_option("--timeout-ms", options->timeout_ms, "broker request timeout")
        ->check(CLI::Range(100, 600000))
        ->capture_default_str();
  }
  apply->add_option("--file", options->topics_file, "topics definition")->capture_default_str();

  OnRun(apply, context, [&context, options] {
    return WithKafka(*options, [&](const kafka::KafkaConfig& config) {
      const auto result = kafka::EnsureTopics(config, kafka::LoadTopicsFile(options->topics_file),
                                              std::chrono::milliseconds(options->timeout_ms));
      *context.out << "topics created: " << Join(result.created) << "\n"
                   << "topics already present: " << Join(result.existing) << "\n";
    });
  });
  OnRun(list, context, [&context, options] {
    return WithKafka(*options, [&](const kafka::KafkaConfig& config) {
      kafka::ClusterProbe probe(config);
      for (const auto& [name, partitions] :
           probe.Describe(std::chrono::milliseconds(options->timeout_ms)).topics) {
        *context.out << name << '\t' << partitions << '\n';
      }
    });
  });
  OnRun(acls_apply, context, [&context, options] {
    return WithKafka(*options, [&](const kafka::KafkaConfig& config) {
      const auto rules = kafka::LoadAclsFile(options->acls_file);
      *context.out << "ACL bindings applied: "
                   << kafka::ApplyAcls(config, rules, std::chrono::milliseconds(options->timeout_ms)) << "\n";
    });
  });
}

void AddDatabaseCommands(CLI::App& app, Context& context) {
  auto check_input = std::make_shared<invariants::CheckInput>();
  auto running = std::make_shared<bool>(false);
  auto* invariants = app.add_subcommand(
      "invariants",
      "check stock, money, orders and outboxes across the three databases (exit 3 on a violation)");
  invariants->add_option("--order-dsn", check_input->order_dsn, "order_db connection string")
      ->envname("SAGA_ORDER_PG_DSN")
      ->required();
  invariants->add_option("--inventory-dsn", check_input->inventory_dsn, "inventory_db connection string")
      ->envname("SAGA_INVENTORY_PG_DSN")
      ->required();
  invariants->add_option("--payment-dsn", check_input->payment_dsn, "payment_db connection string")
      ->envname("SAGA_PAYMENT_PG_DSN")
      ->required();
  invariants->add_flag("--running", *running, "traffic may still be flowing: skip the at-rest checks");
  OnRun(invariants, context, [&context, check_input, running] {
    check_input->at_rest = !*running;
    try {
      const auto report = invariants::Check(*check_input);
      *context.out << report.Summary();
      return Code(report.Ok() ? Exit::kOk : Exit::kViolation);
    } catch (const core::InfraError& e) {
      throw CommandError(Exit::kFailed, std::string("cannot read the databases: ") + e.what());
    }
  });

  auto audit_dsn = std::make_shared<std::string>();
  auto expected_head = std::make_shared<std::string>();
  auto* audit = app.add_subcommand("audit", "the services' audit trails");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand(
      "verify",
      "check the hash chain of a service's audit_log (exit 3 on a modified, deleted or reordered entry)");
  verify->add_option("--dsn", *audit_dsn, "the service database's connection string")
      ->envname("SAGA_AUDIT_PG_DSN")
      ->required();
  verify->add_option("--expect-head", *expected_head,
                     "a head hash recorded earlier: also detects the newest entries being cut off");
  OnRun(verify, context, [&context, audit_dsn, expected_head] {
    try {
      auto conn = pg::Connect(pg::PgConfig{*audit_dsn, std::chrono::seconds(5)});
      const auto verdict = audit::VerifyAudit(*conn, *expected_head);
      if (verdict.intact) {
        *context.out << "audit log: " << verdict.entries << " entries, chain intact, head " << verdict.head
                     << "\n";
        return Code(Exit::kOk);
      }
      *context.out << "audit log BROKEN at entry " << verdict.broken_at.value_or(0) << ": " << verdict.problem
                   << " (" << verdict.entries << " entries verified before it)\n";
      return Code(Exit::kViolation);
    } catch (const core::InfraError& e) {
      throw CommandError(Exit::kFailed, std::string("cannot read the database: ") + e.what());
    }
  });
}

void AddTokenCommand(CLI::App& app, Context& context) {
  struct TokenOptions {
    auth::TokenRequest request{"", {}, "saga-dev", "saga-api", std::chrono::seconds(3600), ""};
    std::string secret_file;
    int ttl_s = 3600;
  };
  auto options = std::make_shared<TokenOptions>();
  auto* token = app.add_subcommand(
      "token", "mint a development bearer token (HS256, signed with the development secret)");
  token->add_option("--sub", options->request.subject, "the subject (customer id, admin or service name)")
      ->required();
  token->add_option("--role", options->request.roles, "customer, admin or service (repeatable)")
      ->required()
      ->check(CLI::IsMember({"customer", "admin", "service"}));
  token->add_option("--ttl", options->ttl_s, "lifetime in seconds")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  token->add_option("--issuer", options->request.issuer, "iss claim")->capture_default_str();
  token->add_option("--audience", options->request.audience, "aud claim")->capture_default_str();
  token->add_option("--kid", options->request.kid, "kid header (which configured key signs)");
  token
      ->add_option("--secret-file", options->secret_file, "file holding the HS256 secret (at least 32 bytes)")
      ->envname("SAGA_AUTH_SECRET_FILE")
      ->required();
  // `sagactl token mint --sub ... --role ...` says the same (its options are the token's).
  token->add_subcommand("mint", "the same as `sagactl token` (the options follow mint)")->fallthrough();
  OnRun(token, context, [&context, options] {
    options->request.lifetime = std::chrono::seconds(options->ttl_s);
    *context.out << MintDevelopmentToken(options->secret_file, options->request) << '\n';
    return Code(Exit::kOk);
  });
}

}  // namespace

void AddAdminCommands(CLI::App& app, Context& context) {
  AddKafkaCommands(app, context);
  AddDatabaseCommands(app, context);
  AddTokenCommand(app, context);
}

}  // namespace saga::sagactl
