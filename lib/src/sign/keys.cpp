// Keys and key files. Everything cryptographic is libsodium's; secrets are
// wiped with sodium_memzero as soon as they are not needed.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "ringward/core/contract.hpp"
#include "ringward/core/endian.hpp"
#include "ringward/sign.hpp"

namespace ringward {

static_assert(RINGWARD_PUBLIC_KEY_BYTES == crypto_sign_PUBLICKEYBYTES);
static_assert(RINGWARD_SIGNATURE_BYTES == crypto_sign_BYTES);
static_assert(crypto_sign_SECRETKEYBYTES == 64, "SecretKey holds libsodium's 64-byte form");
static_assert(crypto_sign_SEEDBYTES == 32, "SecretKey::from_seed takes a 32-byte seed");

namespace {

constexpr size_t kSecretBytes = crypto_sign_SECRETKEYBYTES;
constexpr size_t kSeedBytes = crypto_sign_SEEDBYTES;
// Domain separation for key ids: BLAKE2b of this string, then the key.
constexpr char kKeyIdContext[] = "ringward key id v1";

constexpr std::string_view kPublicFirstLine = "ringward public key v1";
constexpr std::string_view kSecretFirstLine = "ringward secret key v1";
constexpr std::string_view kAlgorithm = "ed25519";
constexpr std::string_view kEncrypted = "argon2id13-xchacha20poly1305";
constexpr std::string_view kUnencrypted = "none";

// libsodium must be initialised before its random generator and the fastest
// implementations are used; sodium_init is idempotent and thread-safe.
void ensure_sodium() {
    if (sodium_init() < 0) {
        core::invariant_broken();  // libsodium cannot work on this system: nothing safe can follow.
    }
}

std::string base64(std::span<const uint8_t> bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);  // the NUL sodium writes
    return out;
}

// Exactly `size` bytes of standard base64, or nullopt.
std::optional<std::vector<uint8_t>> from_base64(std::string_view text, size_t size) {
    std::vector<uint8_t> out(size + 3);
    size_t length = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size() || length != size) {
        sodium_memzero(out.data(), out.size());
        return std::nullopt;
    }
    out.resize(size);
    return out;
}

std::optional<KeyId> key_id_from_hex(std::string_view text) {
    KeyId id{};
    size_t length = 0;
    const char* end = nullptr;
    if (text.size() != 2 * id.size() ||
        sodium_hex2bin(id.data(), id.size(), text.data(), text.size(), nullptr, &length, &end) !=
            0 ||
        length != id.size()) {
        return std::nullopt;
    }
    return id;
}

// A key file: its first line, then "name: value" lines, each name once.
struct KeyFile {
    std::map<std::string, std::pair<std::string, uint32_t>, std::less<>> fields;
};

Diagnostic malformed(const std::string& file, uint32_t line, std::string message) {
    Location at;
    at.file = file;
    at.line = line;
    at.column = line > 0 ? 1 : 0;
    return make_diagnostic(Code::key_file_malformed, std::move(message), at,
                           "key files are written by `ringward keygen`; check it was copied whole");
}

Result<KeyFile> read_key_file(std::string_view text, const std::string& file,
                              std::string_view first_line,
                              std::initializer_list<std::string_view> known) {
    KeyFile out;
    uint32_t number = 0;
    bool first = true;
    while (!text.empty()) {
        const size_t newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        ++number;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (first) {
            if (line != first_line) {
                return Result<KeyFile>::failure(malformed(
                    file, number, fmt::format("the file does not start with \"{}\"", first_line)));
            }
            first = false;
            continue;
        }
        if (line.empty()) {
            continue;
        }
        const size_t colon = line.find(": ");
        if (colon == std::string_view::npos) {
            return Result<KeyFile>::failure(
                malformed(file, number, "a line is not of the form \"name: value\""));
        }
        const std::string_view name = line.substr(0, colon);
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            return Result<KeyFile>::failure(
                malformed(file, number, fmt::format("unknown line \"{}\"", name)));
        }
        if (!out.fields
                 .emplace(std::string(name), std::pair{std::string(line.substr(colon + 2)), number})
                 .second) {
            return Result<KeyFile>::failure(
                malformed(file, number, fmt::format("\"{}\" is given twice", name)));
        }
    }
    if (first) {
        return Result<KeyFile>::failure(malformed(file, 0, "the file is empty"));
    }
    return Result<KeyFile>::success(std::move(out));
}

// The value of a required line, or a diagnostic naming it.
std::optional<std::string> required(const KeyFile& key_file, std::string_view name,
                                    const std::string& file, std::vector<Diagnostic>* errors) {
    const auto it = key_file.fields.find(name);
    if (it == key_file.fields.end()) {
        errors->push_back(malformed(file, 0, fmt::format("the \"{}\" line is missing", name)));
        return std::nullopt;
    }
    return it->second.first;
}

uint32_t line_of(const KeyFile& key_file, std::string_view name) {
    const auto it = key_file.fields.find(name);
    return it == key_file.fields.end() ? 0 : it->second.second;
}

// The AEAD's associated data: every field that says how to read the secret,
// so that none can be changed without the decryption failing.
std::string associated_data(const KeyId& id, uint64_t opslimit, uint64_t memlimit,
                            std::span<const uint8_t> salt) {
    std::string ad(kSecretFirstLine);
    ad.append(reinterpret_cast<const char*>(id.data()), id.size());
    uint8_t number[8];
    core::store_u64(number, opslimit);
    ad.append(reinterpret_cast<const char*>(number), sizeof(number));
    core::store_u64(number, memlimit);
    ad.append(reinterpret_cast<const char*>(number), sizeof(number));
    ad.append(reinterpret_cast<const char*>(salt.data()), salt.size());
    return ad;
}

// Parses a decimal u64 with no sign, spaces or leading zeros.
std::optional<uint64_t> parse_u64(std::string_view text) {
    if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) {
        return std::nullopt;
    }
    uint64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        const uint64_t digit = static_cast<uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
    }
    return value;
}

}  // namespace

KeyId key_id(const PublicKey& key) {
    ensure_sodium();
    KeyId id{};
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, id.size());
    crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(kKeyIdContext),
                              sizeof(kKeyIdContext));
    crypto_generichash_update(&state, key.bytes.data(), key.bytes.size());
    crypto_generichash_final(&state, id.data(), id.size());
    return id;
}

std::string to_hex(const KeyId& id) {
    char hex[2 * RINGWARD_KEY_ID_BYTES + 1];
    sodium_bin2hex(hex, sizeof(hex), id.data(), id.size());
    return hex;
}

std::string to_base64(const PublicKey& key) {
    return base64(key.bytes);
}

SecretKey SecretKey::generate() {
    ensure_sodium();
    SecretKey key;
    crypto_sign_keypair(key.public_.bytes.data(), key.bytes_.data());
    return key;
}

SecretKey SecretKey::from_seed(std::span<const uint8_t, 32> seed) {
    static_assert(kSeedBytes == 32);
    ensure_sodium();
    SecretKey key;
    crypto_sign_seed_keypair(key.public_.bytes.data(), key.bytes_.data(), seed.data());
    return key;
}

std::optional<SecretKey> SecretKey::from_bytes(std::span<const uint8_t, 64> bytes) {
    static_assert(kSecretBytes == 64);
    ensure_sodium();
    SecretKey key;
    std::copy(bytes.begin(), bytes.end(), key.bytes_.begin());
    // The public half must be the one the seed derives: otherwise signatures
    // would not verify under the key id the file names.
    uint8_t derived[crypto_sign_PUBLICKEYBYTES];
    uint8_t secret[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(derived, secret, key.bytes_.data());
    sodium_memzero(secret, sizeof(secret));
    crypto_sign_ed25519_sk_to_pk(key.public_.bytes.data(), key.bytes_.data());
    if (sodium_memcmp(derived, key.public_.bytes.data(), sizeof(derived)) != 0) {
        return std::nullopt;
    }
    return key;
}

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_), public_(other.public_) {
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
    if (this != &other) {
        bytes_ = other.bytes_;
        public_ = other.public_;
        sodium_memzero(other.bytes_.data(), other.bytes_.size());
    }
    return *this;
}

SecretKey::~SecretKey() {
    sodium_memzero(bytes_.data(), bytes_.size());
}

Signature SecretKey::sign(std::span<const uint8_t> message) const {
    Signature signature{};
    crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), bytes_.data());
    return signature;
}

bool verify(const Signature& signature, std::span<const uint8_t> message, const PublicKey& key) {
    ensure_sodium();
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                       key.bytes.data()) == 0;
}

namespace {
// A moved-from short string keeps its characters in its inline buffer with
// size 0: wipe the whole capacity, not the size.
void wipe(std::string& text) {
    sodium_memzero(text.data(), text.capacity());
}
}  // namespace

Passphrase::Passphrase(Passphrase&& other) noexcept : text_(std::move(other.text_)) {
    wipe(other.text_);
    other.text_.clear();
}

Passphrase& Passphrase::operator=(Passphrase&& other) noexcept {
    if (this != &other) {
        wipe(text_);
        text_ = std::move(other.text_);
        wipe(other.text_);
        other.text_.clear();
    }
    return *this;
}

Passphrase::~Passphrase() {
    wipe(text_);
}

std::string format_public_key(const PublicKey& key, std::string_view comment) {
    std::string out =
        fmt::format("{}\nalgorithm: {}\nkey-id: {}\npublic-key: {}\n", kPublicFirstLine, kAlgorithm,
                    to_hex(key_id(key)), base64(key.bytes));
    if (!comment.empty()) {
        out += fmt::format("comment: {}\n", comment);
    }
    return out;
}

Result<PublicKey> parse_public_key(std::string_view text, std::string file) {
    auto key_file = read_key_file(text, file, kPublicFirstLine,
                                  {"algorithm", "key-id", "public-key", "comment"});
    if (!key_file.ok()) {
        return Result<PublicKey>::failure(std::move(key_file.diagnostics));
    }
    std::vector<Diagnostic> errors;
    const auto algorithm = required(*key_file.value, "algorithm", file, &errors);
    const auto id_text = required(*key_file.value, "key-id", file, &errors);
    const auto key_text = required(*key_file.value, "public-key", file, &errors);
    if (!errors.empty()) {
        return Result<PublicKey>::failure(std::move(errors));
    }
    if (*algorithm != kAlgorithm) {
        return Result<PublicKey>::failure(
            malformed(file, line_of(*key_file.value, "algorithm"),
                      fmt::format("algorithm \"{}\" is not ed25519", *algorithm)));
    }
    const auto bytes = from_base64(*key_text, RINGWARD_PUBLIC_KEY_BYTES);
    if (!bytes) {
        return Result<PublicKey>::failure(malformed(file, line_of(*key_file.value, "public-key"),
                                                    "the public key is not 32 bytes of base64"));
    }
    PublicKey key;
    std::copy(bytes->begin(), bytes->end(), key.bytes.begin());
    const auto id = key_id_from_hex(*id_text);
    if (!id || *id != key_id(key)) {
        return Result<PublicKey>::failure(malformed(file, line_of(*key_file.value, "key-id"),
                                                    "the key id is not the id of the public key"));
    }
    return Result<PublicKey>::success(key);
}

std::string format_secret_key(const SecretKey& key, const Passphrase* passphrase,
                              KdfStrength strength, std::string_view comment) {
    ensure_sodium();
    const KeyId id = key.id();
    std::string out =
        fmt::format("{}\nalgorithm: {}\nkey-id: {}\n", kSecretFirstLine, kAlgorithm, to_hex(id));
    if (passphrase == nullptr) {
        out += fmt::format("encryption: {}\nsecret-key: {}\n", kUnencrypted, base64(key.bytes()));
    } else {
        const uint64_t opslimit = strength == KdfStrength::moderate
                                      ? crypto_pwhash_OPSLIMIT_MODERATE
                                      : crypto_pwhash_OPSLIMIT_INTERACTIVE;
        const uint64_t memlimit = strength == KdfStrength::moderate
                                      ? crypto_pwhash_MEMLIMIT_MODERATE
                                      : crypto_pwhash_MEMLIMIT_INTERACTIVE;
        uint8_t salt[crypto_pwhash_SALTBYTES];
        uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
        randombytes_buf(salt, sizeof(salt));
        randombytes_buf(nonce, sizeof(nonce));
        uint8_t wrapping[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
        if (crypto_pwhash(wrapping, sizeof(wrapping), passphrase->text().data(),
                          passphrase->text().size(), salt, opslimit, memlimit,
                          crypto_pwhash_ALG_ARGON2ID13) != 0) {
            core::invariant_broken();  // Out of memory for Argon2id: no key file can be written.
        }
        const auto ad = associated_data(id, opslimit, memlimit, salt);
        std::vector<uint8_t> sealed(kSecretBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES);
        unsigned long long sealed_size = 0;
        crypto_aead_xchacha20poly1305_ietf_encrypt(
            sealed.data(), &sealed_size, key.bytes().data(), kSecretBytes,
            reinterpret_cast<const uint8_t*>(ad.data()), ad.size(), nullptr, nonce, wrapping);
        sodium_memzero(wrapping, sizeof(wrapping));
        out += fmt::format(
            "encryption: {}\nkdf-opslimit: {}\nkdf-memlimit: {}\nkdf-salt: {}\nnonce: {}\n"
            "secret-key: {}\n",
            kEncrypted, opslimit, memlimit, base64(salt), base64(nonce), base64(sealed));
    }
    if (!comment.empty()) {
        out += fmt::format("comment: {}\n", comment);
    }
    return out;
}

namespace {

using AskPassphrase = std::function<std::optional<Passphrase>()>;

// The 64 secret bytes of an "encryption: none" file.
Result<std::vector<uint8_t>> read_plain_secret(const KeyFile& f, const std::string& file,
                                               const std::string& secret_text) {
    auto bytes = from_base64(secret_text, kSecretBytes);
    if (!bytes) {
        return Result<std::vector<uint8_t>>::failure(
            malformed(file, line_of(f, "secret-key"), "the secret key is not 64 bytes of base64"));
    }
    return Result<std::vector<uint8_t>>::success(std::move(*bytes));
}

// The 64 secret bytes of an encrypted file: its KDF parameters checked before
// Argon2id runs, then the key unsealed with the passphrase `ask` gives.
Result<std::vector<uint8_t>> open_sealed_secret(const KeyFile& f, const std::string& file,
                                                const KeyId& id, const std::string& secret_text,
                                                const AskPassphrase& ask) {
    using SecretResult = Result<std::vector<uint8_t>>;
    std::vector<Diagnostic> errors;
    const auto ops_text = required(f, "kdf-opslimit", file, &errors);
    const auto mem_text = required(f, "kdf-memlimit", file, &errors);
    const auto salt_text = required(f, "kdf-salt", file, &errors);
    const auto nonce_text = required(f, "nonce", file, &errors);
    if (!errors.empty()) {
        return SecretResult::failure(std::move(errors));
    }
    const auto opslimit = parse_u64(*ops_text);
    const auto memlimit = parse_u64(*mem_text);
    const auto salt = from_base64(*salt_text, crypto_pwhash_SALTBYTES);
    const auto nonce = from_base64(*nonce_text, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    const auto sealed =
        from_base64(secret_text, kSecretBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    // Bounds on the KDF parameters keep a crafted file from making Argon2id
    // run for hours or take all memory.
    const bool ops_ok = opslimit && *opslimit >= crypto_pwhash_OPSLIMIT_MIN &&
                        *opslimit <= crypto_pwhash_OPSLIMIT_SENSITIVE;
    const bool mem_ok = memlimit && *memlimit >= crypto_pwhash_MEMLIMIT_MIN &&
                        *memlimit <= crypto_pwhash_MEMLIMIT_SENSITIVE;
    if (!ops_ok || !mem_ok) {
        return SecretResult::failure(malformed(
            file, line_of(f, ops_ok ? "kdf-memlimit" : "kdf-opslimit"),
            "the key derivation parameters are outside libsodium's interactive to sensitive "
            "range"));
    }
    if (!salt || !nonce || !sealed) {
        return SecretResult::failure(
            malformed(file, line_of(f, !salt ? "kdf-salt" : (!nonce ? "nonce" : "secret-key")),
                      "a salt, nonce or secret key is not base64 of its length"));
    }
    std::optional<Passphrase> passphrase = ask ? ask() : std::nullopt;
    if (!passphrase) {
        Location at;
        at.file = file;
        return SecretResult::failure(make_diagnostic(
            Code::key_passphrase_missing, "the secret key is encrypted and no passphrase was given",
            at, "give it at the prompt, or with --passphrase-file or --passphrase-env"));
    }
    uint8_t wrapping[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    if (crypto_pwhash(wrapping, sizeof(wrapping), passphrase->text().data(),
                      passphrase->text().size(), salt->data(), *opslimit,
                      static_cast<size_t>(*memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return SecretResult::failure(
            malformed(file, line_of(f, "kdf-memlimit"), "Argon2id could not run: out of memory"));
    }
    const auto ad = associated_data(id, *opslimit, *memlimit, *salt);
    std::vector<uint8_t> secret(kSecretBytes);
    unsigned long long opened = 0;
    const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        secret.data(), &opened, nullptr, sealed->data(), sealed->size(),
        reinterpret_cast<const uint8_t*>(ad.data()), ad.size(), nonce->data(), wrapping);
    sodium_memzero(wrapping, sizeof(wrapping));
    if (rc != 0) {
        sodium_memzero(secret.data(), secret.size());
        Location at;
        at.file = file;
        return SecretResult::failure(make_diagnostic(
            Code::key_passphrase_wrong,
            "the passphrase does not decrypt the secret key (or the file was altered)", at,
            "check the passphrase"));
    }
    return SecretResult::success(std::move(secret));
}

}  // namespace

Result<SecretKey> parse_secret_key(std::string_view text, std::string file,
                                   const std::function<std::optional<Passphrase>()>& ask) {
    ensure_sodium();
    auto key_file = read_key_file(text, file, kSecretFirstLine,
                                  {"algorithm", "key-id", "encryption", "kdf-opslimit",
                                   "kdf-memlimit", "kdf-salt", "nonce", "secret-key", "comment"});
    if (!key_file.ok()) {
        return Result<SecretKey>::failure(std::move(key_file.diagnostics));
    }
    const KeyFile& f = *key_file.value;
    std::vector<Diagnostic> errors;
    const auto algorithm = required(f, "algorithm", file, &errors);
    const auto id_text = required(f, "key-id", file, &errors);
    const auto encryption = required(f, "encryption", file, &errors);
    const auto secret_text = required(f, "secret-key", file, &errors);
    if (!errors.empty()) {
        return Result<SecretKey>::failure(std::move(errors));
    }
    if (*algorithm != kAlgorithm) {
        return Result<SecretKey>::failure(
            malformed(file, line_of(f, "algorithm"),
                      fmt::format("algorithm \"{}\" is not ed25519", *algorithm)));
    }
    const auto id = key_id_from_hex(*id_text);
    if (!id) {
        return Result<SecretKey>::failure(
            malformed(file, line_of(f, "key-id"), "the key id is not 32 hex digits"));
    }
    if (*encryption != kUnencrypted && *encryption != kEncrypted) {
        return Result<SecretKey>::failure(
            malformed(file, line_of(f, "encryption"),
                      fmt::format("encryption \"{}\" is neither {} nor {}", *encryption, kEncrypted,
                                  kUnencrypted)));
    }
    auto secret = *encryption == kUnencrypted ? read_plain_secret(f, file, *secret_text)
                                              : open_sealed_secret(f, file, *id, *secret_text, ask);
    if (!secret.ok()) {
        return Result<SecretKey>::failure(std::move(secret.diagnostics));
    }
    std::vector<uint8_t>& bytes = *secret.value;
    auto key = SecretKey::from_bytes(std::span<const uint8_t, 64>(bytes.data(), 64));
    sodium_memzero(bytes.data(), bytes.size());
    if (!key || key->id() != *id) {
        return Result<SecretKey>::failure(malformed(
            file, line_of(f, "secret-key"), "the secret key is not the key the key id names"));
    }
    return Result<SecretKey>::success(std::move(*key));
}

}  // namespace ringward
