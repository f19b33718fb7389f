// dead-letters list / show / replay / discard: the messages a service's consumers gave up on
// (GET /api/dead-letters on each service), and the operator's two ways out of them.
#include "saga/sagactl/commands.hpp"

namespace saga::sagactl {

namespace {

const std::vector<std::string> kDeadLetterColumns{"id",          "originalTopic", "partition", "offset",
                                                  "messageType", "consumer",      "attempts",  "failedAt",
                                                  "status",      "reason"};

struct DeadLetterOptions {
  std::string service;
  std::string topic;
  std::string status;
  std::string limit;
  std::string offset;
  std::vector<std::string> ids;
  bool all = false;
  bool dry_run = false;
  bool yes = false;
  std::string reason;
};

std::string DeadLetterPath(const std::string& id, const std::string& suffix = {}) {
  return "/api/dead-letters/" + UrlEncode(id) + suffix;
}

void AddServiceOption(CLI::App* cmd, DeadLetterOptions& options) {
  cmd->add_option("--service", options.service, "whose dead letters")
      ->required()
      ->check(CLI::IsMember({"order", "inventory", "payment"}));
}

Json ListPage(Context& context, const DeadLetterOptions& options, const std::string& status,
              const std::string& limit, const std::string& offset) {
  return context.Api(ServiceNamed(options.service))
      .Call("GET",
            "/api/dead-letters" +
                QueryString(
                    {{"topic", options.topic}, {"status", status}, {"limit", limit}, {"offset", offset}}))
      .body;
}

// Every pending dead letter of --topic (all pages), for replay --all.
Json AllPending(Context& context, const DeadLetterOptions& options) {
  Json items = Json::array();
  while (true) {
    const auto page = ListPage(context, options, "pending", "200", std::to_string(items.size()));
    for (const auto& item : page["items"]) items.push_back(item);
    if (page["items"].empty() || items.size() >= page.value("total", std::size_t{0})) break;
  }
  return items;
}

// replay / discard: the ids given, or (replay --all) every pending one of the topic.
int RunDeadLetterAction(Context& context, const DeadLetterOptions& options, const std::string& verb,
                        const std::function<Json(const std::string& id)>& act) {
  auto ids = options.ids;
  if (options.all) {
    if (!ids.empty() || options.topic.empty()) {
      throw CommandError(Exit::kUsage, verb + " --all needs --topic and no ids");
    }
    const auto pending = AllPending(context, options);
    for (const auto& item : pending) ids.push_back(Cell(item, "id"));
    if (options.dry_run) {
      context.Print(pending, RenderList(pending, kDeadLetterColumns) + "dry run: would " + verb + " " +
                                 std::to_string(ids.size()) + " dead letter(s)\n");
      return Code(Exit::kOk);
    }
    if (!ids.empty() &&
        !Confirm(context, options.yes,
                 verb + " " + std::to_string(ids.size()) + " dead letter(s) of " + options.topic)) {
      *context.err << "sagactl: nothing done\n";
      return Code(Exit::kOk);
    }
  } else if (ids.empty()) {
    throw CommandError(Exit::kUsage, verb + ": give dead letter ids (or --all --topic T)");
  }
  return RunBatch(context, ids, verb, act, "status");
}

}  // namespace

void AddDeadLetterCommands(CLI::App& app, Context& context) {
  auto* dead_letters = app.add_subcommand(
      "dead-letters", "messages a service's consumers gave up on: list, show, replay, discard (admin)");
  dead_letters->require_subcommand(1);
  auto options = std::make_shared<DeadLetterOptions>();

  auto* list =
      dead_letters->add_subcommand("list", "a service's dead letters, with reasons (GET /api/dead-letters)");
  AddServiceOption(list, *options);
  list->add_option("--topic", options->topic, "only this topic: the original one or its .dlq");
  list->add_option("--status", options->status, "only this status")
      ->check(CLI::IsMember({"pending", "replayed", "discarded"}));
  list->add_option("--limit", options->limit, "page size (1..200)")->check(CLI::Range(1, 200));
  list->add_option("--offset", options->offset, "entries to skip")->check(CLI::NonNegativeNumber);
  OnRun(list, context, [&context, options] {
    const auto page = ListPage(context, *options, options->status, options->limit, options->offset);
    context.Print(page, RenderList(page["items"], kDeadLetterColumns) + RenderPageFooter(page));
    return 0;
  });

  auto* show = dead_letters->add_subcommand("show", "one dead letter with its payload and headers");
  AddServiceOption(show, *options);
  auto id = std::make_shared<std::string>();
  show->add_option("id", *id, "dead letter id")->required();
  OnRun(show, context, [&context, options, id] {
    return PrintObject(context,
                       context.Api(ServiceNamed(options->service)).Call("GET", DeadLetterPath(*id)).body);
  });

  auto* replay = dead_letters->add_subcommand(
      "replay", "publish dead letters to their original topic again (POST /api/dead-letters/{id}/replay)");
  AddServiceOption(replay, *options);
  replay->add_option("ids", options->ids, "dead letter ids");
  replay->add_flag("--all", options->all, "every pending dead letter of --topic");
  replay->add_option("--topic", options->topic, "with --all: the original topic or its .dlq");
  replay->add_flag("--dry-run", options->dry_run, "with --all: list what would be replayed, do nothing");
  replay->add_flag("--yes", options->yes, "with --all: do not ask for confirmation");
  OnRun(replay, context, [&context, options] {
    return RunDeadLetterAction(context, *options, "replay", [&](const std::string& dead_letter) {
      return context.Api(ServiceNamed(options->service))
          .Call("POST", DeadLetterPath(dead_letter, "/replay"))
          .body;
    });
  });

  auto* discard = dead_letters->add_subcommand(
      "discard", "give dead letters up for good, with a reason (POST /api/dead-letters/{id}/discard)");
  AddServiceOption(discard, *options);
  discard->add_option("ids", options->ids, "dead letter ids")->required();
  discard->add_option("--reason", options->reason,
                      "why (recorded with the dead letter and in the audit trail)");
  OnRun(discard, context, [&context, options] {
    return RunDeadLetterAction(context, *options, "discard", [&](const std::string& dead_letter) {
      Json body = Json::object();
      if (!options->reason.empty()) body["reason"] = options->reason;
      return context.Api(ServiceNamed(options->service))
          .Call("POST", DeadLetterPath(dead_letter, "/discard"), body)
          .body;
    });
  });
}

}  // namespace saga::sagactl
