#include "saga/observability/logging.hpp"

#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "saga/core/errors.hpp"

namespace saga::observability {
namespace {

struct CapturedLogger {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> logger;
  CapturedLogger() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
    logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_formatter(std::make_unique<JsonFormatter>("order"));
  }
  nlohmann::json Line() {
    logger->flush();
    return nlohmann::json::parse(out.str());
  }
};

TEST(LoggingTest, WritesOneJsonObjectPerLine) {
  CapturedLogger captured;
  captured.logger->warn("stock low for {}", "sku-1");
  auto line = captured.Line();
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["service"], "order");
  EXPECT_EQ(line["msg"], "stock low for sku-1");
  const std::string ts = line["ts"];
  EXPECT_EQ(ts.size(), 24U) << ts;  // 2026-11-24T23:59:59.123Z
  EXPECT_EQ(ts.back(), 'Z');
}

TEST(LoggingTest, EscapesQuotesNewlinesAndControlCharacters) {
  CapturedLogger captured;
  captured.logger->info("a \"quoted\"\nline\\ with \x01 control");
  auto line = captured.Line();
  EXPECT_EQ(line["msg"], "a \"quoted\"\nline\\ with \x01 control");
}

TEST(LoggingTest, ScopedFieldsAreAddedAndRemoved) {
  CapturedLogger captured;
  {
    ScopedLogFields outer({{"correlation_id", "c-1"}});
    ScopedLogFields inner({{"saga_id", "s-1"}});
    captured.logger->info("inside");
  }
  auto line = captured.Line();
  EXPECT_EQ(line["correlation_id"], "c-1");
  EXPECT_EQ(line["saga_id"], "s-1");

  CapturedLogger after;
  after.logger->info("outside");
  auto plain = after.Line();
  EXPECT_FALSE(plain.contains("correlation_id"));
}

TEST(LoggingTest, AnInnerScopeOverridesAKeyOnceAndEmptyValuesAreLeftOut) {
  CapturedLogger captured;
  {
    ScopedLogFields outer({{"trace_id", "outer"}, {"saga_id", ""}});
    ScopedLogFields inner({{"trace_id", "inner"}});
    captured.logger->info("inside");
  }
  const auto text = captured.out.str();
  EXPECT_EQ(text.find("outer"), std::string::npos) << text;
  EXPECT_EQ(text.find("\"trace_id\"", text.find("\"trace_id\"") + 1), std::string::npos) << "one key once";
  auto line = captured.Line();
  EXPECT_EQ(line["trace_id"], "inner");
  EXPECT_FALSE(line.contains("saga_id"));
}

TEST(LoggingTest, TheTextFormatShowsTheContextFieldsToo) {
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  logger->set_formatter(MakeTextFormatter("payment"));
  {
    ScopedLogFields fields({{"trace_id", "abc"}, {"order_id", "o-1"}});
    logger->info("charged");
  }
  logger->flush();
  const auto text = out.str();
  EXPECT_NE(text.find("[payment] charged trace_id=abc order_id=o-1"), std::string::npos) << text;
}

TEST(LoggingTest, RejectsUnknownLevel) {
  LogConfig config;
  config.level = "loud";
  EXPECT_THROW(config.Validate(), core::ConfigError);
  config.level = "debug";
  EXPECT_NO_THROW(config.Validate());
}

}  // namespace
}  // namespace saga::observability
