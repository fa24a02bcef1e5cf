// Runs the ringward command (or any program) as a separate process and
// captures what it prints, for CLI tests that check exit codes and output.
#pragma once

#include <string>
#include <vector>

namespace ringward::test {

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs `program` with `args`, stdin from /dev/null, and waits for it. A
// program killed by a signal reports 128 + the signal number, as a shell does.
RunResult run(const std::string& program, const std::vector<std::string>& args,
              const std::vector<std::string>& extra_env = {});

// Runs the ringward command built with these tests.
RunResult run_cli(const std::vector<std::string>& args,
                  const std::vector<std::string>& extra_env = {});

// A fresh empty folder under the build tree, removed when it goes out of
// scope.
class TempDir {
  public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);
// A path under the source tree: source_path("examples/registry.txtpb").
std::string source_path(const std::string& relative);

}  // namespace ringward::test
