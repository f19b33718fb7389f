// The JWT verifier against real signatures (libjwt, OpenSSL keys made here): valid HS256, RS256
// and ES256 tokens, and the negative suite every refusal must survive.
#include "saga/auth/jwt.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "saga/core/encoding.hpp"
#include "saga/core/errors.hpp"
#include "saga/testing/test_auth.hpp"

namespace saga::auth {
namespace {

using nlohmann::json;

const core::Timestamp kNow = core::FromUnixMicros(1'790'000'000'000'000);
const std::int64_t kNowS = 1'790'000'000;
const std::string kSecret = "0123456789abcdef0123456789abcdef-dev";
const std::string kOtherSecret = "fedcba9876543210fedcba9876543210-xxx";

using KeyPair = testing::TestKeyPair;

KeyPair Generate(bool ec) {
  return testing::GenerateKeyPair(ec);
}

const KeyPair& Rsa() {
  static const KeyPair pair = Generate(false);
  return pair;
}
const KeyPair& OtherRsa() {
  static const KeyPair pair = Generate(false);
  return pair;
}
const KeyPair& Ec() {
  static const KeyPair pair = Generate(true);
  return pair;
}

json Claims() {
  return {{"sub", "customer-1"}, {"iss", "saga-dev"}, {"aud", "saga-api"},    {"exp", kNowS + 600},
          {"iat", kNowS},        {"jti", "t-1"},      {"roles", {"customer"}}};
}

// A token signed by libjwt with `alg` and `key` (a secret or a private key PEM).
std::string Sign(const json& claims, const std::string& alg, const std::string& key,
                 const std::string& kid = "") {
  return testing::SignToken(claims, alg, key, kid);
}

std::string Part(const std::string& token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  const auto end = token.find('.', start);
  return token.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

JwtConfig Hs256() {
  JwtConfig config;
  config.algorithm = JwtAlgorithm::kHS256;
  config.keys = {{"", kSecret}};
  config.issuer = "saga-dev";
  config.audience = "saga-api";
  return config;
}

JwtConfig PublicKey(JwtAlgorithm algorithm, const std::string& pem) {
  auto config = Hs256();
  config.algorithm = algorithm;
  config.keys = {{"", pem}};
  return config;
}

AuthFailure Refusal(const JwtVerifier& verifier, const std::string& token) {
  const auto result = verifier.Verify(token, kNow);
  EXPECT_FALSE(result.HasValue()) << "accepted: " << token;
  return result.HasValue() ? AuthFailure::kMissing : result.Error();
}

TEST(JwtTest, AValidHs256TokenGivesItsPrincipal) {
  const JwtVerifier verifier(Hs256());
  auto claims = Claims();
  claims["roles"] = {"customer", "admin"};
  const auto principal = verifier.VerifyBearer("Bearer " + Sign(claims, "HS256", kSecret), kNow);
  ASSERT_TRUE(principal.HasValue()) << ToString(principal.Error());
  EXPECT_EQ(principal.Value().subject, "customer-1");
  EXPECT_EQ(principal.Value().roles, (std::vector<std::string>{"customer", "admin"}));
  EXPECT_TRUE(principal.Value().HasRole("admin"));
  EXPECT_FALSE(principal.Value().HasRole("service"));
  EXPECT_EQ(principal.Value().token_id, "t-1");
  EXPECT_EQ(principal.Value().expires_at, core::FromUnixMicros((kNowS + 600) * 1'000'000));
  EXPECT_TRUE(verifier.VerifyBearer("bearer  " + Sign(Claims(), "HS256", kSecret), kNow).HasValue())
      << "the scheme is case-insensitive";
}

TEST(JwtTest, ValidRs256AndEs256TokensVerifyWithThePublicKey) {
  const JwtVerifier rs(PublicKey(JwtAlgorithm::kRS256, Rsa().public_pem));
  EXPECT_TRUE(rs.Verify(Sign(Claims(), "RS256", Rsa().private_pem), kNow).HasValue());
  const JwtVerifier es(PublicKey(JwtAlgorithm::kES256, Ec().public_pem));
  const auto es_result = es.Verify(Sign(Claims(), "ES256", Ec().private_pem), kNow);
  EXPECT_TRUE(es_result.HasValue()) << (es_result.HasValue() ? "" : ToString(es_result.Error()));
}

TEST(JwtTest, MissingOrMalformedHeadersAndTokens) {
  const JwtVerifier verifier(Hs256());
  EXPECT_EQ(verifier.VerifyBearer("", kNow).Error(), AuthFailure::kMissing);
  EXPECT_EQ(verifier.VerifyBearer("Basic dXNlcjpwYXNz", kNow).Error(), AuthFailure::kMalformed);
  EXPECT_EQ(verifier.VerifyBearer("Bearer", kNow).Error(), AuthFailure::kMalformed);
  EXPECT_EQ(verifier.VerifyBearer("Bearer    ", kNow).Error(), AuthFailure::kMissing);
  EXPECT_EQ(Refusal(verifier, "abc.def"), AuthFailure::kMalformed);
  EXPECT_EQ(Refusal(verifier, "a.b.c.d"), AuthFailure::kMalformed);
  EXPECT_EQ(Refusal(verifier, "!!!.e30.sig"), AuthFailure::kMalformed);
  EXPECT_EQ(Refusal(verifier, core::Base64UrlEncode("[1,2]") + ".e30.sig"), AuthFailure::kMalformed)
      << "header not an object";
  const auto good = Sign(Claims(), "HS256", kSecret);
  EXPECT_EQ(Refusal(verifier, Part(good, 0) + ".%%%." + Part(good, 2)), AuthFailure::kBadSignature);
}

TEST(JwtTest, AlgNoneIsRefused) {
  const JwtVerifier verifier(Hs256());
  const auto payload = core::Base64UrlEncode(Claims().dump());
  for (const char* alg : {"none", "None", "NONE"}) {
    const auto header = core::Base64UrlEncode(json{{"alg", alg}, {"typ", "JWT"}}.dump());
    EXPECT_EQ(Refusal(verifier, header + "." + payload + "."), AuthFailure::kAlgorithmNotAllowed) << alg;
    EXPECT_EQ(Refusal(verifier, header + "." + payload + ".c2ln"), AuthFailure::kAlgorithmNotAllowed) << alg;
  }
  EXPECT_EQ(Refusal(verifier, core::Base64UrlEncode(R"({"typ":"JWT"})") + "." + payload + ".c2ln"),
            AuthFailure::kMalformed)
      << "no alg at all";
}

TEST(JwtTest, AlgorithmConfusionIsRefused) {
  // The classic attack: HS256 "signed" with the server's RSA public key as the secret.
  const JwtVerifier rs(PublicKey(JwtAlgorithm::kRS256, Rsa().public_pem));
  EXPECT_EQ(Refusal(rs, Sign(Claims(), "HS256", Rsa().public_pem)), AuthFailure::kAlgorithmNotAllowed);
  // And the other way round: an RS256 token where HS256 is configured; ES where RS is.
  const JwtVerifier hs(Hs256());
  EXPECT_EQ(Refusal(hs, Sign(Claims(), "RS256", Rsa().private_pem)), AuthFailure::kAlgorithmNotAllowed);
  EXPECT_EQ(Refusal(rs, Sign(Claims(), "ES256", Ec().private_pem)), AuthFailure::kAlgorithmNotAllowed);
  EXPECT_EQ(Refusal(hs, Sign(Claims(), "HS512", kSecret)), AuthFailure::kAlgorithmNotAllowed);
}

TEST(JwtTest, AWrongKeyIsRefused) {
  EXPECT_EQ(Refusal(JwtVerifier(Hs256()), Sign(Claims(), "HS256", kOtherSecret)), AuthFailure::kBadSignature);
  const JwtVerifier rs(PublicKey(JwtAlgorithm::kRS256, Rsa().public_pem));
  EXPECT_EQ(Refusal(rs, Sign(Claims(), "RS256", OtherRsa().private_pem)), AuthFailure::kBadSignature);
}

TEST(JwtTest, TamperedPayloadOrSignatureIsRefused) {
  const JwtVerifier verifier(Hs256());
  const auto good = Sign(Claims(), "HS256", kSecret);
  auto admin = Claims();
  admin["roles"] = {"admin"};
  EXPECT_EQ(
      Refusal(verifier, Part(good, 0) + "." + core::Base64UrlEncode(admin.dump()) + "." + Part(good, 2)),
      AuthFailure::kBadSignature);
  auto signature = Part(good, 2);
  signature[3] = signature[3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Refusal(verifier, Part(good, 0) + "." + Part(good, 1) + "." + signature),
            AuthFailure::kBadSignature);
  EXPECT_EQ(Refusal(verifier, Part(good, 0) + "." + Part(good, 1) + "."), AuthFailure::kBadSignature);
  const JwtVerifier rs(PublicKey(JwtAlgorithm::kRS256, Rsa().public_pem));
  const auto rs_good = Sign(Claims(), "RS256", Rsa().private_pem);
  EXPECT_EQ(
      Refusal(rs, Part(rs_good, 0) + "." + core::Base64UrlEncode(admin.dump()) + "." + Part(rs_good, 2)),
      AuthFailure::kBadSignature);
}

TEST(JwtTest, ExpiryIsRequiredAndCheckedWithTheLeeway) {
  const JwtVerifier verifier(Hs256());  // leeway 30 s
  auto claims = Claims();
  claims["exp"] = kNowS - 31;
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kExpired);
  claims["exp"] = kNowS - 10;
  EXPECT_TRUE(verifier.Verify(Sign(claims, "HS256", kSecret), kNow).HasValue()) << "within the leeway";
  claims.erase("exp");
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kNoExpiry);
  claims["exp"] = "tomorrow";
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kNoExpiry);
}

TEST(JwtTest, AnExpiryBeyondAnyDateIsRefusedNotOverflowed) {
  const JwtVerifier verifier(Hs256());
  auto claims = Claims();
  claims["exp"] = 1e300;
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kNoExpiry);
  claims["exp"] = -5;
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kNoExpiry);
}

TEST(JwtTest, AFutureNotBeforeIsRefused) {
  const JwtVerifier verifier(Hs256());
  auto claims = Claims();
  claims["nbf"] = kNowS + 60;
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kNotYetValid);
  claims["nbf"] = kNowS + 10;
  EXPECT_TRUE(verifier.Verify(Sign(claims, "HS256", kSecret), kNow).HasValue()) << "within the leeway";
}

TEST(JwtTest, IssuerAudienceAndSubjectAreChecked) {
  const JwtVerifier verifier(Hs256());
  auto claims = Claims();
  claims["iss"] = "someone-else";
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kWrongIssuer);
  claims.erase("iss");
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kWrongIssuer);
  claims = Claims();
  claims["aud"] = "another-api";
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kWrongAudience);
  claims["aud"] = {"another-api", "saga-api"};
  EXPECT_TRUE(verifier.Verify(Sign(claims, "HS256", kSecret), kNow).HasValue()) << "one of an array";
  claims.erase("aud");
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kWrongAudience);
  claims = Claims();
  claims["sub"] = "";
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kNoSubject);
}

TEST(JwtTest, KidSelectsOnlyConfiguredKeys) {
  auto config = Hs256();
  config.keys = {{"2026-10", kOtherSecret}, {"2026-11", kSecret}};
  const JwtVerifier verifier(config);
  EXPECT_TRUE(verifier.Verify(Sign(Claims(), "HS256", kSecret, "2026-11"), kNow).HasValue());
  EXPECT_TRUE(verifier.Verify(Sign(Claims(), "HS256", kOtherSecret, "2026-10"), kNow).HasValue())
      << "the previous key still verifies during a rotation";
  EXPECT_EQ(Refusal(verifier, Sign(Claims(), "HS256", kSecret, "2026-10")), AuthFailure::kBadSignature);
  EXPECT_EQ(Refusal(verifier, Sign(Claims(), "HS256", kSecret, "attacker")), AuthFailure::kUnknownKey);
  EXPECT_EQ(Refusal(verifier, Sign(Claims(), "HS256", kSecret)), AuthFailure::kUnknownKey)
      << "no kid with several keys";
  const JwtVerifier single(Hs256());
  EXPECT_EQ(Refusal(single, Sign(Claims(), "HS256", kSecret, "whatever")), AuthFailure::kUnknownKey);
}

TEST(JwtTest, OversizedTokensAreRefusedBeforeParsing) {
  auto config = Hs256();
  config.max_token_bytes = 1024;
  const JwtVerifier verifier(config);
  auto claims = Claims();
  claims["padding"] = std::string(2000, 'x');
  EXPECT_EQ(Refusal(verifier, Sign(claims, "HS256", kSecret)), AuthFailure::kTooLarge);
  EXPECT_EQ(Refusal(verifier, std::string(5000, 'a')), AuthFailure::kTooLarge);
}

TEST(JwtTest, MintedDevelopmentTokensVerify) {
  const auto token =
      MintHs256(kSecret, {"admin-1", {"admin"}, "saga-dev", "saga-api", std::chrono::seconds(60), ""}, kNow);
  const auto principal = JwtVerifier(Hs256()).Verify(token, kNow);
  ASSERT_TRUE(principal.HasValue()) << ToString(principal.Error());
  EXPECT_EQ(principal.Value().subject, "admin-1");
  EXPECT_TRUE(principal.Value().HasRole("admin"));
  EXPECT_EQ(JwtVerifier(Hs256()).Verify(token, kNow + std::chrono::seconds(91)).Error(),
            AuthFailure::kExpired);
  EXPECT_THROW((void)MintHs256("short", {"a", {}, "i", "a", std::chrono::seconds(60), ""}, kNow),
               std::invalid_argument);
}

TEST(JwtTest, ConfigurationIsValidated) {
  const auto refused = [](const std::function<void(JwtConfig&)>& change) {
    auto config = Hs256();
    change(config);
    EXPECT_THROW(JwtVerifier{config}, core::ConfigError);
  };
  refused([](JwtConfig& c) { c.keys.clear(); });
  refused([](JwtConfig& c) { c.keys = {{"", "too-short"}}; });
  refused([](JwtConfig& c) { c.issuer.clear(); });
  refused([](JwtConfig& c) { c.audience.clear(); });
  refused([](JwtConfig& c) { c.leeway = std::chrono::minutes(10); });
  refused([](JwtConfig& c) { c.keys = {{"", kSecret}, {"", kOtherSecret}}; });
  refused([](JwtConfig& c) { c.keys = {{"a", kSecret}, {"a", kOtherSecret}}; });
  refused([](JwtConfig& c) {
    c.algorithm = JwtAlgorithm::kRS256;
    c.keys = {{"", kSecret + kSecret}};
  });
}

}  // namespace
}  // namespace saga::auth
