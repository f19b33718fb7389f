#include <gtest/gtest.h>

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"
#include "saga/pg/connection.hpp"

namespace saga::pg {
namespace {

TEST(RedactDsnTest, HidesPasswords) {
  EXPECT_EQ(RedactDsn("host=h user=u password=s3cret dbname=d"), "host=h user=u password=*** dbname=d");
  EXPECT_EQ(RedactDsn("host=h password = 'a b' dbname=d"), "host=h password = *** dbname=d");
  EXPECT_EQ(RedactDsn("postgresql://user:pw@host:5432/db"), "postgresql://user:***@host:5432/db");
  EXPECT_EQ(RedactDsn("host=h dbname=d"), "host=h dbname=d");
}

TEST(PgConfigTest, RequiresDsn) {
  auto empty = config::ConfigSource::FromMap({}, [](const std::string&) { return std::nullopt; });
  EXPECT_THROW((void)PgConfig::FromSource(empty), core::ConfigError);
  auto source = config::ConfigSource::FromMap({{"pg.dsn", "host=h"}, {"pg.connect_timeout_ms", "5000"}},
                                              [](const std::string&) { return std::nullopt; });
  auto config = PgConfig::FromSource(source);
  EXPECT_EQ(config.dsn, "host=h");
  EXPECT_EQ(config.connect_timeout, std::chrono::seconds(5));
}

}  // namespace
}  // namespace saga::pg
