#include "cli/invocation.hpp"

#include <algorithm>
#include <cctype>
#include <streambuf>

namespace shop::cli {

bool isPluginCompletion(const std::string& argv0) {
  const auto slash = argv0.rfind('/');
  return (slash == std::string::npos ? argv0 : argv0.substr(slash + 1)) ==
         kPluginCompletionExecutable;
}

std::string commandName(const std::string& argv0) {
  const auto slash = argv0.rfind('/');
  const std::string base = slash == std::string::npos ? argv0 : argv0.substr(slash + 1);
  return base == kPluginExecutable ? "kubectl shop" : "shopctl";
}

namespace {

bool wordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

}  // namespace

std::string renamed(const std::string& text, const std::string& name,
                    const std::vector<std::string>& commands) {
  static const std::string kSelf = "shopctl";
  if (name == kSelf) return text;
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t at = text.find(kSelf, i);
    if (at == std::string::npos) break;
    out.append(text, i, at - i);
    const size_t end = at + kSelf.size();
    const bool wordStart = at == 0 || !wordChar(text[at - 1]);
    const bool lineStart = at == 0 || text[at - 1] == '\n';
    bool replace = false;
    if (wordStart && end < text.size()) {
      if (text[end] == ':' && lineStart) {
        replace = true;  // "shopctl: error ..." at the start of a line
      } else if (text[end] == ' ') {
        size_t w = end + 1;
        while (w < text.size() && (wordChar(text[w]) || (w == end + 1 && text[w] == '-'))) ++w;
        const std::string next = text.substr(end + 1, w - end - 1);
        static const std::vector<std::string> kAlways = {"help", "--help", "--help-all",
                                                         "--version", "CMD"};
        replace = std::find(commands.begin(), commands.end(), next) != commands.end() ||
                  std::find(kAlways.begin(), kAlways.end(), next) != kAlways.end();
      }
    }
    out += replace ? name : kSelf;
    i = end;
  }
  out.append(text, i, std::string::npos);
  return out;
}

struct RenamingStream::Buf : std::streambuf {
  Buf(std::streambuf* target, std::string name, std::vector<std::string> commands)
      : target(target), name(std::move(name)), commands(std::move(commands)) {}
  std::streambuf* target;
  std::string name;
  std::vector<std::string> commands;
  std::string line;  // not yet passed on
  char last = '\n';  // the last character passed on: renaming looks one character back

  // Passes on line[0, n), renamed as it would be after `last`.
  void emit(size_t n) {
    const std::string text =
        renamed(std::string(1, last) + line.substr(0, n), name, commands).substr(1);
    target->sputn(text.data(), static_cast<std::streamsize>(text.size()));
    if (n > 0) last = line[n - 1];
    line.erase(0, n);
  }
  void put(char c) {
    line += c;
    if (c == '\n') emit(line.size());
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) put(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize k = 0; k < n; ++k) put(s[k]);
    return n;
  }
  // std::cerr flushes after every <<: a partial line (a prompt) is passed on, but for a tail
  // that may be the start of "shopctl CMD", which waits for the rest.
  int sync() override {
    static const std::string kHeld = "shopctl ";
    size_t keep = 0;
    for (size_t k = 1; k <= kHeld.size() && k <= line.size(); ++k)
      if (line.compare(line.size() - k, k, kHeld, 0, k) == 0) keep = k;
    emit(line.size() - keep);
    return target->pubsync();
  }
};

RenamingStream::RenamingStream(std::ostream& stream, std::string name,
                               std::vector<std::string> commands)
    : stream_(stream),
      original_(stream.rdbuf()),
      buf_(std::make_unique<Buf>(original_, std::move(name), std::move(commands))) {
  stream_.rdbuf(buf_.get());
}

RenamingStream::~RenamingStream() {
  buf_->emit(buf_->line.size());
  original_->pubsync();
  stream_.rdbuf(original_);
}

}  // namespace shop::cli
