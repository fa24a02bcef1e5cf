// ringward keygen: an Ed25519 key pair, the secret half encrypted at rest.
#include <fmt/format.h>

#include <memory>

#include <cstdio>

#include "common.hpp"
#include "ringward/file.hpp"

namespace ringward::cli {
namespace {

struct KeygenArgs {
    std::string name;
    PassphraseArgs passphrase;
    std::string kdf = "moderate";
    std::string comment;
    bool unencrypted = false;
    bool force = false;
};

int run_keygen(const KeygenArgs& args) {
    std::optional<Passphrase> passphrase;
    if (!args.unencrypted) {
        std::string error;
        passphrase =
            get_passphrase(args.passphrase, "Passphrase for the new secret key: ", true, &error);
        if (!passphrase) {
            return passphrase_error(error);
        }
        if (passphrase->text().empty()) {
            return passphrase_error(
                "an empty passphrase is no protection; pass --unencrypted if that is what you "
                "want");
        }
    }
    const SecretKey key = SecretKey::generate();
    const KdfStrength strength =
        args.kdf == "interactive" ? KdfStrength::interactive : KdfStrength::moderate;
    if (auto error = write_key_pair(args.name, key, passphrase ? &*passphrase : nullptr, strength,
                                    args.comment, args.force)) {
        print_diagnostics(std::span(&*error, 1), SourceTexts{});
        return kExitUsage;
    }
    const std::string secret_path = args.name + ".key";
    const std::string public_path = args.name + ".pub";
    fmt::print("key id {}\n", to_hex(key.id()));
    fmt::print("wrote {} ({}) and {}\n", secret_path,
               passphrase ? "encrypted, mode 0600" : "UNENCRYPTED, mode 0600", public_path);
    fmt::print("a keyring entry that trusts it:\n  keys {{ public_key: \"{}\" key_id: \"{}\" }}\n",
               to_base64(key.public_key()), to_hex(key.id()));
    return kExitOk;
}

}  // namespace

Runner add_keygen(CLI::App& app) {
    auto args = std::make_shared<KeygenArgs>();
    CLI::App* command = app.add_subcommand(
        "keygen",
        "Create an Ed25519 key pair: NAME.key (secret, mode 0600, encrypted with a passphrase\n"
        "through Argon2id) and NAME.pub. The passphrase is asked on the terminal without echo,\n"
        "or read with --passphrase-file or --passphrase-env. Nothing is overwritten without\n"
        "--force.");
    add_version_flag(*command);
    command->add_option("-o,--output", args->name, "Name of the key files, without extension")
        ->required();
    add_passphrase_options(*command, args->passphrase);
    command
        ->add_option("--kdf", args->kdf,
                     "Argon2id cost: moderate (default: 256 MiB, about a second) or "
                     "interactive (64 MiB)")
        ->check(CLI::IsMember({"moderate", "interactive"}));
    command->add_option("--comment", args->comment, "A comment written into both files");
    command->add_flag("--unencrypted", args->unencrypted,
                      "Write the secret key without a passphrase (for test keys and HSM-less CI)");
    command->add_flag("--force", args->force, "Overwrite existing key files");
    return [args] { return run_keygen(*args); };
}

}  // namespace ringward::cli
