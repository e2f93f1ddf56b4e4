#include "core/io/diag.hpp"

#include <cctype>

#include "core/util/text.hpp"

namespace shop {

std::string Diagnostic::str() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (pos.known()) out += ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col);
    out += ": ";
  } else if (pos.known()) {
    out += std::to_string(pos.line) + ":" + std::to_string(pos.col) + ": ";
  }
  out += severity == Severity::Error ? "error: " : "warning: ";
  // Both may embed user input (a map key, a value): a hostile one must not flood the output.
  if (!path.empty()) out += clip(path, 300) + ": ";
  out += clip(message, 1500);
  return out;
}

void Diagnostics::error(std::string path, std::string message) {
  items_.push_back({Severity::Error, "", {}, std::move(path), std::move(message)});
}

void Diagnostics::warning(std::string path, std::string message) {
  items_.push_back({Severity::Warning, "", {}, std::move(path), std::move(message)});
}

bool Diagnostics::hasErrors() const { return errorCount() > 0; }

size_t Diagnostics::errorCount() const {
  size_t n = 0;
  for (const auto& d : items_) n += d.severity == Severity::Error;
  return n;
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::string Diagnostics::str() const {
  std::string out;
  for (const auto& d : items_) out += d.str() + "\n";
  return out;
}

static bool plainKey(const std::string& key) {
  if (key.empty() || !(std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_'))
    return false;
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

std::string childPath(const std::string& parent, const std::string& key) {
  if (plainKey(key)) return parent.empty() ? key : parent + "." + key;
  std::string quoted = "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return parent + quoted + "\"]";
}

std::string indexPath(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

}  // namespace shop
