// Keyrings (schemas/ringward/v1/keyring.proto): the keys an agent trusts.
#include <fmt/format.h>
#include <sodium.h>

#include <set>

#include "ringward/file.hpp"
#include "ringward/sign.hpp"
#include "ringward/v1/keyring.pb.h"
#include "schema/parse.hpp"

namespace ringward {

Result<std::vector<TrustedKey>> parse_keyring(std::string_view bytes, std::string file,
                                              InputFormat format) {
    LoadOptions options;
    options.format = format;
    v1::Keyring message;
    google::protobuf::TextFormat::ParseInfoTree tree;
    const bool text = format == InputFormat::text;
    auto diagnostics =
        parse_message(bytes, file, format, options, &message, text ? &tree : nullptr);
    if (has_errors(diagnostics)) {
        return Result<std::vector<TrustedKey>>::failure(std::move(diagnostics));
    }
    std::vector<TrustedKey> keys;
    std::set<KeyId> seen;
    for (int i = 0; i < message.keys_size(); ++i) {
        const v1::TrustedKey& entry = message.keys(i);
        const Location at = entry_location(file, text ? &tree : nullptr, message, "keys", i);
        TrustedKey key;
        key.location = at;
        std::vector<uint8_t> raw(RINGWARD_PUBLIC_KEY_BYTES + 3);
        size_t length = 0;
        const char* end = nullptr;
        if (sodium_base642bin(raw.data(), raw.size(), entry.public_key().data(),
                              entry.public_key().size(), nullptr, &length, &end,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            end != entry.public_key().data() + entry.public_key().size() ||
            length != RINGWARD_PUBLIC_KEY_BYTES) {
            diagnostics.push_back(
                make_diagnostic(Code::keyring_entry_malformed,
                                fmt::format("keys[{}]: public_key is not 32 bytes of base64", i),
                                at, "copy the public-key line of the key's .pub file"));
            continue;
        }
        std::copy(raw.begin(), raw.begin() + RINGWARD_PUBLIC_KEY_BYTES, key.key.bytes.begin());
        key.id = key_id(key.key);
        if (!entry.key_id().empty() && entry.key_id() != to_hex(key.id)) {
            diagnostics.push_back(make_diagnostic(
                Code::keyring_key_id_mismatch,
                fmt::format("keys[{}]: key_id {} is not the id of its public key ({})", i,
                            entry.key_id(), to_hex(key.id)),
                at, "copy both lines from the same .pub file"));
            continue;
        }
        if (!seen.insert(key.id).second) {
            diagnostics.push_back(make_diagnostic(
                Code::keyring_key_duplicate,
                fmt::format("keys[{}]: key {} is listed already", i, to_hex(key.id)), at,
                "list each key once, with its one validity window"));
            continue;
        }
        key.not_before = entry.not_before();
        key.not_after = entry.not_after();
        key.revoked = entry.revoked();
        key.comment = entry.comment();
        keys.push_back(std::move(key));
    }
    if (has_errors(diagnostics)) {
        return Result<std::vector<TrustedKey>>::failure(std::move(diagnostics));
    }
    return Result<std::vector<TrustedKey>>::success(std::move(keys), std::move(diagnostics));
}

Result<std::vector<TrustedKey>> load_keyring(const std::string& path) {
    const auto format = input_format_from_path(path).value_or(InputFormat::text);
    auto bytes = read_file(path, 16u << 20);
    if (!bytes.ok()) {
        return Result<std::vector<TrustedKey>>::failure(std::move(bytes.diagnostics));
    }
    return parse_keyring(*bytes.value, path, format);
}

std::vector<ringward_trusted_key> to_loader_keys(std::span<const TrustedKey> keys) {
    std::vector<ringward_trusted_key> out;
    out.reserve(keys.size());
    for (const TrustedKey& key : keys) {
        ringward_trusted_key k{};
        std::copy(key.id.begin(), key.id.end(), k.key_id);
        std::copy(key.key.bytes.begin(), key.key.bytes.end(), k.public_key);
        k.not_before = key.not_before;
        k.not_after = key.not_after;
        k.revoked = key.revoked ? 1 : 0;
        out.push_back(k);
    }
    return out;
}

std::vector<ringward_template_support> to_loader_table(const SensorManifest& manifest) {
    std::vector<ringward_template_support> out;
    out.reserve(manifest.template_types.size());
    for (const SuppliedTemplateType& t : manifest.template_types) {
        out.push_back({t.id, t.version, static_cast<uint32_t>(t.input_types.size()),
                       reinterpret_cast<const uint8_t*>(t.input_types.data())});
    }
    return out;
}

}  // namespace ringward
