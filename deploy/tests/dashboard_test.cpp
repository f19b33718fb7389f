// Static checks of the Grafana dashboard (deploy/grafana/saga-dashboard.json) against the
// Prometheus rules (deploy/prometheus/rules/*.yml) and the metric catalogue
// (docs/observability.md). Reads the repository files; no Prometheus or Grafana needed
// (promtool's own checks are prometheus_rules_test).
//
// Conventions checked here:
// - every panel but rows has a title, a type, a gridPos inside the 24 columns, and targets whose
//   expr is not empty and whose datasource is the `datasource` template variable; panel ids are
//   unique and panels do not overlap;
// - every metric name in the dashboard's exprs and descriptions and in the rules' exprs and
//   annotations (saga_* and process_*, with _bucket/_sum/_count stripped) is in the first column
//   of a table of docs/observability.md; names with a colon in exprs (level:metric:operation)
//   must be recording rules of the rule files;
// - every alert has `for`, labels.severity warning or critical, and annotations summary,
//   description and runbook;
// - THRESHOLDS: an alert comparing against a number carries annotation `threshold` with that
//   number (its expr must contain a comparison with it), and at least one dashboard panel whose
//   description names the alert (as a whole word) draws it: a step of
//   fieldConfig.defaults.thresholds with exactly that value, and
//   fieldConfig.defaults.custom.thresholdsStyle.mode other than "off". An alert without a
//   threshold must be an absent() alert. Every "Alert <Name>" a panel description mentions must
//   exist.
//
// The rule files are read with a small reader for the YAML they are written in (list items
// `- alert:` / `- record:`, `key: value` scalars, plain or quoted, block scalars `|` and `>-`,
// and the maps labels and annotations), not a general YAML parser: promtool (the other test)
// validates the files themselves.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#ifndef SAGA_SOURCE_DIR
#error "SAGA_SOURCE_DIR (the repository root) must be defined"
#endif

namespace saga::deploy {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kRoot{SAGA_SOURCE_DIR};
const fs::path kDashboard = kRoot / "deploy/grafana/saga-dashboard.json";
const fs::path kRulesDir = kRoot / "deploy/prometheus/rules";
const fs::path kCatalogue = kRoot / "docs/observability.md";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::size_t Indent(const std::string& line) {
  std::size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

// ------------------------------------------------------------------ the metric catalogue

// Backticked names in the first column of the tables of docs/observability.md.
std::set<std::string> CatalogueMetrics() {
  std::set<std::string> names;
  std::istringstream in(ReadFile(kCatalogue));
  const std::regex first_cell(R"(^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|)");
  std::string line;
  std::smatch match;
  while (std::getline(in, line)) {
    if (std::regex_search(line, match, first_cell)) names.insert(match[1].str());
  }
  return names;
}

// ------------------------------------------------------------------ the rule files

struct Rule {
  std::string file;
  std::string kind;  // "alert" or "record"
  std::string name;
  std::string expr;
  std::string for_duration;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

std::string UnquoteScalar(const std::string& raw, const std::string& where) {
  std::string value = Trim(raw);
  if (value.empty()) return value;
  if (value.front() == '"') {
    std::string out;
    for (std::size_t i = 1; i < value.size(); ++i) {
      const char c = value[i];
      if (c == '"') return out;
      if (c == '\\' && i + 1 < value.size()) {
        const char next = value[++i];
        out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
      } else {
        out += c;
      }
    }
    throw std::runtime_error(where + ": unterminated double-quoted scalar");
  }
  if (value.front() == '\'') {
    std::string out;
    for (std::size_t i = 1; i < value.size(); ++i) {
      if (value[i] == '\'') {
        if (i + 1 < value.size() && value[i + 1] == '\'') {
          out += '\'';
          ++i;
          continue;
        }
        return out;
      }
      out += value[i];
    }
    throw std::runtime_error(where + ": unterminated single-quoted scalar");
  }
  const auto comment = value.find(" #");
  return Trim(comment == std::string::npos ? value : value.substr(0, comment));
}

std::vector<Rule> ParseRuleFile(const fs::path& path) {
  std::vector<std::string> lines;
  {
    std::istringstream in(ReadFile(path));
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(line);
    }
  }
  std::vector<Rule> rules;
  Rule* rule = nullptr;
  std::size_t key_indent = 0;  // indent of the keys of the current rule
  std::string map_name;        // "labels" / "annotations" while reading that map
  std::size_t map_indent = 0;  // indent of the map's keys
  const std::regex item(R"(^(\s*)- (alert|record):\s*(.*)$)");
  const std::regex key_value(R"(^([A-Za-z_][A-Za-z0-9_]*):\s?(.*)$)");

  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const std::string where = path.filename().string() + ":" + std::to_string(i + 1);
    const std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    const std::size_t indent = Indent(line);
    std::smatch match;
    if (std::regex_match(line, match, item)) {
      Rule parsed;
      parsed.file = path.filename().string();
      parsed.kind = match[2].str();
      parsed.name = UnquoteScalar(match[3].str(), where);
      rules.push_back(std::move(parsed));
      rule = &rules.back();
      key_indent = static_cast<std::size_t>(match[1].length()) + 2;
      map_name.clear();
      continue;
    }
    if (rule == nullptr) continue;
    if (indent < key_indent) {  // the rule ended (next group, or the file's top level)
      rule = nullptr;
      continue;
    }
    const std::string body = line.substr(indent);
    if (!std::regex_match(body, match, key_value)) {
      throw std::runtime_error(where + ": unexpected line in a rule: " + line);
    }
    const std::string key = match[1].str();
    std::string value = match[2].str();
    const std::string marker = Trim(value);
    if (marker == "|" || marker == "|-" || marker == ">" || marker == ">-") {
      // Block scalar: the following lines indented deeper than the key.
      const bool folded = marker.front() == '>';
      std::string text;
      while (i + 1 < lines.size() && (Trim(lines[i + 1]).empty() || Indent(lines[i + 1]) > indent)) {
        ++i;
        const std::string part = Trim(lines[i]);
        if (part.empty()) {
          text += '\n';
          continue;
        }
        if (!text.empty() && text.back() != '\n') text += folded ? ' ' : '\n';
        text += part;
      }
      value = Trim(text);
    } else {
      value = UnquoteScalar(value, where);
    }

    if (indent == key_indent) {
      map_name.clear();
      if ((key == "labels" || key == "annotations") && value.empty()) {
        map_name = key;
        map_indent = 0;
      } else if (key == "expr") {
        rule->expr = value;
      } else if (key == "for") {
        rule->for_duration = value;
      }
      continue;
    }
    if (map_name.empty()) throw std::runtime_error(where + ": nested key outside labels/annotations");
    if (map_indent == 0) map_indent = indent;
    if (indent != map_indent) throw std::runtime_error(where + ": unexpected indentation");
    (map_name == "labels" ? rule->labels : rule->annotations)[key] = value;
  }
  return rules;
}

std::vector<Rule> LoadRules() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kRulesDir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Rule> rules;
  for (const auto& file : files) {
    auto parsed = ParseRuleFile(file);
    rules.insert(rules.end(), parsed.begin(), parsed.end());
  }
  return rules;
}

// ------------------------------------------------------------------ the dashboard

json LoadDashboard() {
  return json::parse(ReadFile(kDashboard));
}

// Every panel, the panels of collapsed rows included.
std::vector<json> AllPanels(const json& dashboard) {
  std::vector<json> out;
  for (const auto& panel : dashboard.at("panels")) {
    out.push_back(panel);
    if (panel.contains("panels")) {
      for (const auto& inner : panel.at("panels")) out.push_back(inner);
    }
  }
  return out;
}

std::string PanelName(const json& panel) {
  return "panel " + (panel.contains("id") ? panel.at("id").dump() : std::string("?")) + " \"" +
         panel.value("title", std::string()) + "\"";
}

bool IsDatasourceVariable(const json& datasource) {
  if (datasource.is_string()) {
    const auto text = datasource.get<std::string>();
    return text == "${datasource}" || text == "$datasource";
  }
  if (!datasource.is_object() || !datasource.contains("uid") || !datasource.at("uid").is_string())
    return false;
  const auto uid = datasource.at("uid").get<std::string>();
  return uid == "${datasource}" || uid == "$datasource";
}

// ------------------------------------------------------------------ names in expressions

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':';
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// Identifiers of a PromQL expression (metric, label and function names, recording rules), with
// quoted strings (label values, regexes) skipped when `skip_strings`.
std::vector<std::string> Identifiers(const std::string& text, bool skip_strings) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (skip_strings && (c == '"' || c == '\'' || c == '`')) {
      for (++i; i < text.size() && text[i] != c; ++i) {
        if (text[i] == '\\' && c != '`') ++i;
      }
      continue;
    }
    if (!IsIdentStart(c) || (i > 0 && IsIdentChar(text[i - 1]))) continue;
    std::size_t end = i;
    while (end < text.size() && IsIdentChar(text[end])) ++end;
    out.push_back(text.substr(i, end - i));
    i = end - 1;
  }
  return out;
}

bool IsCatalogueCandidate(const std::string& name) {
  return name.rfind("saga_", 0) == 0 || name.rfind("process_", 0) == 0;
}

bool InCatalogue(const std::set<std::string>& catalogue, const std::string& name) {
  if (catalogue.count(name) != 0) return true;
  for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        catalogue.count(name.substr(0, name.size() - suffix.size())) != 0) {
      return true;
    }
  }
  return false;
}

// Checks the names of one text; appends problems. In exprs (`is_expr`) a name with a colon is a
// recording rule and must be defined; in prose only level:metric:operation-shaped names are.
void CheckNames(const std::string& text, bool is_expr, const std::string& where,
                const std::set<std::string>& catalogue, const std::set<std::string>& recorded,
                std::vector<std::string>& problems) {
  static const std::regex kRecordingShape(R"(^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$)");
  for (const auto& name : Identifiers(text, is_expr)) {
    if (name.find(':') != std::string::npos) {
      if ((is_expr || std::regex_match(name, kRecordingShape)) && recorded.count(name) == 0) {
        problems.push_back(where + ": recording rule " + name + " is not defined in deploy/prometheus/rules");
      }
      continue;
    }
    if (IsCatalogueCandidate(name) && !InCatalogue(catalogue, name)) {
      problems.push_back(where + ": metric " + name + " is not in docs/observability.md");
    }
  }
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += "\n  " + item;
  return out;
}

// ------------------------------------------------------------------ tests

TEST(DashboardTest, InputsAreFoundAndNotEmpty) {
  // Guards the other tests against passing vacuously on a moved or misread file.
  EXPECT_GE(CatalogueMetrics().size(), 40U) << kCatalogue;
  const auto rules = LoadRules();
  const auto alerts =
      std::count_if(rules.begin(), rules.end(), [](const Rule& r) { return r.kind == "alert"; });
  EXPECT_GE(alerts, 8) << kRulesDir;
  for (const auto& rule : rules) {
    EXPECT_FALSE(rule.name.empty()) << rule.file;
    EXPECT_FALSE(rule.expr.empty()) << rule.file << " " << rule.name;
  }
  EXPECT_GE(AllPanels(LoadDashboard()).size(), 20U) << kDashboard;
}

TEST(DashboardTest, ParsesWithADatasourceVariable) {
  json dashboard;
  ASSERT_NO_THROW(dashboard = LoadDashboard());
  EXPECT_FALSE(dashboard.value("title", std::string()).empty());
  EXPECT_FALSE(dashboard.value("uid", std::string()).empty());
  EXPECT_GE(dashboard.value("schemaVersion", 0), 36);
  bool found = false;
  for (const auto& variable : dashboard.at("templating").at("list")) {
    if (variable.value("name", std::string()) == "datasource") {
      found = true;
      EXPECT_EQ(variable.value("type", std::string()), "datasource");
      EXPECT_EQ(variable.value("query", std::string()), "prometheus");
    } else if (variable.contains("datasource")) {
      EXPECT_TRUE(IsDatasourceVariable(variable.at("datasource")))
          << "variable " << variable.value("name", "");
    }
  }
  EXPECT_TRUE(found) << "no template variable named datasource";
}

TEST(DashboardTest, EveryPanelHasTitleTypeGridPosAndQueriesOnTheDatasourceVariable) {
  const auto dashboard = LoadDashboard();
  std::vector<std::string> problems;
  for (const auto& panel : AllPanels(dashboard)) {
    const auto name = PanelName(panel);
    if (panel.value("title", std::string()).empty()) problems.push_back(name + ": no title");
    const auto type = panel.value("type", std::string());
    if (type.empty()) problems.push_back(name + ": no type");
    if (!panel.contains("gridPos")) {
      problems.push_back(name + ": no gridPos");
    } else {
      const auto& grid = panel.at("gridPos");
      const int x = grid.value("x", -1);
      const int y = grid.value("y", -1);
      const int w = grid.value("w", 0);
      const int h = grid.value("h", 0);
      if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > 24)
        problems.push_back(name + ": bad gridPos " + grid.dump());
    }
    if (type == "row") continue;
    if (!panel.contains("datasource") || !IsDatasourceVariable(panel.at("datasource"))) {
      problems.push_back(name + ": datasource is not ${datasource}");
    }
    if (!panel.contains("targets") || !panel.at("targets").is_array() || panel.at("targets").empty()) {
      problems.push_back(name + ": no targets");
      continue;
    }
    std::set<std::string> ref_ids;
    for (const auto& target : panel.at("targets")) {
      const auto ref = target.value("refId", std::string());
      if (ref.empty() || !ref_ids.insert(ref).second)
        problems.push_back(name + ": missing or repeated refId");
      if (Trim(target.value("expr", std::string())).empty())
        problems.push_back(name + ": target " + ref + " without expr");
      if (!target.contains("datasource") || !IsDatasourceVariable(target.at("datasource"))) {
        problems.push_back(name + ": target " + ref + " datasource is not ${datasource}");
      }
    }
  }
  EXPECT_TRUE(problems.empty()) << Join(problems);
}

TEST(DashboardTest, PanelIdsAreUniqueAndPanelsDoNotOverlap) {
  const auto dashboard = LoadDashboard();
  const auto panels = AllPanels(dashboard);
  std::set<int> ids;
  for (const auto& panel : panels) {
    ASSERT_TRUE(panel.contains("id") && panel.at("id").is_number_integer()) << PanelName(panel);
    EXPECT_TRUE(ids.insert(panel.at("id").get<int>()).second) << "repeated id: " << PanelName(panel);
  }
  // Top-level panels share one grid (the panels of collapsed rows are laid out when expanded).
  const auto& top = dashboard.at("panels");
  for (std::size_t a = 0; a < top.size(); ++a) {
    for (std::size_t b = a + 1; b < top.size(); ++b) {
      const auto& g = top[a].at("gridPos");
      const auto& o = top[b].at("gridPos");
      const bool overlap = g.at("x").get<int>() < o.at("x").get<int>() + o.at("w").get<int>() &&
                           o.at("x").get<int>() < g.at("x").get<int>() + g.at("w").get<int>() &&
                           g.at("y").get<int>() < o.at("y").get<int>() + o.at("h").get<int>() &&
                           o.at("y").get<int>() < g.at("y").get<int>() + g.at("h").get<int>();
      EXPECT_FALSE(overlap) << PanelName(top[a]) << " overlaps " << PanelName(top[b]);
    }
  }
}

TEST(DashboardTest, EveryMetricNameIsInTheCatalogue) {
  const auto catalogue = CatalogueMetrics();
  const auto rules = LoadRules();
  std::set<std::string> recorded;
  for (const auto& rule : rules) {
    if (rule.kind == "record") recorded.insert(rule.name);
  }
  std::vector<std::string> problems;
  for (const auto& panel : AllPanels(LoadDashboard())) {
    const auto name = PanelName(panel);
    CheckNames(panel.value("description", std::string()), false, name + " description", catalogue, recorded,
               problems);
    if (!panel.contains("targets")) continue;
    for (const auto& target : panel.at("targets")) {
      CheckNames(target.value("expr", std::string()), true, name + " expr", catalogue, recorded, problems);
    }
  }
  for (const auto& rule : rules) {
    const auto where = rule.file + " " + rule.name;
    CheckNames(rule.expr, true, where + " expr", catalogue, recorded, problems);
    for (const auto& [key, text] : rule.annotations) {
      CheckNames(text, false, where + " annotation " + key, catalogue, recorded, problems);
    }
  }
  EXPECT_TRUE(problems.empty()) << Join(problems);
}

TEST(DashboardTest, AlertsHaveForSeveritySummaryDescriptionAndRunbook) {
  std::set<std::string> names;
  std::vector<std::string> problems;
  for (const auto& rule : LoadRules()) {
    if (rule.kind != "alert") continue;
    const auto where = rule.file + " " + rule.name;
    if (!names.insert(rule.name).second) problems.push_back(where + ": alert defined twice");
    if (rule.for_duration.empty()) problems.push_back(where + ": no for:");
    const auto severity = rule.labels.count("severity") ? rule.labels.at("severity") : "";
    if (severity != "warning" && severity != "critical") {
      problems.push_back(where + ": severity is '" + severity + "', not warning or critical");
    }
    for (const std::string key : {"summary", "description", "runbook"}) {
      if (rule.annotations.count(key) == 0 || Trim(rule.annotations.at(key)).empty()) {
        problems.push_back(where + ": no " + key + " annotation");
      }
    }
  }
  EXPECT_TRUE(problems.empty()) << Join(problems);
}

bool NameAppearsAsWord(const std::string& text, const std::string& name) {
  for (auto pos = text.find(name); pos != std::string::npos; pos = text.find(name, pos + 1)) {
    const bool left = pos == 0 || !IsIdentChar(text[pos - 1]);
    const auto end = pos + name.size();
    const bool right = end >= text.size() || !IsIdentChar(text[end]) || text[end] == ':';
    if (left && right) return true;
  }
  return false;
}

bool SameNumber(double a, double b) {
  return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
}

TEST(DashboardTest, EveryAlertThresholdIsDrawnOnAPanelThatNamesTheAlert) {
  const auto rules = LoadRules();
  const auto panels = AllPanels(LoadDashboard());
  const std::regex comparison(R"((>=|<=|==|!=|>|<)\s*(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?))");
  std::vector<std::string> problems;
  std::set<std::string> alert_names;
  for (const auto& rule : rules) {
    if (rule.kind != "alert") continue;
    alert_names.insert(rule.name);
    const auto where = rule.file + " " + rule.name;
    if (rule.annotations.count("threshold") == 0) {
      if (rule.expr.find("absent(") == std::string::npos) {
        problems.push_back(where + ": no threshold annotation (only absent() alerts may go without)");
      }
      continue;
    }
    double threshold = 0;
    try {
      threshold = std::stod(rule.annotations.at("threshold"));
    } catch (const std::exception&) {
      problems.push_back(where + ": threshold '" + rule.annotations.at("threshold") + "' is not a number");
      continue;
    }
    bool compared = false;
    for (auto it = std::sregex_iterator(rule.expr.begin(), rule.expr.end(), comparison);
         it != std::sregex_iterator(); ++it) {
      if (SameNumber(std::stod((*it)[2].str()), threshold)) compared = true;
    }
    if (!compared)
      problems.push_back(where + ": expr has no comparison with its threshold " +
                         rule.annotations.at("threshold"));

    bool named = false;
    bool drawn = false;
    for (const auto& panel : panels) {
      if (!NameAppearsAsWord(panel.value("description", std::string()), rule.name)) continue;
      named = true;
      const auto defaults = panel.value("/fieldConfig/defaults"_json_pointer, json::object());
      const auto mode = defaults.value("/custom/thresholdsStyle/mode"_json_pointer, std::string("off"));
      if (mode == "off") continue;
      for (const auto& step : defaults.value("/thresholds/steps"_json_pointer, json::array())) {
        if (step.contains("value") && step.at("value").is_number() &&
            SameNumber(step.at("value").get<double>(), threshold)) {
          drawn = true;
        }
      }
    }
    if (!named) {
      problems.push_back(where + ": no dashboard panel names it in its description");
    } else if (!drawn) {
      problems.push_back(where + ": no panel naming it draws the threshold " +
                         rule.annotations.at("threshold") +
                         " (a thresholds step with that value and thresholdsStyle.mode not off)");
    }
  }
  // Panels must not promise alerts that do not exist (renamed or removed).
  const std::regex mentioned(R"(Alert ([A-Z][A-Za-z0-9]+))");
  for (const auto& panel : panels) {
    const auto description = panel.value("description", std::string());
    for (auto it = std::sregex_iterator(description.begin(), description.end(), mentioned);
         it != std::sregex_iterator(); ++it) {
      if (alert_names.count((*it)[1].str()) == 0) {
        problems.push_back(PanelName(panel) + ": describes alert " + (*it)[1].str() +
                           ", which the rules do not define");
      }
    }
  }
  EXPECT_TRUE(problems.empty()) << Join(problems);
}

}  // namespace
}  // namespace saga::deploy
