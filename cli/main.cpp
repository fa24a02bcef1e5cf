// ringward: the command. Each subcommand lives in its own file; this one
// parses, dispatches, and maps CLI11's exceptions (the only ones in the
// program) to exit codes.
#include <cstdio>
#include <vector>

#include "common.hpp"

int main(int argc, char** argv) {
    using namespace ringward::cli;
    ringward::quiet_protobuf_logging();
    CLI::App app{
        "ringward: the gate detection content passes before it reaches a kernel.\n"
        "Validates content against template types and every targeted sensor build, compiles it\n"
        "into one canonical blob, signs it, and verifies it the way an endpoint agent does.\n"
        "Exit status: 0 ok, 1 input rejected, 2 usage or I/O error.",
        "ringward"};
    add_version_flag(app);
    app.require_subcommand(1);
    app.fallthrough(false);

    std::vector<std::pair<CLI::App*, Runner>> commands;
    const auto add = [&](Runner (*adder)(CLI::App&)) {
        const size_t before = app.get_subcommands({}).size();
        Runner run = adder(app);
        commands.emplace_back(app.get_subcommands({}).at(before), std::move(run));
    };
    add(add_compile);
    add(add_inspect);
    add(add_validate);
    add(add_test);
    add(add_match);
    add(add_keygen);
    add(add_sign);
    add(add_verify);
    add(add_store);
    add(add_import);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version arrive here too, with exit code 0.
        if (e.get_exit_code() == 0) {
            return app.exit(e) == 0 ? kExitOk : kExitUsage;
        }
        return usage_error(e.what());
    }
    for (auto& [command, run] : commands) {
        if (command->parsed()) {
            return run();
        }
    }
    return kExitUsage;
}
