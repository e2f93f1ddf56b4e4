#include "cli/common.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace shop::cli {

bool stderrIsTerminal() { return ::isatty(2) && !std::getenv("NO_COLOR"); }
bool stdoutIsTerminal() { return ::isatty(1) && !std::getenv("NO_COLOR"); }

void printDiagnostics(const Diagnostics& diags) {
  const bool color = stderrIsTerminal();
  for (const auto& d : diags.items()) {
    std::string line = d.str();
    if (color) {
      const char* c = d.severity == Severity::Error ? "\033[31m" : "\033[33m";
      line = c + line + "\033[0m";
    }
    std::cerr << line << "\n";
  }
}

static bool manifestFile(const fs::path& p) {
  auto ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

std::vector<std::string> expandInputs(const std::vector<std::string>& args, Diagnostics& diags) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    if (a == "-") {
      out.push_back(a);
      continue;
    }
    std::error_code ec;
    auto st = fs::status(a, ec);
    if (ec || !fs::exists(st)) {
      diags.add({Severity::Error, a, {}, "", "no such file or directory"});
      continue;
    }
    if (fs::is_directory(st)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(a, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file() && manifestFile(it->path())) found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(a);
    }
  }
  return out;
}

std::vector<std::string> shopAppFiles(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  Diagnostics diags;
  bool stdinSeen = false;
  for (const auto& a : args) {
    std::error_code ec;
    if (a == "-") {
      if (stdinSeen) diags.add({Severity::Error, "<stdin>", {}, "", "'-f -' is given twice: standard input can be read once"});
      stdinSeen = true;
      out.push_back(a);
    } else if (fs::is_directory(a, ec)) {
      auto found = expandInputs({a}, diags);
      if (found.empty())
        diags.add({Severity::Error, a, {}, "", "no ShopApp files: the directory holds no *.yaml, *.yml or *.json files"});
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(a);
    }
  }
  if (diags.hasErrors()) {
    printDiagnostics(diags);
    throw ExitRequest{kUsage};
  }
  return out;
}

std::string duplicateApp(const std::vector<AppSource>& apps) {
  for (size_t i = 0; i < apps.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (apps[i].ns == apps[j].ns && apps[i].name == apps[j].name) {
        auto shown = [](const std::string& f) { return f == "-" ? std::string("<stdin>") : f; };
        return "ShopApp " + apps[i].ns + "/" + apps[i].name + " is in both " + shown(apps[j].file) + " and " +
               shown(apps[i].file) + " (one ShopApp per name)";
      }
  return "";
}

void refuseBadOrDuplicate(const std::string& cmd, const std::string& done, size_t bad, size_t files,
                          const std::vector<AppSource>& sources) {
  if (bad > 0) {
    if (files > 1)
      std::cerr << "shopctl " << cmd << ": nothing " << done << ": " << bad << " of " << files << " files have errors\n";
    throw ExitRequest{kUsage};
  }
  if (auto dup = duplicateApp(sources); !dup.empty()) {
    std::cerr << "shopctl: " << dup << "\n";
    throw ExitRequest{kUsage};
  }
}

std::string describeInputs(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : ", ") + (a == "-" ? std::string("<stdin>") : a);
  return s;
}

std::string noObjectsMessage(const std::vector<std::string>& files) {
  if (files.empty()) return "no input: no *.yaml, *.yml or *.json files found";
  return "no objects found in the input (empty, or only comments)";
}

std::string unreadableReason(const std::string& path) {
  if (path == "-") return "";
  std::error_code ec;
  if (fs::is_directory(path, ec))
    return "is a directory: this command takes one ShopApp file (`shopctl validate -f DIR` checks a directory)";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  ::close(fd);
  return "";
}

std::string deprecatedOutputPath(const std::string& cmd, const std::string& oldValue, const std::string& newValue,
                                 const std::string& newFlag) {
  if (oldValue.empty()) return newValue;
  std::cerr << "shopctl " << cmd << ": warning: -o/--output " << oldValue << " is deprecated (-o means an output format); use "
            << newFlag << " " << oldValue << "\n";
  if (!newValue.empty() && newValue != oldValue) {
    std::cerr << "shopctl " << cmd << ": -o " << oldValue << " and " << newFlag << " " << newValue << " disagree\n";
    throw ExitRequest{kUsage};
  }
  return oldValue;
}

void writeFile(const std::string& path, const std::string& text) {
  std::error_code ec;
  fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  // Write to a temporary file and rename, so a failure never leaves half a file behind.
  const std::string tmp = path + ".tmp-shopctl";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
      std::cerr << "shopctl: cannot write " << path << "\n";
      throw ExitRequest{kRuntime};
    }
  }
  fs::rename(tmp, p, ec);
  if (ec) {
    std::cerr << "shopctl: cannot write " << path << ": " << ec.message() << "\n";
    fs::remove(tmp, ec);
    throw ExitRequest{kRuntime};
  }
}

}  // namespace shop::cli
