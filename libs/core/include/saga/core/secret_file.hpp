#pragma once
// Secrets kept in files (a password, an HS256 key, a service token): the first line, trailing
// whitespace removed. One reader, so every secret file is read and reported the same way.

#include <string>

namespace saga::core {

/// The first line of `path` without trailing whitespace. Throws core::ConfigError naming
/// `what` and the path (never the content) when the file cannot be read or the line is empty.
[[nodiscard]] std::string ReadSecretFile(const std::string& path, const std::string& what);

}  // namespace saga::core
