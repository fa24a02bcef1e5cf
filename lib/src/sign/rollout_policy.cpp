// A customer's rollout policy (schemas/ringward/v1/rollout_policy.proto):
// per content category, a ring and a delay the loader applies on top of the
// signed schedule.
#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <new>

#include "ringward/core/contract.hpp"
#include "ringward/file.hpp"
#include "ringward/rollout_policy.h"
#include "ringward/sign.hpp"
#include "ringward/v1/rollout_policy.pb.h"
#include "schema/parse.hpp"

namespace ringward {

static_assert(v1::SENSOR_OPERATIONS == RINGWARD_CATEGORY_SENSOR_OPERATIONS &&
              v1::SYSTEM_CRITICAL == RINGWARD_CATEGORY_SYSTEM_CRITICAL &&
              v1::VULNERABILITY_MANAGEMENT == RINGWARD_CATEGORY_VULNERABILITY_MANAGEMENT &&
              v1::RAPID_RESPONSE == RINGWARD_CATEGORY_RAPID_RESPONSE &&
              v1::ContentCategory_MAX == RINGWARD_CATEGORY_MAX);

Result<std::vector<ringward_category_policy>> parse_rollout_policy(std::string_view bytes,
                                                                   std::string file,
                                                                   InputFormat format) {
    using Out = Result<std::vector<ringward_category_policy>>;
    LoadOptions options;
    options.format = format;
    v1::RolloutPolicy message;
    google::protobuf::TextFormat::ParseInfoTree tree;
    const bool text = format == InputFormat::text;
    auto diagnostics =
        parse_message(bytes, file, format, options, &message, text ? &tree : nullptr);
    if (has_errors(diagnostics)) {
        return Out::failure(std::move(diagnostics));
    }
    std::vector<ringward_category_policy> policies;
    for (int i = 0; i < message.categories_size(); ++i) {
        const v1::CategoryPolicy& entry = message.categories(i);
        const Location at = entry_location(file, text ? &tree : nullptr, message, "categories", i);
        const auto category = static_cast<uint32_t>(entry.category());
        if (content_category_name(category)[0] == '?') {
            diagnostics.push_back(make_diagnostic(
                Code::rollout_policy_entry_invalid,
                fmt::format("categories[{}] names no content category", i), at,
                "give category: SENSOR_OPERATIONS, SYSTEM_CRITICAL, VULNERABILITY_MANAGEMENT or "
                "RAPID_RESPONSE"));
            continue;
        }
        if (entry.delay_seconds() > kMaxEnvelopeValiditySecondsIncl) {
            diagnostics.push_back(make_diagnostic(
                Code::rollout_policy_entry_invalid,
                fmt::format("categories[{}] delays {} by {} s, longer than any envelope lives "
                            "({} days): that content would expire before it is ever admitted",
                            i, content_category_name(category), entry.delay_seconds(),
                            kMaxEnvelopeValiditySecondsIncl / 86400),
                at, "give a shorter delay_seconds, or assign the category a later ring"));
            continue;
        }
        bool repeated = false;
        for (const ringward_category_policy& before : policies) {
            repeated = repeated || before.category == category;
        }
        if (repeated) {
            diagnostics.push_back(
                make_diagnostic(Code::rollout_policy_category_duplicate,
                                fmt::format("categories[{}]: {} has a policy already", i,
                                            content_category_name(category)),
                                at, "give each category one entry: one ring and one delay"));
            continue;
        }
        policies.push_back({category, entry.ring(), entry.delay_seconds()});
    }
    if (has_errors(diagnostics)) {
        return Out::failure(std::move(diagnostics));
    }
    return Out::success(std::move(policies), std::move(diagnostics));
}

Result<std::vector<ringward_category_policy>> load_rollout_policy(const std::string& path) {
    const auto format = input_format_from_path(path).value_or(InputFormat::text);
    auto bytes = read_file(path, 1u << 20);
    if (!bytes.ok()) {
        return Result<std::vector<ringward_category_policy>>::failure(std::move(bytes.diagnostics));
    }
    return parse_rollout_policy(*bytes.value, path, format);
}

}  // namespace ringward

extern "C" int ringward_read_rollout_policy(const char* path,
                                            ringward_category_policy out[RINGWARD_CATEGORY_MAX],
                                            size_t* count, char* message, size_t message_size) {
    if (path == nullptr || out == nullptr || count == nullptr || message == nullptr ||
        message_size == 0) {
        ringward::core::contract_violation();
    }
    *count = 0;
    message[0] = '\0';
    try {
        const auto policy = ringward::load_rollout_policy(path);
        std::string text;
        for (const ringward::Diagnostic& d : policy.diagnostics) {
            text += ringward::render_text(d, nullptr);
        }
        const size_t n = std::min(text.size(), message_size - 1);
        std::memcpy(message, text.data(), n);
        message[n] = '\0';
        if (!policy.ok()) {
            // An input that cannot be read is the environment's (2), one that
            // is read and refused the file's (1).
            const ringward::Code first = policy.diagnostics.front().code;
            return first == ringward::Code::input_unreadable ||
                           first == ringward::Code::input_too_large
                       ? 2
                       : 1;
        }
        std::copy(policy.value->begin(), policy.value->end(), out);
        *count = policy.value->size();
        return 0;
    } catch (const std::bad_alloc&) {
        std::snprintf(message, message_size, "ringward: out of memory reading %s\n", path);
        return 2;
    }
}
