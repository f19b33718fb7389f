// Idempotency-Key handling against the real PostgreSQL: replays, body mismatch, concurrent
// duplicates, answers that are not kept, expiry.
#include "saga/service/idempotency.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "saga/testing/migrated_database.hpp"

namespace saga::service::testing_migrations {
std::vector<saga::pg::Migration> Migrations();
}

namespace saga::service {
namespace {

http::Request Post(const std::string& key, const std::string& body) {
  http::Request request{http::Verb::post, "/api/things", 11};
  if (!key.empty()) request.set("Idempotency-Key", key);
  request.set(http::beast_http::field::content_type, "application/json");
  request.body() = body;
  return request;
}

http::RequestContext Client(const std::string& id) {
  http::RequestContext context;
  context.client_id = id;
  return context;
}

class IdempotencyTest : public ::testing::Test {
 protected:
  saga::testing::MigratedDatabase db_{testing_migrations::Migrations(), 8};
  IdempotencyStore store_{db_.Pool(), std::chrono::hours(24)};
  std::atomic<int> created_{0};

  http::Response Create(const http::Request& request, const http::RequestContext& context) {
    return Idempotent(store_, request, context, "POST /api/things",
                      [this](const core::Uuid& id, bool /*new_id*/) {
                        ++created_;
                        auto res = http::JsonResponse(http::Status::accepted, {{"id", id.ToString()}});
                        res.set(http::beast_http::field::location, "/api/things/" + id.ToString());
                        return res;
                      });
  }
};

TEST_F(IdempotencyTest, RetryReplaysTheFirstAnswer) {
  auto first = Create(Post("k-1", R"({"a":1,"b":[1,2]})"), Client("c1"));
  auto retry = Create(Post("k-1", "{ \"b\": [1, 2], \"a\": 1 }"), Client("c1"));
  EXPECT_EQ(created_, 1) << "same key, same JSON: nothing new";
  EXPECT_EQ(retry.result(), http::Status::accepted);
  EXPECT_EQ(retry.body(), first.body());
  EXPECT_EQ(retry[http::beast_http::field::location], first[http::beast_http::field::location]);
  EXPECT_EQ(retry["Idempotent-Replayed"], "true");
  EXPECT_EQ(retry[http::beast_http::field::content_type], "application/json");
  EXPECT_TRUE(first["Idempotent-Replayed"].empty());
}

// The claim commits asynchronously, set for its own statement's transaction: the connection goes
// back to the pool committing synchronously, as every other user expects.
TEST_F(IdempotencyTest, TheAsynchronousCommitOfClaimsDoesNotOutliveTheirStatements) {
  pg::ConnectionPool one(db_.Config(), 1, std::chrono::seconds(5));
  IdempotencyStore store(one, std::chrono::hours(24));
  const auto answer =
      Idempotent(store, Post("k-async", "{}"), Client("c"), "op", [](const core::Uuid& id, bool) {
        return http::JsonResponse(http::Status::created, {{"id", id.ToString()}});
      });
  EXPECT_EQ(answer.result(), http::Status::created);
  auto lease = one.Acquire();
  pqxx::nontransaction tx(*lease);
  EXPECT_EQ(tx.exec1("SHOW synchronous_commit")[0].as<std::string>(), "on");
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM idempotency_keys WHERE key = 'k-async' AND status_code = 201")[0]
                .as<int>(),
            1);
}

TEST_F(IdempotencyTest, KeysAreScopedByClientAndAbsentKeyAlwaysCreates) {
  auto a = Create(Post("k", "{}"), Client("c1"));
  auto b = Create(Post("k", "{}"), Client("c2"));
  EXPECT_NE(a.body(), b.body());
  (void)Create(Post("", "{}"), Client("c1"));
  (void)Create(Post("", "{}"), Client("c1"));
  EXPECT_EQ(created_, 4);
}

TEST_F(IdempotencyTest, SameKeyWithAnotherBodyIs422) {
  (void)Create(Post("k-2", R"({"a":1})"), Client("c1"));
  try {
    (void)Create(Post("k-2", R"({"a":2})"), Client("c1"));
    FAIL() << "expected a 422";
  } catch (const http::ProblemError& e) {
    EXPECT_EQ(e.GetStatus(), http::Status::unprocessable_entity);
  }
  EXPECT_EQ(created_, 1);
}

TEST_F(IdempotencyTest, MalformedKeyIs400) {
  for (const std::string& key :
       {std::string("has space"), std::string(256, 'k'), std::string("caf\xc3\xa9")}) {
    try {
      (void)Create(Post(key, "{}"), Client("c1"));
      FAIL() << key;
    } catch (const http::ProblemError& e) {
      EXPECT_EQ(e.GetStatus(), http::Status::bad_request);
    }
  }
  EXPECT_EQ(created_, 0);
}

TEST_F(IdempotencyTest, NonFinalAnswersAreNotKeptAndTheRetryReusesTheResourceId) {
  std::vector<std::string> ids;
  std::vector<bool> new_ids;
  auto flaky = [&](const core::Uuid& id, bool new_id) {
    ids.push_back(id.ToString());
    new_ids.push_back(new_id);
    if (ids.size() == 1) return http::ProblemResponse(http::Status::service_unavailable, "Unavailable", "");
    if (ids.size() == 2) throw http::ProblemError(http::Status::conflict, "Conflict", "busy");
    return http::JsonResponse(http::Status::created, {{"id", id.ToString()}});
  };
  const auto request = Post("k-3", "{}");
  EXPECT_EQ(Idempotent(store_, request, Client("c"), "op", flaky).result(),
            http::Status::service_unavailable);
  EXPECT_EQ(Idempotent(store_, request, Client("c"), "op", flaky).result(), http::Status::conflict);
  EXPECT_EQ(Idempotent(store_, request, Client("c"), "op", flaky).result(), http::Status::created);
  EXPECT_EQ(Idempotent(store_, request, Client("c"), "op", flaky)["Idempotent-Replayed"], "true");
  ASSERT_EQ(ids.size(), 3U);
  EXPECT_EQ(ids[0], ids[1]);
  EXPECT_EQ(ids[1], ids[2]) << "every attempt of one key creates under the same id";
  EXPECT_EQ(new_ids, (std::vector<bool>{true, false, false})) << "only the claiming attempt has a new id";
}

TEST_F(IdempotencyTest, BusinessRefusalsAreKept) {
  int calls = 0;
  auto refuse = [&](const core::Uuid&, bool) -> http::Response {
    ++calls;
    throw http::ProblemError(http::Status::unprocessable_entity, "Insufficient stock", "no");
  };
  const auto request = Post("k-4", "{}");
  EXPECT_EQ(Idempotent(store_, request, Client("c"), "op", refuse).result(),
            http::Status::unprocessable_entity);
  auto replay = Idempotent(store_, request, Client("c"), "op", refuse);
  EXPECT_EQ(replay.result(), http::Status::unprocessable_entity);
  EXPECT_EQ(replay[http::beast_http::field::content_type], "application/problem+json");
  EXPECT_EQ(calls, 1);
}

TEST_F(IdempotencyTest, ConcurrentDuplicatesShareOneResourceId) {
  std::mutex mu;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto res = Idempotent(store_, Post("k-5", "{}"), Client("c"), "op", [&](const core::Uuid& id, bool) {
        std::lock_guard lock(mu);
        ids.insert(id.ToString());
        return http::JsonResponse(http::Status::accepted, {{"id", id.ToString()}});
      });
      EXPECT_EQ(res.result(), http::Status::accepted);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 1U);
}

TEST_F(IdempotencyTest, ExpiredKeysAreReclaimedAndPurged) {
  IdempotencyStore short_lived(db_.Pool(), std::chrono::seconds(60));
  auto first = short_lived.Claim("c", "op", "k-6", "h1");
  short_lived.Complete("c", "op", "k-6", StoredResponse{201, "application/json", "", "", "{}"});
  db_.Exec("UPDATE idempotency_keys SET created_at = now() - interval '2 minutes'");
  auto again = short_lived.Claim("c", "op", "k-6", "h2");
  EXPECT_FALSE(again.body_mismatch) << "an expired key is free again";
  EXPECT_FALSE(again.stored.has_value());
  EXPECT_NE(again.resource_id, first.resource_id);
  (void)short_lived.Claim("c", "op", "k-7", "h");
  db_.Exec("UPDATE idempotency_keys SET created_at = now() - interval '2 minutes' WHERE key = 'k-7'");
  EXPECT_EQ(short_lived.PurgeExpired(), 1);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM idempotency_keys"), 1);
}

}  // namespace
}  // namespace saga::service
