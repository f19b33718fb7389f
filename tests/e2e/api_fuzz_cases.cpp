// Fuzzing the three REST APIs: random and mutated JSON bodies, paths, query strings and
// headers against every documented operation, and malformed HTTP on the wire. No input may
// make a service answer 5xx or stop; answers to documented paths must still match the
// OpenAPI document. Seeded (SAGA_FUZZ_SEED overrides; the seed is printed), so a failure can be
// replayed.
#include <gtest/gtest.h>

#include <random>

#include "saga/core/uuid.hpp"
#include "saga/testing/http_client.hpp"
#include "tests/e2e/api_fixture.hpp"

namespace saga::e2e {
namespace {

using nlohmann::json;

std::uint64_t Seed() {
  const char* env = std::getenv("SAGA_FUZZ_SEED");
  return env != nullptr ? std::stoull(env) : 20261125ULL;
}

class Fuzzer {
 public:
  explicit Fuzzer(std::uint64_t seed) : rng_(seed) {}

  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(Int(0, static_cast<int>(items.size()) - 1))];
  }

  std::string Text() {
    static const std::vector<std::string> kTexts = {"",
                                                    " ",
                                                    "a",
                                                    "ABC-1",
                                                    "x\ty",
                                                    "\xc3\xa9t\xc3\xa9",
                                                    "\xff\xfe",
                                                    "null",
                                                    "0",
                                                    "-1",
                                                    "1e309",
                                                    std::string(300, 'z'),
                                                    "' OR 1=1 --",
                                                    "%00",
                                                    "../..",
                                                    "{\"a\":1}",
                                                    "\xe2\x80\xae",
                                                    "EUR",
                                                    "eur",
                                                    core::Uuid::Random().ToString(),
                                                    "00000000-0000-0000-0000-000000000000",
                                                    "Completed",
                                                    "Created"};
    return Pick(kTexts);
  }

  json Scalar() {
    switch (Int(0, 9)) {
      case 0:
        return nullptr;
      case 1:
        return Chance(50);
      case 2:
        return Int(-5, 5);
      case 3:
        return std::numeric_limits<std::int64_t>::max();
      case 4:
        return std::numeric_limits<std::int64_t>::min();
      case 5:
        return 18446744073709551615ULL;
      case 6:
        return 3.75;
      case 7:
        return -1e300;
      default:
        return Text();
    }
  }

  json Value(int depth) {
    if (depth > 3 || Chance(55)) return Scalar();
    if (Chance(50)) {
      json array = json::array();
      for (int i = Int(0, 3); i > 0; --i) array.push_back(Value(depth + 1));
      return array;
    }
    json object = json::object();
    for (int i = Int(0, 4); i > 0; --i) object[Pick(Keys())] = Value(depth + 1);
    return object;
  }

  static const std::vector<std::string>& Keys() {
    static const std::vector<std::string> kKeys = {
        "customerId", "items",  "productId",   "quantity", "orderId",    "name",
        "sku",        "price",  "amountMinor", "currency", "ttlSeconds", "transactionId",
        "reason",     "status", "totalAmount", "amount",   "id",         "",
        "x"};
    return kKeys;
  }

  // A valid-looking body with one to three mutations: a member replaced, removed or added.
  json Mutate(json body) {
    for (int n = Int(1, 3); n > 0; --n) {
      json* target = &body;
      // Walk into a random nested object or array now and then.
      while (Chance(40) && (target->is_object() || target->is_array()) && !target->empty()) {
        auto it = target->begin();
        std::advance(it, Int(0, static_cast<int>(target->size()) - 1));
        if (!it->is_object() && !it->is_array()) break;
        target = &*it;
      }
      if (target->is_object()) {
        const auto key = Pick(Keys());
        if (Chance(30)) {
          target->erase(key);
        } else {
          (*target)[key] = Value(1);
        }
      } else if (target->is_array()) {
        if (Chance(50)) {
          target->push_back(Value(1));
        } else if (!target->empty()) {
          (*target)[0] = Value(1);
        }
      }
    }
    return body;
  }

  std::string Body(const json& valid) {
    switch (Int(0, 9)) {
      case 0:
        return "";
      case 1:
        return Dump(Value(0));
      case 2: {
        auto text = Dump(valid);
        return text.substr(0, static_cast<std::size_t>(Int(0, static_cast<int>(text.size()))));
      }
      case 3:
        return std::string(static_cast<std::size_t>(Int(1, 5000)), '[');
      case 4: {
        std::string bytes;
        for (int i = Int(1, 64); i > 0; --i) bytes.push_back(static_cast<char>(Int(0, 255)));
        return bytes;
      }
      case 5:
        return "{\"customerId\":\"" + core::Uuid::Random().ToString() + "\",\"customerId\":7}";
      default:
        return Dump(Mutate(valid));
    }
  }

  // Invalid UTF-8 inside strings becomes U+FFFD (raw bytes are sent by another case).
  static std::string Dump(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
  }

  std::string PathSegment(const std::vector<std::string>& known_ids) {
    switch (Int(0, 5)) {
      case 0:
        return core::Uuid::Random().ToString();
      case 1:
        return known_ids.empty() ? "x" : Pick(known_ids);
      case 2:
        return "%2e%2e";
      case 3:
        return std::string(static_cast<std::size_t>(Int(37, 2000)), 'a');
      case 4:
        return "%ff%00";
      default:
        return core::Uuid::Random().ToString().substr(0, static_cast<std::size_t>(Int(0, 35)));
    }
  }

  std::string Query() {
    if (Chance(50)) return "";
    std::string query = "?";
    for (int i = Int(1, 4); i > 0; --i) {
      static const std::vector<std::string> kParams = {
          "limit", "offset", "status", "customerId", "threshold", "x", "limit", "%zz", ""};
      static const std::vector<std::string> kValues = {"0",
                                                       "1",
                                                       "50",
                                                       "201",
                                                       "-3",
                                                       "abc",
                                                       "Created",
                                                       "9999999999999999999999",
                                                       core::Uuid::Random().ToString(),
                                                       "",
                                                       "%41",
                                                       "%"};
      query += Pick(kParams) + "=" + Pick(kValues) + "&";
    }
    return query;
  }

  std::map<std::string, std::string> Headers() {
    std::map<std::string, std::string> headers;
    static const std::vector<std::string> kTypes = {"application/json",   "application/json; charset=utf-8",
                                                    "text/plain",         "",
                                                    "application/json;;", "multipart/form-data"};
    if (Chance(80)) headers["Content-Type"] = Pick(kTypes);
    if (Chance(20)) headers["Idempotency-Key"] = Chance(50) ? core::Uuid::Random().ToString() : Text();
    if (Chance(20)) headers["If-Match"] = Chance(50) ? "\"" + std::to_string(Int(0, 3)) + "\"" : Text();
    if (Chance(20)) headers["If-None-Match"] = Chance(50) ? "\"1\"" : Text();
    return headers;
  }

 private:
  std::mt19937_64 rng_;
};

// A valid body per operation, the starting point of mutations.
json ValidBody(const std::string& path, const std::vector<std::string>& ids) {
  const auto id = ids.empty() ? core::Uuid::Random().ToString() : ids.front();
  if (path == "/api/orders") {
    return {{"customerId", core::Uuid::Random().ToString()},
            {"items", {{{"productId", id}, {"quantity", 1}}}}};
  }
  if (path == "/api/inventory") {
    return {{"name", "Fuzz"},
            {"sku", "FUZZ-1"},
            {"price", {{"amountMinor", 100}, {"currency", "EUR"}}},
            {"quantity", 5}};
  }
  if (path == "/api/inventory/reserve") {
    return {{"orderId", core::Uuid::Random().ToString()}, {"items", {{{"productId", id}, {"quantity", 1}}}}};
  }
  if (path == "/api/inventory/{id}/stock") return {{"quantity", 3}};
  if (path == "/api/payments") return {{"orderId", id}};
  if (path == "/api/payments/{id}/complete") return {{"transactionId", "tx-1"}};
  if (path == "/api/payments/{id}/fail") return {{"reason", "declined"}};
  return json::object();
}

std::string Fill(std::string path, Fuzzer& fuzz, const std::vector<std::string>& ids) {
  for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
    path.replace(open, path.find('}', open) - open + 1, fuzz.PathSegment(ids));
  }
  return path;
}

void FuzzService(ServiceUnderTest& service, const std::vector<std::string>& ids, std::uint64_t seed,
                 int rounds) {
  ApiClient api(service);
  Fuzzer fuzz(seed);
  const auto operations = api.Validator().Operations();
  const std::vector<std::pair<std::string, std::string>> ops(operations.begin(), operations.end());
  for (int i = 0; i < rounds && !::testing::Test::HasFatalFailure(); ++i) {
    const auto& [method, path] = fuzz.Pick(ops);
    const auto target = Fill(path, fuzz, ids) + fuzz.Query();
    const auto body = method == "GET" ? std::string() : fuzz.Body(ValidBody(path, ids));
    SCOPED_TRACE(service.Name() + " round " + std::to_string(i) + ": " + method + " " +
                 target.substr(0, 200));
    // Answers to documented paths must match the document; others (a mangled path) only
    // must not be 5xx.
    auto reply = api.Validator().MatchPath(target.substr(0, target.find('?')))
                     ? api.Call(method, target, body, fuzz.Headers())
                     : api.Raw(method, target, body, fuzz.Headers());
    EXPECT_LT(reply.status, 500) << reply.body;
    ASSERT_NE(reply.status, 0) << "no answer: did the service die?\n" << service.Log();
  }
  EXPECT_TRUE(service.Running()) << service.Log();
  EXPECT_EQ(testing::HttpRequest("127.0.0.1", service.Port(), "GET", "/health/live").status, 200);
}

class ApiFuzzTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::printf("fuzz seed %llu (set SAGA_FUZZ_SEED to replay)\n", static_cast<unsigned long long>(Seed()));
  }
};

TEST_F(ApiFuzzTest, InventoryNeverAnswers5xx) {
  ApiClient inventory(System::Get().inventory());
  std::vector<std::string> ids{CreateProduct(inventory, 100, 1000)["id"]};
  FuzzService(System::Get().inventory(), ids, Seed(), 1500);
}

TEST_F(ApiFuzzTest, OrderNeverAnswers5xx) {
  ApiClient inventory(System::Get().inventory());
  ApiClient orders(System::Get().order());
  const auto product = CreateProduct(inventory, 100, 1000)["id"].get<std::string>();
  auto order = orders.Call("POST", "/api/orders",
                           json{{"customerId", core::Uuid::Random().ToString()},
                                {"items", {{{"productId", product}, {"quantity", 1}}}},
                                {"paymentToken", "tok_sim_approve"}});
  FuzzService(System::Get().order(), {product, order.json["id"]}, Seed() + 1, 1500);
}

TEST_F(ApiFuzzTest, PaymentNeverAnswers5xx) {
  ApiClient inventory(System::Get().inventory());
  ApiClient orders(System::Get().order());
  ApiClient payments(System::Get().payment());
  const auto product = CreateProduct(inventory, 100, 1000)["id"].get<std::string>();
  const auto order = orders
                         .Call("POST", "/api/orders",
                               json{{"customerId", core::Uuid::Random().ToString()},
                                    {"items", {{{"productId", product}, {"quantity", 1}}}},
                                    {"paymentToken", "tok_sim_approve"}})
                         .json["id"]
                         .get<std::string>();
  const auto payment =
      payments.Call("POST", "/api/payments", json{{"orderId", order}}).json["id"].get<std::string>();
  FuzzService(System::Get().payment(), {order, payment}, Seed() + 2, 1500);
}

TEST_F(ApiFuzzTest, MalformedHttpNeverCrashesAService) {
  const std::vector<std::string> garbage = {
      "GARBAGE\r\n\r\n",
      "GET /api/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{",
      "POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
      "POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "POST /api/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /api/orders HTTP/1.1\r\nHost: x\r\nX: " + std::string(40000, 'b') + "\r\n\r\n",
      "GET api/orders HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /api/orders HTTP/9.9\r\nHost: x\r\n\r\n",
      std::string("\x00\x01\x02\xff", 4),
  };
  for (auto* service : {&System::Get().inventory(), &System::Get().order(), &System::Get().payment()}) {
    for (const auto& bytes : garbage) {
      const auto answer = testing::SendRaw("127.0.0.1", service->Port(), bytes, std::chrono::seconds(1));
      EXPECT_EQ(answer.find("HTTP/1.1 5"), std::string::npos)
          << service->Name() << ": " << answer.substr(0, 300);
    }
    EXPECT_TRUE(service->Running()) << service->Log();
    EXPECT_EQ(testing::HttpRequest("127.0.0.1", service->Port(), "GET", "/health/live").status, 200);
  }
}

}  // namespace
}  // namespace saga::e2e
