#include "saga/crypto/digest.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

#include "saga/core/encoding.hpp"

namespace saga::crypto {

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return core::HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), size));
}

}  // namespace saga::crypto
