// Envelope encryption with a local key ring in a temporary directory: round trips, associated
// data binding, tampering and wrong keys failing loudly, rotation and re-wrapping, key file
// checks.
#include "saga/crypto/envelope_cipher.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "saga/core/errors.hpp"

namespace saga::crypto {
namespace {

namespace fs = std::filesystem;

class EnvelopeCipherTest : public ::testing::Test {
 protected:
  EnvelopeCipherTest() {
    fs::remove_all(dir_);
    LocalKeyRing::CreateKey(dir_, "2026-11", true);
  }
  ~EnvelopeCipherTest() override { fs::remove_all(dir_); }

  // Replaces one base64url character of part `index` (1: kek id, 2: wrapped key, 3: body).
  static std::string Flip(std::string sealed, int index) {
    std::size_t at = 0;
    for (int i = 0; i < index; ++i) at = sealed.find('.', at) + 1;
    at += 5;
    sealed[at] = sealed[at] == 'A' ? 'B' : 'A';
    return sealed;
  }

  std::string dir_ = (fs::path(::testing::TempDir()) / ("keyring-" + std::to_string(::getpid()))).string();
};

TEST_F(EnvelopeCipherTest, SealedValuesOpenWithTheSameAssociatedDataOnly) {
  const LocalKeyRing keys(dir_);
  const std::string secret = "Jane Q. Customer, 1 Main Street";
  const auto sealed = Seal(keys, secret, "payments/1/holder");
  EXPECT_EQ(sealed.find(secret), std::string::npos);
  EXPECT_EQ(sealed.rfind("v1.2026-11.", 0), 0U) << sealed;
  EXPECT_EQ(KeyIdOf(sealed), "2026-11");
  EXPECT_EQ(Open(keys, sealed, "payments/1/holder"), secret);
  EXPECT_THROW((void)Open(keys, sealed, "payments/2/holder"), CryptoError) << "moved to another row";
  EXPECT_NE(Seal(keys, secret, "payments/1/holder"), sealed) << "a fresh data key and nonce every time";
  EXPECT_EQ(Open(keys, Seal(keys, "", "x"), "x"), "") << "empty values too";
}

TEST_F(EnvelopeCipherTest, TamperingAndWrongKeysFailLoudly) {
  const LocalKeyRing keys(dir_);
  const auto sealed = Seal(keys, "4111-holder-data", "row-1");
  EXPECT_THROW((void)Open(keys, Flip(sealed, 2), "row-1"), CryptoError) << "wrapped key changed";
  EXPECT_THROW((void)Open(keys, Flip(sealed, 3), "row-1"), CryptoError) << "ciphertext changed";
  EXPECT_THROW((void)Open(keys, sealed.substr(0, sealed.size() - 4), "row-1"), CryptoError) << "truncated";
  EXPECT_THROW((void)Open(keys, "v1.2026-11.abc", "row-1"), CryptoError) << "malformed";
  EXPECT_THROW((void)Open(keys, "v9" + sealed.substr(2), "row-1"), CryptoError) << "unknown version";
  // Another ring with a key of the same id is another key.
  const auto other_dir = dir_ + "-other";
  LocalKeyRing::CreateKey(other_dir, "2026-11", true);
  EXPECT_THROW((void)Open(LocalKeyRing(other_dir), sealed, "row-1"), CryptoError);
  fs::remove_all(other_dir);
  auto renamed = sealed;
  renamed.replace(3, 7, "2026-12");
  EXPECT_THROW((void)Open(keys, renamed, "row-1"), CryptoError) << "unknown key id";
}

TEST_F(EnvelopeCipherTest, RotationKeepsOldValuesReadableAndRewrapMovesThem) {
  const auto old_value = Seal(LocalKeyRing(dir_), "old", "row-1");
  LocalKeyRing::CreateKey(dir_, "2026-12", true);
  const LocalKeyRing rotated(dir_);
  EXPECT_EQ(rotated.ActiveKeyId(), "2026-12");
  EXPECT_EQ(Open(rotated, old_value, "row-1"), "old") << "the old key still opens old rows";
  EXPECT_EQ(KeyIdOf(Seal(rotated, "new", "row-2")), "2026-12");
  const auto moved = Rewrap(rotated, old_value);
  EXPECT_EQ(KeyIdOf(moved), "2026-12");
  EXPECT_EQ(Rewrap(rotated, moved), moved) << "already under the active key";
  // Once every row is re-wrapped, the old key can go.
  fs::remove(fs::path(dir_) / "2026-11.key");
  const LocalKeyRing retired(dir_);
  EXPECT_EQ(Open(retired, moved, "row-1"), "old");
  EXPECT_THROW((void)Open(retired, old_value, "row-1"), CryptoError);
}

TEST_F(EnvelopeCipherTest, KeyFilesAreChecked) {
  EXPECT_THROW(LocalKeyRing::CreateKey(dir_, "2026-11", false), core::ConfigError) << "exists";
  EXPECT_THROW(LocalKeyRing::CreateKey(dir_, "../escape", false), core::ConfigError);
  fs::permissions(fs::path(dir_) / "2026-11.key", fs::perms::others_read, fs::perm_options::add);
  EXPECT_THROW(LocalKeyRing{dir_}, core::ConfigError) << "readable by others";
  fs::permissions(fs::path(dir_) / "2026-11.key", fs::perms::others_read, fs::perm_options::remove);
  EXPECT_NO_THROW(LocalKeyRing{dir_});
  std::ofstream(fs::path(dir_) / "active") << "missing\n";
  EXPECT_THROW(LocalKeyRing{dir_}, core::ConfigError) << "unknown active key";
  std::ofstream(fs::path(dir_) / "active") << "2026-11\n";
  {
    std::ofstream(fs::path(dir_) / "short.key") << "abcd\n";
    fs::permissions(fs::path(dir_) / "short.key", fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
  }
  EXPECT_THROW(LocalKeyRing{dir_}, core::ConfigError) << "not a 256-bit key";
  EXPECT_THROW(LocalKeyRing{dir_ + "/nowhere"}, core::ConfigError);
}

}  // namespace
}  // namespace saga::crypto
