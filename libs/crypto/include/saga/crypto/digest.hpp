#pragma once
// Digests shared by the libraries (OpenSSL).

#include <string>
#include <string_view>

namespace saga::crypto {

/// SHA-256 of `data`, as 64 lowercase hex digits.
[[nodiscard]] std::string Sha256Hex(std::string_view data);

}  // namespace saga::crypto
