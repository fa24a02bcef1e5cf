// ringward: the command. Each subcommand lives in its own file; this one
// parses, dispatches, and maps CLI11's exceptions (the only ones in the
// program) to exit codes.
#include <cstdio>
#include <string_view>
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

    // The subcommands, each with the function that builds it. Building all
    // ten is most of a short command's start-up, so when the first argument
    // names one, only that one is built; for --version none; otherwise
    // (--help, nothing, a typo) all, so that help and errors list them all.
    struct Command {
        std::string_view name;
        Runner (*adder)(CLI::App&);
    };
    static constexpr Command kCommands[] = {
        {"compile", add_compile}, {"inspect", add_inspect}, {"validate", add_validate},
        {"test", add_test},       {"match", add_match},     {"keygen", add_keygen},
        {"sign", add_sign},       {"verify", add_verify},   {"store", add_store},
        {"import", add_import},
    };
    const std::string_view first = argc > 1 ? argv[1] : "";
    bool named = false;
    for (const Command& c : kCommands) {
        named = named || first == c.name;
    }
    std::vector<std::pair<CLI::App*, Runner>> commands;
    for (const Command& c : kCommands) {
        if (first == "--version" || (named && first != c.name)) {
            continue;
        }
        const size_t before = app.get_subcommands({}).size();
        Runner run = c.adder(app);
        CLI::App* command = app.get_subcommands({}).at(before);
        if (command->get_name() != c.name) {
            std::fprintf(stderr, "ringward: internal error: subcommand %s is listed as %.*s\n",
                         command->get_name().c_str(), static_cast<int>(c.name.size()),
                         c.name.data());
            return kExitUsage;
        }
        commands.emplace_back(command, std::move(run));
    }

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
