#include "saga/core/encoding.hpp"

#include <gtest/gtest.h>

namespace saga::core {
namespace {

TEST(EncodingTest, HexRoundTripsAndRefusesOtherText) {
  const std::string bytes("\x00\x01\xab\xff", 4);
  EXPECT_EQ(HexEncode(bytes), "0001abff");
  EXPECT_EQ(HexDecode("0001abff"), bytes);
  EXPECT_EQ(HexDecode("0001ABFF"), bytes);
  EXPECT_FALSE(HexDecode("abc"));
  EXPECT_FALSE(HexDecode("zz"));
  EXPECT_EQ(HexDecode(""), "");
}

TEST(EncodingTest, Base64UrlMatchesRfc4648WithoutPadding) {
  // RFC 4648 section 10 vectors, padding removed.
  for (const auto& [plain, encoded] : std::vector<std::pair<std::string, std::string>>{
           {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"},
           {"foobar", "Zm9vYmFy"}}) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    EXPECT_EQ(Base64UrlDecode(encoded), plain);
  }
  EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff", 2)), "-_8") << "the URL alphabet";
  EXPECT_EQ(Base64UrlDecode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_FALSE(Base64UrlDecode("Zm9v+")) << "standard base64's characters";
  EXPECT_FALSE(Base64UrlDecode("Zm9vY")) << "an impossible length";
  EXPECT_FALSE(Base64UrlDecode("Zg=="));
}

}  // namespace
}  // namespace saga::core
