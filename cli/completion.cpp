// shopctl completion: shell completion scripts generated from the CLI11 app itself.
#include "cli/completion.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "cli/common.hpp"
#include "core/model/reader.hpp"
#include "core/util/text.hpp"

namespace shop::cli {

namespace {

using Value = CompletionOption::Value;

const std::vector<std::string> kShells = {"bash", "zsh", "fish"};

std::string firstLine(const std::string& s) {
  const auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

// "{a,b,c}" (how CLI::IsMember describes itself) -> {a, b, c}; anything else -> {}.
std::vector<std::string> choicesOf(const std::string& description) {
  std::vector<std::string> out;
  if (description.size() < 3 || description.front() != '{' || description.back() != '}') return out;
  std::string item;
  for (size_t i = 1; i + 1 < description.size(); ++i) {
    if (description[i] == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += description[i];
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

// Only plain words are offered as choices: every script quotes them without escaping.
bool plainWord(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/';
  });
}

Value pathKind(const CLI::Option& opt) {
  static const std::map<std::string, Value> kinds = {
      {"filename", Value::Manifest}, {"against", Value::Manifest}, {"kubeconfig", Value::File},
      {"config", Value::File},       {"output-file", Value::File}, {"output-dir", Value::Directory},
  };
  for (const auto& l : opt.get_lnames())
    if (auto it = kinds.find(l); it != kinds.end()) return it->second;
  return Value::Word;
}

CompletionOption describe(CLI::Option& opt) {
  CompletionOption o;
  for (const auto& s : opt.get_snames()) o.names.push_back("-" + s);
  for (const auto& l : opt.get_lnames()) o.names.push_back("--" + l);
  o.description = firstLine(opt.get_description());
  if (opt.get_expected_max() == 0) return o;  // a flag
  o.value = pathKind(opt);
  o.repeatable = opt.get_expected_max() > 1;
  // Option keeps its validators private; get_validator(int) walks them and throws past the end.
  for (int i = 0;; ++i) {
    CLI::Validator* v = nullptr;
    try {
      v = opt.get_validator(i);
    } catch (const CLI::OptionNotFound&) {
      break;
    }
    for (auto& c : choicesOf(v->get_description()))
      if (plainWord(c)) o.choices.push_back(c);
  }
  return o;
}

CompletionCommand describe(CLI::App& app, const std::string& name) {
  CompletionCommand c;
  c.name = name;
  c.description = firstLine(app.get_description());
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_group() == "Deprecated") continue;
    if (opt->nonpositional())
      c.options.push_back(describe(*opt));
    else
      c.positionals.push_back(describe(*opt));
  }
  return c;
}

// --- bash -------------------------------------------------------------------------------------

std::string identifier(std::string s) {
  for (auto& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

// The bash lines that offer an option's value (cur is the word being completed).
std::string bashValue(const CompletionOption& o, const std::string& fn) {
  if (!o.choices.empty())
    return "COMPREPLY=( $(compgen -W '" + join(o.choices) + "' -- \"$cur\") )";
  switch (o.value) {
    case Value::Manifest:
      return fn + "_paths manifest \"$cur\"";
    case Value::File:
      return fn + "_paths file \"$cur\"";
    case Value::Directory:
      return fn + "_paths dir \"$cur\"";
    default:
      return ":";  // free text: nothing to offer
  }
}

std::string bashCommand(const CompletionCommand& c, const std::string& fn) {
  std::ostringstream s;
  s << fn << "_cmd_" << identifier(c.name) << "() {\n";
  std::vector<std::string> flags, valued;
  for (const auto& o : c.options) {
    flags.insert(flags.end(), o.names.begin(), o.names.end());
    if (o.value != Value::None) valued.insert(valued.end(), o.names.begin(), o.names.end());
  }
  s << "  case $prev in\n";
  for (const auto& o : c.options) {
    if (o.value == Value::None) continue;
    s << "    " << join(o.names, "|") << ") " << bashValue(o, fn) << "; return ;;\n";
  }
  s << "  esac\n";
  s << "  if [[ $cur == -* ]]; then\n    COMPREPLY=( $(compgen -W '" << join(flags)
    << "' -- \"$cur\") )\n    return\n  fi\n";
  bool positionalValues = false;
  for (const auto& p : c.positionals)
    positionalValues |= !p.choices.empty() || p.value == Value::Manifest ||
                        p.value == Value::File || p.value == Value::Directory;
  if (positionalValues) {
    // Which positional is being completed: count the words since the command that are neither
    // flags nor an option's value ("--output=json" arrives as "--output" "=" "json").
    s << "  local n=0 j\n  for ((j = cmdi + 1; j < COMP_CWORD; j++)); do\n    case "
         "${COMP_WORDS[j]} in\n";
    if (!valued.empty())
      s << "      " << join(valued, "|")
        << ") ((j++)); [[ ${COMP_WORDS[j]} == = ]] && ((j++)) ;;\n";
    s << "      =) ((j++)) ;;\n      -*) ;;\n      *) ((n++)) ;;\n    esac\n  done\n  case $n in\n";
    for (size_t i = 0; i < c.positionals.size(); ++i)
      s << "    " << i << ") " << bashValue(c.positionals[i], fn) << " ;;\n";
    s << "  esac\n";
  }
  s << "}\n";
  return s.str();
}

// --- zsh --------------------------------------------------------------------------------------

// Text inside '...' in a shell script.
std::string singleQuoted(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out;
}

// A description inside an _arguments spec's [...] or after _describe's "name:".
std::string zshText(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return singleQuoted(out);
}

std::string zshAction(const CompletionOption& o, const std::string& what) {
  if (!o.choices.empty()) return ":" + what + ":(" + join(o.choices) + ")";
  switch (o.value) {
    case Value::Manifest:
      return ":" + what + ":_files -g \"*.(yaml|yml|json)(-.)\"";
    case Value::File:
      return ":" + what + ":_files";
    case Value::Directory:
      return ":" + what + ":_files -/";
    default:
      return ":" + what + ": ";
  }
}

std::string zshArguments(const CompletionCommand& c, const std::string& indent) {
  std::ostringstream s;
  s << "_arguments -s";
  for (const auto& o : c.options) {
    std::string what = "value";
    for (const auto& n : o.names)
      if (n.rfind("--", 0) == 0) what = n.substr(2);
    for (const auto& n : o.names) {
      const bool longName = n.rfind("--", 0) == 0;
      s << " \\\n"
        << indent << "  '" << (o.repeatable ? "*" : "") << n
        << (longName && o.value != Value::None ? "=" : "") << "[" << zshText(o.description) << "]"
        << (o.value == Value::None ? "" : zshAction(o, what)) << "'";
    }
  }
  for (size_t i = 0; i < c.positionals.size(); ++i) {
    const auto& p = c.positionals[i];
    s << " \\\n"
      << indent << "  '" << (i + 1)
      << zshAction(p, p.description.empty() ? "argument" : zshText(firstLine(p.description)))
      << "'";
  }
  return s.str();
}

// --- fish -------------------------------------------------------------------------------------

std::string fishQuoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string fishOption(const CompletionOption& o) {
  std::string s;
  for (const auto& n : o.names) {
    if (n.rfind("--", 0) == 0)
      s += " -l " + n.substr(2);
    else
      s += " -s " + n.substr(1);
  }
  if (!o.choices.empty())
    s += " -x -a " + fishQuoted(join(o.choices));
  else if (o.value == Value::Manifest || o.value == Value::File)
    s += " -r -F";
  else if (o.value == Value::Directory)
    s += " -x -a '(__fish_complete_directories (commandline -ct))'";
  else if (o.value == Value::Word)
    s += " -x";
  if (!o.description.empty()) s += " -d " + fishQuoted(o.description);
  return s;
}

}  // namespace

std::vector<CompletionCommand> completionModel(CLI::App& app) {
  std::vector<CompletionCommand> out;
  out.push_back(describe(app, ""));
  std::vector<std::string> names;
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    out.push_back(describe(*sub, sub->get_name()));
    names.push_back(sub->get_name());
  }
  // `help [CMD]` is main()'s, not a CLI11 subcommand.
  CompletionCommand help;
  help.name = "help";
  help.description = "Print the help of a command";
  CompletionOption which;
  which.description = "the command";
  which.value = Value::Word;
  which.choices = names;
  help.positionals.push_back(which);
  out.push_back(help);
  return out;
}

std::string bashCompletion(const std::vector<CompletionCommand>& model, const std::string& prog) {
  const std::string fn = "_" + identifier(prog);
  std::vector<std::string> commands;
  for (const auto& c : model)
    if (!c.name.empty()) commands.push_back(c.name);
  std::ostringstream s;
  s << "# bash completion for " << prog << ", generated by `" << prog << " completion bash` ("
    << prog << " " << SHOPCTL_VERSION << ").\n"
    << "# Install for this shell: source <(" << prog << " completion bash)\n"
    << "# For every new shell:    " << prog
    << " completion bash > ~/.local/share/bash-completion/completions/" << prog << "\n\n";
  s << "# " << fn
    << "_paths manifest|file|dir WORD: directories, and files (manifest: *.yaml, *.yml, *.json)\n"
    << fn << "_paths() {\n"
    << "  local IFS=$'\\n' p\n"
    << "  COMPREPLY=()\n"
    << "  for p in $(compgen -f -- \"$2\"); do\n"
    << "    if [[ -d $p ]]; then COMPREPLY+=( \"$p\" ); continue; fi\n"
    << "    case $1 in\n"
    << "      file) COMPREPLY+=( \"$p\" ) ;;\n"
    << "      manifest) case $p in *.yaml|*.yml|*.json) COMPREPLY+=( \"$p\" ) ;; esac ;;\n"
    << "    esac\n"
    << "  done\n"
    << "  compopt -o filenames 2>/dev/null\n"
    << "  return 0\n"
    << "}\n\n";
  for (const auto& c : model)
    if (!c.name.empty()) s << bashCommand(c, fn) << "\n";
  std::vector<std::string> topFlags;
  for (const auto& o : model.front().options)
    topFlags.insert(topFlags.end(), o.names.begin(), o.names.end());
  s << fn << "() {\n"
    << "  local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= cmdi=0 i\n"
    << "  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
    << "  # --option=value: bash splits it at '=' (COMP_WORDBREAKS)\n"
    << "  if [[ $cur == = ]]; then cur=\n"
    << "  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then prev=${COMP_WORDS[COMP_CWORD-2]}\n"
    << "  fi\n"
    << "  COMPREPLY=()\n"
    << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
    << "    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; cmdi=$i; break ;; esac\n"
    << "  done\n"
    << "  case $cmd in\n"
    << "    '')\n"
    << "      if [[ $cur == -* ]]; then COMPREPLY=( $(compgen -W '" << join(topFlags)
    << "' -- \"$cur\") )\n"
    << "      else COMPREPLY=( $(compgen -W '" << join(commands) << "' -- \"$cur\") ); fi ;;\n";
  for (const auto& c : model)
    if (!c.name.empty())
      s << "    " << c.name << ") " << fn << "_cmd_" << identifier(c.name) << " ;;\n";
  s << "  esac\n"
    << "  return 0\n"
    << "}\n"
    << "complete -F " << fn << " " << prog << "\n";
  return s.str();
}

std::string zshCompletion(const std::vector<CompletionCommand>& model, const std::string& prog) {
  const std::string fn = "_" + identifier(prog);
  std::ostringstream s;
  s << "#compdef " << prog << "\n"
    << "# zsh completion for " << prog << ", generated by `" << prog << " completion zsh` (" << prog
    << " " << SHOPCTL_VERSION << ").\n"
    << "# Install: " << prog << " completion zsh > \"${fpath[1]}/_" << prog
    << "\" (any directory in $fpath), then start a new zsh;\n"
    << "# or, after compinit in ~/.zshrc: source <(" << prog << " completion zsh)\n\n";
  s << fn << "() {\n"
    << "  local curcontext=$curcontext state line\n"
    << "  typeset -A opt_args\n"
    << "  local -a commands\n"
    << "  commands=(\n";
  for (const auto& c : model)
    if (!c.name.empty()) s << "    '" << c.name << ":" << singleQuoted(c.description) << "'\n";
  s << "  )\n";
  CompletionCommand top = model.front();
  s << "  " << zshArguments(top, "  ") << " \\\n"
    << "    '1: :->command' \\\n"
    << "    '*:: :->args' && return 0\n"
    << "  case $state in\n"
    << "    command) _describe -t commands '" << prog << " command' commands ;;\n"
    << "    args)\n"
    << "      case $words[1] in\n";
  for (const auto& c : model) {
    if (c.name.empty()) continue;
    s << "        " << c.name << ")\n          " << zshArguments(c, "          ") << " ;;\n";
  }
  s << "      esac ;;\n"
    << "  esac\n"
    << "}\n\n"
    << "# Loaded from $fpath (autoload) the function runs; sourced, it registers itself.\n"
    << "if [[ ${funcstack[1]} == " << fn << " ]]; then\n"
    << "  " << fn << " \"$@\"\n"
    << "else\n"
    << "  compdef " << fn << " " << prog << "\n"
    << "fi\n";
  return s.str();
}

std::string fishCompletion(const std::vector<CompletionCommand>& model, const std::string& prog) {
  std::ostringstream s;
  s << "# fish completion for " << prog << ", generated by `" << prog << " completion fish` ("
    << prog << " " << SHOPCTL_VERSION << ").\n"
    << "# Install: " << prog << " completion fish > ~/.config/fish/completions/" << prog
    << ".fish\n"
    << "# or for this shell only: " << prog << " completion fish | source\n\n"
    << "complete -c " << prog << " -e\n"
    << "complete -c " << prog << " -f\n";
  for (const auto& o : model.front().options)
    s << "complete -c " << prog << " -n __fish_use_subcommand" << fishOption(o) << "\n";
  for (const auto& c : model) {
    if (c.name.empty()) continue;
    s << "complete -c " << prog << " -n __fish_use_subcommand -a " << c.name << " -d "
      << fishQuoted(c.description) << "\n";
  }
  for (const auto& c : model) {
    if (c.name.empty()) continue;
    const std::string in = " -n " + fishQuoted("__fish_seen_subcommand_from " + c.name);
    for (const auto& o : c.options) s << "complete -c " << prog << in << fishOption(o) << "\n";
    // A positional with a fixed set of values (the shell of `completion`, the command of `help`),
    // until one of them is given.
    for (const auto& p : c.positionals) {
      if (p.choices.empty()) continue;
      const std::string cond = "__fish_seen_subcommand_from " + c.name +
                               "; and not __fish_seen_subcommand_from " + join(p.choices);
      s << "complete -c " << prog << " -n " << fishQuoted(cond) << " -a "
        << fishQuoted(join(p.choices))
        << (p.description.empty() ? "" : " -d " + fishQuoted(p.description)) << "\n";
      break;
    }
  }
  return s.str();
}

std::string cobraCompletion(const std::vector<CompletionCommand>& model,
                            const std::vector<std::string>& args) {
  enum Directive { kDefault = 0, kNoFiles = 4, kExtensions = 8, kDirectories = 16 };
  std::ostringstream out;
  std::string word = args.empty() ? "" : args.back();
  const std::vector<std::string> before(args.begin(), args.empty() ? args.begin() : args.end() - 1);
  auto offer = [&](const std::string& value, const std::string& description,
                   const std::string& prefix = "") {
    if (value.rfind(word, 0) != 0) return;
    out << prefix << value;
    if (!description.empty()) out << "\t" << description;
    out << "\n";
  };
  auto valueOf = [&](const CompletionOption& o, const std::string& prefix) {
    for (const auto& c : o.choices) offer(c, "", prefix);
    if (!o.choices.empty()) return kNoFiles;
    switch (o.value) {
      case Value::Manifest:  // the extensions (kubectl's shell script offers matching files and
                             // directories)
        out << "yaml\nyml\njson\n";
        return kExtensions;
      case Value::File:
        return kDefault;
      case Value::Directory:
        return kDirectories;
      default:
        return kNoFiles;
    }
  };
  auto finish = [&](int directive) {
    out << ":" << directive << "\n";
    return out.str();
  };
  size_t cmdAt = before.size();
  for (size_t i = 0; i < before.size(); ++i)
    if (before[i].empty() || before[i][0] != '-') {
      cmdAt = i;
      break;
    }
  if (cmdAt == before.size()) {  // the command itself, or a top-level flag
    if (!word.empty() && word[0] == '-') {
      for (const auto& o : model.front().options)
        for (const auto& n : o.names) offer(n, o.description);
    } else {
      for (const auto& c : model)
        if (!c.name.empty()) offer(c.name, c.description);
    }
    return finish(kNoFiles);
  }
  const CompletionCommand* cmd = nullptr;
  for (const auto& c : model)
    if (!c.name.empty() && c.name == before[cmdAt]) cmd = &c;
  if (!cmd) return finish(kNoFiles);
  auto optionNamed = [&](const std::string& n) -> const CompletionOption* {
    for (const auto& o : cmd->options)
      if (std::find(o.names.begin(), o.names.end(), n) != o.names.end()) return &o;
    return nullptr;
  };
  // --option=VALUE: the candidates carry the "--option=" prefix.
  if (const auto eq = word.find('='); word.rfind("--", 0) == 0 && eq != std::string::npos) {
    const CompletionOption* o = optionNamed(word.substr(0, eq));
    if (!o || o->value == Value::None) return finish(kNoFiles);
    const std::string prefix = word.substr(0, eq + 1);
    word = word.substr(eq + 1);
    if (!o->choices.empty()) return finish(valueOf(*o, prefix));
    return finish(kNoFiles);  // a path after '=' is left to the user
  }
  if (before.size() > cmdAt + 1) {
    const CompletionOption* o = optionNamed(before.back());
    if (o && o->value != Value::None) return finish(valueOf(*o, ""));
  }
  if (!word.empty() && word[0] == '-') {
    for (const auto& o : cmd->options)
      for (const auto& n : o.names) offer(n, o.description);
    return finish(kNoFiles);
  }
  size_t n = 0;  // which positional: words since the command that are neither flags nor values
  for (size_t i = cmdAt + 1; i < before.size(); ++i) {
    if (const CompletionOption* o = optionNamed(before[i]); o && o->value != Value::None) {
      ++i;
      continue;
    }
    if (before[i].empty() || before[i][0] != '-') ++n;
  }
  if (n < cmd->positionals.size()) return finish(valueOf(cmd->positionals[n], ""));
  return finish(kNoFiles);
}

void addCompletion(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "completion",
      "Print a shell completion script (bash, zsh or fish)\n\n"
      "The script completes the commands, each command's flags, the values of flags that take a\n"
      "fixed set (-o formats, --preset, ...), and files and directories after -f, --output-dir,\n"
      "--kubeconfig and the like. It is made from this binary's own command table, so it never\n"
      "lists a flag the binary lacks; print it again after an upgrade.\n\n"
      "Install:\n"
      "  bash  source <(shopctl completion bash)                      # this shell; put it in "
      "~/.bashrc\n"
      "        shopctl completion bash > ~/.local/share/bash-completion/completions/shopctl\n"
      "                                              # every new shell (needs the bash-completion "
      "package)\n"
      "  zsh   shopctl completion zsh > \"${fpath[1]}/_shopctl\"      # any directory in $fpath; "
      "then a new zsh\n"
      "        source <(shopctl completion zsh)                       # after compinit, in "
      "~/.zshrc\n"
      "  fish  shopctl completion fish > ~/.config/fish/completions/shopctl.fish\n"
      "        shopctl completion fish | source                       # this shell only\n\n"
      "Exit status: 0 printed, 2 no shell or an unknown one.");
  auto shell = std::make_shared<std::string>();
  cmd->add_option("shell", *shell, "bash, zsh or fish")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            if (std::find(kShells.begin(), kShells.end(), s) != kShells.end()) return "";
            std::string msg = "unknown shell \"" + s + "\"";
            if (auto c = shop::closest(s, kShells)) msg += " (did you mean \"" + *c + "\"?)";
            return msg + "; shopctl completion knows bash, zsh and fish";
          },
          "{bash,zsh,fish}"));
  cmd->callback([cmd, shell] {
    if (shell->empty()) {
      std::cerr << "shopctl completion: which shell? Name one of bash, zsh or fish, e.g.\n"
                   "  source <(shopctl completion bash)\n"
                   "(shopctl completion --help tells how to install it for every new shell)\n";
      throw ExitRequest{kUsage};
    }
    const auto model = completionModel(*cmd->get_parent());
    if (*shell == "bash")
      std::cout << bashCompletion(model, "shopctl");
    else if (*shell == "zsh")
      std::cout << zshCompletion(model, "shopctl");
    else
      std::cout << fishCompletion(model, "shopctl");
  });
}

}  // namespace shop::cli
