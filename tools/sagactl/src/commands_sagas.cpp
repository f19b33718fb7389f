// sagas show / list / retry / compensate: the order service's saga orchestrator, for operators.
// retry and compensate act on the orders given, or on every saga a filter (state, time in that
// state) selects: listed first, confirmed (--yes), then one call per saga.
#include "saga/sagactl/commands.hpp"

namespace saga::sagactl {

namespace {

const std::vector<std::string> kSagaColumns{
    "orderId", "sagaId", "state", "stepAttempts", "compensationAttempts", "updatedAt", "deadline", "outcome"};

const std::vector<std::string> kSagaStates{"ReservingInventory",
                                           "ProcessingPayment",
                                           "CommittingInventory",
                                           "Completed",
                                           "RefundingPayment",
                                           "ReleasingInventory",
                                           "Failed",
                                           "Cancelled",
                                           "CompensationFailed"};

struct Filter {
  std::string state;
  std::string min_age_s;
  std::string limit;
};

void AddFilterOptions(CLI::App* cmd, Filter& filter) {
  cmd->add_option("--state", filter.state, "sagas in this state (server default CompensationFailed)")
      ->check(CLI::IsMember(kSagaStates));
  cmd->add_option("--min-age-s", filter.min_age_s, "only sagas unchanged for at least this many seconds")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--limit", filter.limit, "at most this many (1..200, server default 50)")
      ->check(CLI::Range(1, 200));
}

Json ListSagas(Context& context, const Filter& filter) {
  return context.Api(Service::kOrder)
      .Call("GET", "/api/sagas" +
                       QueryString(
                           {{"state", filter.state}, {"minAgeS", filter.min_age_s}, {"limit", filter.limit}}))
      .body;
}

std::string RenderSagaList(const Json& list) {
  std::string counts;
  if (list.contains("counts") && list["counts"].is_object()) {
    for (const auto& [state, count] : list["counts"].items()) counts += " " + state + "=" + Cell(count);
  }
  return RenderList(list["items"], kSagaColumns) + "state " + Cell(list, "state") + ": " +
         std::to_string(list["items"].size()) + " listed; all states:" + (counts.empty() ? " -" : counts) +
         "\n";
}

struct BatchOptions {
  std::vector<std::string> ids;
  Filter filter;
  bool dry_run = false;
  bool yes = false;
  std::string reason;
};

// retry / compensate: the orders given, or those the filter selects.
int RunSagaAction(Context& context, const BatchOptions& options, const std::string& verb,
                  const std::function<Json(const std::string& order_id)>& act) {
  const bool by_filter = !options.filter.state.empty() || !options.filter.min_age_s.empty();
  if (options.ids.empty() == !by_filter) {
    throw CommandError(Exit::kUsage, verb + ": give ORDER_IDs or a filter (--state, --min-age-s), not both");
  }
  auto ids = options.ids;
  if (by_filter) {
    const auto list = ListSagas(context, options.filter);
    for (const auto& item : list["items"]) ids.push_back(Cell(item, "orderId"));
    if (options.dry_run) {
      context.Print(list, RenderSagaList(list) + "dry run: would " + verb + " " + std::to_string(ids.size()) +
                              " saga(s)\n");
      return Code(Exit::kOk);
    }
    if (!ids.empty() &&
        !Confirm(context, options.yes, verb + " " + std::to_string(ids.size()) + " saga(s)")) {
      *context.err << "sagactl: nothing done\n";
      return Code(Exit::kOk);
    }
  }
  return RunBatch(context, ids, verb, act, "state");
}

CLI::App* AddSagaAction(CLI::App* sagas, Context& context, const std::string& name, const std::string& help,
                        const std::shared_ptr<BatchOptions>& options,
                        std::function<Json(Context&, const BatchOptions&, const std::string&)> act) {
  auto* cmd = sagas->add_subcommand(name, help);
  cmd->add_option("order-ids", options->ids, "the orders whose sagas to act on");
  AddFilterOptions(cmd, options->filter);
  cmd->add_flag("--dry-run", options->dry_run, "with a filter: list what would be acted on, do nothing");
  cmd->add_flag("--yes", options->yes, "with a filter: do not ask for confirmation");
  OnRun(cmd, context, [&context, options, name, act] {
    return RunSagaAction(context, *options, name,
                         [&](const std::string& order_id) { return act(context, *options, order_id); });
  });
  return cmd;
}

std::string SagaPath(const std::string& order_id, const std::string& suffix = {}) {
  return "/api/orders/" + UrlEncode(order_id) + "/saga" + suffix;
}

}  // namespace

void AddSagaCommands(CLI::App& app, Context& context) {
  auto* sagas = app.add_subcommand("sagas", "the order sagas: timelines, stuck ones, retry and compensation");
  sagas->require_subcommand(1);

  auto order_id = std::make_shared<std::string>();
  auto* show =
      sagas->add_subcommand("show", "one order's saga with its timeline (GET /api/orders/{id}/saga)");
  show->add_option("order-id", *order_id, "order id")->required();
  OnRun(show, context, [&context, order_id] {
    return PrintObject(context, context.Api(Service::kOrder).Call("GET", SagaPath(*order_id)).body);
  });

  auto filter = std::make_shared<Filter>();
  auto* list = sagas->add_subcommand(
      "list", "sagas in one state, oldest first, with counts per state (GET /api/sagas)");
  AddFilterOptions(list, *filter);
  OnRun(list, context, [&context, filter] {
    const auto reply = ListSagas(context, *filter);
    context.Print(reply, RenderSagaList(reply));
    return 0;
  });

  AddSagaAction(
      sagas, context, "retry",
      "run the saga's current step again (POST /api/orders/{id}/saga/retry), for each order or each saga "
      "the filter selects",
      std::make_shared<BatchOptions>(), [](Context& ctx, const BatchOptions&, const std::string& id) {
        return ctx.Api(Service::kOrder).Call("POST", SagaPath(id, "/retry")).body;
      });
  auto compensate = std::make_shared<BatchOptions>();
  AddSagaAction(
      sagas, context, "compensate",
      "force compensation: release stock, refund, end Failed (POST /api/orders/{id}/saga/compensate)",
      compensate,
      [](Context& ctx, const BatchOptions& options, const std::string& id) {
        Json body = Json::object();
        if (!options.reason.empty()) body["reason"] = options.reason;
        return ctx.Api(Service::kOrder).Call("POST", SagaPath(id, "/compensate"), body).body;
      })
      ->add_option("--reason", compensate->reason, "why (recorded in the saga and the audit trail)");
}

}  // namespace saga::sagactl
