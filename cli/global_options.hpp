#pragma once
// kubectl's options for the commands that talk to a cluster (apply, delete, diff, loadtest,
// status, version): --kubeconfig, --context, --request-timeout and -v. They follow the command
// (`shopctl status -v 6`) or come before it (`shopctl -v=6 status`), as kubectl's global flags.
// Pure parsing, unit-tested in cli_global_options_test.cpp.
#include <chrono>
#include <string>
#include <vector>

namespace shop::cli {

// --request-timeout as kubectl reads it: "0" (no timeout), a whole number of seconds ("30"), or
// a Go duration: decimal numbers with units ns, us (or µs), ms, s, m, h, in any combination
// ("500ms", "1m30s", "1.5h"). A positive value under 1 ms counts as 1 ms. False (and error says
// why, without the flag's name) for anything else, negative values included.
bool parseRequestTimeout(const std::string& text, std::chrono::milliseconds& out, std::string& error);

// -v as kubectl reads it: a whole number from 0; "=6" (what `-v=6` leaves) is 6.
bool parseVerbosity(const std::string& text, int& out, std::string& error);

// The cluster options that come before the command, taken out of the arguments.
struct LeadingOptions {
  std::string kubeconfig, context, requestTimeout, verbosity;
  std::vector<std::string> given;  // the flags as typed ("-v", "--request-timeout"), for messages
  std::vector<std::string> rest;   // the arguments without them: the command and what follows
  std::string error;               // a value missing or malformed: "--request-timeout "x": ..."
};
// Reads args (argv without the program name) up to the first argument that is none of these
// options: --kubeconfig, --context, --request-timeout (each as `--opt V` or `--opt=V`) and
// -v (`-v N`, `-vN`, `-v=N`, `--v N`, `--v=N`). A later one of the same name wins.
LeadingOptions takeLeadingOptions(const std::vector<std::string>& args);

}  // namespace shop::cli
