// Keys: RFC 8032 through the library's own sign and verify, key ids, and the
// key file and keyring formats with their exact errors.
#include <sodium.h>
#include <catch2/catch.hpp>

#include "ringward/sign.hpp"
#include "sign/rfc8032.hpp"
#include "support/fixtures.hpp"
#include "support/text.hpp"

using namespace ringward;
using ringward::test::test_key;

namespace {

std::vector<uint8_t> unhex(std::string_view hex) {
    std::vector<uint8_t> out(hex.size() / 2);
    if (out.empty()) {
        return out;  // sodium_hex2bin takes no null output, and RFC 8032 has empty messages
    }
    size_t length = 0;
    REQUIRE(sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &length,
                           nullptr) == 0);
    REQUIRE(length == out.size());
    return out;
}

std::string replace_line(std::string text, std::string_view prefix, std::string_view line) {
    const size_t at = text.find(prefix);
    REQUIRE(at != std::string::npos);
    const size_t end = text.find('\n', at);
    text.replace(at, end - at, line);
    return text;
}

// The 1-based line of `text` that starts with `prefix`.
uint32_t line_number(const std::string& text, std::string_view prefix) {
    const size_t at = text.find(std::string("\n") + std::string(prefix));
    REQUIRE(at != std::string::npos);
    return ringward::test::line_column_at(text, at + 1).first;
}

std::optional<Passphrase> give(const char* text) {
    return Passphrase(text);
}

}  // namespace

TEST_CASE("RFC 8032 test vectors through the library's sign and verify") {
    for (const auto& v : test::kRfc8032Vectors) {
        DYNAMIC_SECTION(v.name) {
            const auto seed = unhex(v.secret_key);
            const SecretKey key =
                SecretKey::from_seed(std::span<const uint8_t, 32>(seed.data(), 32));
            const auto expected_public = unhex(v.public_key);
            CHECK(std::equal(expected_public.begin(), expected_public.end(),
                             key.public_key().bytes.begin()));
            const auto message = unhex(v.message);
            const Signature signature = key.sign(message);
            const auto expected = unhex(v.signature);
            CHECK(std::equal(expected.begin(), expected.end(), signature.begin()));
            CHECK(verify(signature, message, key.public_key()));

            // Any change to the message or the signature is refused.
            Signature altered = signature;
            altered[10] ^= 0x01;
            CHECK_FALSE(verify(altered, message, key.public_key()));
            auto longer = message;
            longer.push_back(0);
            CHECK_FALSE(verify(signature, longer, key.public_key()));
        }
    }
}

TEST_CASE("key ids are derived from the public key, not random") {
    const SecretKey a = test_key(1);
    const SecretKey b = test_key(2);
    CHECK(a.id() == key_id(a.public_key()));
    CHECK(a.id() == test_key(1).id());
    CHECK(a.id() != b.id());
    CHECK(to_hex(a.id()).size() == 32);
    CHECK(to_hex(a.id()).find_first_not_of("0123456789abcdef") == std::string::npos);
}

TEST_CASE("a secret key wipes what it held when moved from") {
    SecretKey a = test_key(7);
    const auto public_key = a.public_key();
    SecretKey b(std::move(a));
    CHECK(b.public_key() == public_key);
    const auto wiped = a.bytes();  // NOLINT(bugprone-use-after-move): checking the wipe
    CHECK(std::all_of(wiped.begin(), wiped.end(), [](uint8_t byte) { return byte == 0; }));
}

TEST_CASE("public key files round-trip and refuse what is wrong, at its line") {
    const SecretKey key = test_key(3);
    const std::string text = format_public_key(key.public_key(), "release 2026");
    CHECK(text.rfind("ringward public key v1\nalgorithm: ed25519\nkey-id: ", 0) == 0);
    auto parsed = parse_public_key(text, "k.pub");
    REQUIRE(parsed.ok());
    CHECK(*parsed.value == key.public_key());

    struct Case {
        const char* name;
        std::string text;
        uint32_t line;
    };
    const std::string other_id = to_hex(test_key(4).id());
    const Case cases[] = {
        {"empty", "", 0},
        {"wrong first line", replace_line(text, "ringward public key v1", "ringward public key v2"),
         1},
        {"unknown line", text + "colour: blue\n", 6},
        {"a line twice", text + "algorithm: ed25519\n", 6},
        {"no colon", text + "just words\n", 6},
        {"other algorithm", replace_line(text, "algorithm:", "algorithm: rsa"), 2},
        {"key id of another key", replace_line(text, "key-id:", "key-id: " + other_id), 3},
        {"key too short", replace_line(text, "public-key:", "public-key: AAAA"), 4},
        {"key not base64", replace_line(text, "public-key:", "public-key: !!!!"), 4},
        {"key line missing", replace_line(text, "public-key:", ""), 0},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        const auto result = parse_public_key(c.text, "k.pub");
        CHECK_FALSE(result.ok());
        REQUIRE(result.diagnostics.size() == 1);
        CHECK(result.diagnostics[0].code == Code::key_file_malformed);
        CHECK(result.diagnostics[0].location.file == "k.pub");
        CHECK(result.diagnostics[0].location.line == c.line);
        CHECK(result.diagnostics[0].location.column == (c.line > 0 ? 1u : 0u));
    }
}

TEST_CASE("secret key files: unencrypted and encrypted round trips") {
    const SecretKey key = test_key(5);
    SECTION("unencrypted") {
        const std::string text = format_secret_key(key, nullptr, KdfStrength::interactive, "");
        CHECK(text.find("encryption: none") != std::string::npos);
        bool asked = false;
        auto parsed = parse_secret_key(text, "k.key", [&] {
            asked = true;
            return give("unused");
        });
        REQUIRE(parsed.ok());
        CHECK_FALSE(asked);
        CHECK(parsed.value->public_key() == key.public_key());
    }
    SECTION("encrypted: the right passphrase opens it, a wrong one does not") {
        const Passphrase passphrase("correct horse battery staple");
        const std::string text = format_secret_key(key, &passphrase, KdfStrength::interactive, "c");
        CHECK(text.find("encryption: argon2id13-xchacha20poly1305") != std::string::npos);
        // The secret itself is not in the file.
        const std::string plain_text =
            format_secret_key(key, nullptr, KdfStrength::interactive, "");
        const std::string plain_secret =
            plain_text.substr(plain_text.find("secret-key: ") + 12, 40);
        CHECK(text.find(plain_secret) == std::string::npos);

        auto opened =
            parse_secret_key(text, "k.key", [] { return give("correct horse battery staple"); });
        REQUIRE(opened.ok());
        CHECK(opened.value->id() == key.id());
        CHECK(opened.value->sign(std::vector<uint8_t>{1, 2, 3}) ==
              key.sign(std::vector<uint8_t>{1, 2, 3}));

        auto wrong =
            parse_secret_key(text, "k.key", [] { return give("Correct horse battery staple"); });
        CHECK_FALSE(wrong.ok());
        REQUIRE(wrong.diagnostics.size() == 1);
        CHECK(wrong.diagnostics[0].code == Code::key_passphrase_wrong);
        // The file as a whole: no one line is wrong.
        CHECK(wrong.diagnostics[0].location.file == "k.key");
        CHECK(wrong.diagnostics[0].location.line == 0);

        auto none = parse_secret_key(text, "k.key", [] { return std::optional<Passphrase>(); });
        CHECK_FALSE(none.ok());
        REQUIRE(none.diagnostics.size() == 1);
        CHECK(none.diagnostics[0].code == Code::key_passphrase_missing);
        CHECK(none.diagnostics[0].location.file == "k.key");
        CHECK(none.diagnostics[0].location.line == 0);

        // The KDF parameters and salt are authenticated: changing one makes
        // the right passphrase fail as well.
        const size_t at = text.find("kdf-opslimit: ") + 14;
        std::string weaker = text;
        weaker.replace(at, text.find('\n', at) - at, "3");
        auto altered =
            parse_secret_key(weaker, "k.key", [] { return give("correct horse battery staple"); });
        CHECK_FALSE(altered.ok());
        REQUIRE(altered.diagnostics.size() == 1);
        CHECK(altered.diagnostics[0].code == Code::key_passphrase_wrong);
        CHECK(altered.diagnostics[0].location.line == 0);

        // Parameters outside libsodium's range are refused before Argon2id
        // runs: a crafted file cannot make it take hours.
        std::string huge = text;
        huge.replace(at, text.find('\n', at) - at, "4000000000");
        auto refused = parse_secret_key(huge, "k.key", [] { return give("x"); });
        CHECK_FALSE(refused.ok());
        REQUIRE(refused.diagnostics.size() == 1);
        CHECK(refused.diagnostics[0].code == Code::key_file_malformed);
        CHECK(refused.diagnostics[0].location.file == "k.key");
        CHECK(refused.diagnostics[0].location.line == line_number(huge, "kdf-opslimit:"));

        std::string greedy = text;
        const size_t mem_at = text.find("kdf-memlimit: ") + 14;
        greedy.replace(mem_at, text.find('\n', mem_at) - mem_at, "18446744073709551615");
        auto too_much = parse_secret_key(greedy, "k.key", [] { return give("x"); });
        REQUIRE(too_much.diagnostics.size() == 1);
        CHECK(too_much.diagnostics[0].code == Code::key_file_malformed);
        CHECK(too_much.diagnostics[0].location.line == line_number(greedy, "kdf-memlimit:"));
    }
    SECTION("a secret key whose key id names another key is refused") {
        const std::string text = format_secret_key(key, nullptr, KdfStrength::interactive, "");
        const std::string other =
            replace_line(text, "key-id:", "key-id: " + to_hex(test_key(6).id()));
        auto parsed = parse_secret_key(other, "k.key", nullptr);
        CHECK_FALSE(parsed.ok());
        REQUIRE(parsed.diagnostics.size() == 1);
        CHECK(parsed.diagnostics[0].code == Code::key_file_malformed);
        CHECK(parsed.diagnostics[0].location.file == "k.key");
        CHECK(parsed.diagnostics[0].location.line == line_number(other, "secret-key:"));
        CHECK(parsed.diagnostics[0].location.column == 1);
    }
}

TEST_CASE("keyrings load, and refuse malformed, mismatched and repeated keys") {
    const SecretKey a = test_key(8);
    const SecretKey b = test_key(9);
    const std::string good = "keys { public_key: \"" + to_base64(a.public_key()) + "\" key_id: \"" +
                             to_hex(a.id()) + "\" not_after: 99 }\n" + "keys {\n  public_key: \"" +
                             to_base64(b.public_key()) +
                             "\"\n  revoked: true\n  comment: \"leaked\"\n}\n";
    auto keyring = parse_keyring(good, "kr.txtpb", InputFormat::text);
    REQUIRE(keyring.ok());
    REQUIRE(keyring.value->size() == 2);
    CHECK((*keyring.value)[0].id == a.id());
    CHECK((*keyring.value)[0].not_after == 99);
    CHECK((*keyring.value)[1].revoked);
    CHECK((*keyring.value)[1].comment == "leaked");
    CHECK((*keyring.value)[1].location.line == 2);
    const auto loader_keys = to_loader_keys(*keyring.value);
    REQUIRE(loader_keys.size() == 2);
    CHECK(loader_keys[1].revoked == 1);
    const KeyId a_id = a.id();
    CHECK(std::equal(a_id.begin(), a_id.end(), loader_keys[0].key_id));

    struct Case {
        const char* name;
        std::string text;
        Code code;
        uint32_t line;
        uint32_t column;
    };
    const Case cases[] = {
        {"not base64", "keys { public_key: \"%%%\" }", Code::keyring_entry_malformed, 1, 1},
        {"too short", "keys { public_key: \"AAAA\" }", Code::keyring_entry_malformed, 1, 1},
        {"key id of another key",
         "keys { public_key: \"" + to_base64(a.public_key()) + "\" key_id: \"" + to_hex(b.id()) +
             "\" }",
         Code::keyring_key_id_mismatch, 1, 1},
        {"the same key twice, located at the second",
         "keys { public_key: \"" + to_base64(a.public_key()) + "\" }\nkeys { public_key: \"" +
             to_base64(a.public_key()) + "\" }",
         Code::keyring_key_duplicate, 2, 1},
        {"not a keyring", "keys { colour: 1 }", Code::syntax_error, 1, 8},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        const auto result = parse_keyring(c.text, "kr.txtpb", InputFormat::text);
        CHECK_FALSE(result.ok());
        REQUIRE(result.diagnostics.size() == 1);
        CHECK(result.diagnostics[0].code == c.code);
        CHECK(result.diagnostics[0].location.file == "kr.txtpb");
        CHECK(result.diagnostics[0].location.line == c.line);
        CHECK(result.diagnostics[0].location.column == c.column);
    }
}
