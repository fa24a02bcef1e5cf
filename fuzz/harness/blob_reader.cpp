// Arbitrary bytes into the one reader. Anything it accepts is walked
// completely, and re-encoding the view must give back the identical bytes:
// the encoding is canonical (DESIGN.md invariant 3). A refusal must point
// inside the input. Only broken invariants abort; bad input is the point.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ringward/compile.hpp"
#include "ringward/core/regex_program.hpp"
#include "ringward/format.hpp"
#ifdef RINGWARD_CUSTOM_MUTATOR
#include "harness/blob_mutator.hpp"

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned seed) {
    return ringward::fuzz::mutate_blob(data, size, max_size, seed);
}
#endif

using namespace ringward;

namespace {

// Touches every byte every accessor can reach, so that the sanitizers see
// any read the reader's checks did not cover.
uint64_t walk(const format::BlobView& view) {
    uint64_t sum = view.channel() + view.content_version() + view.sensor_min() + view.sensor_max();
    for (uint32_t i = 0; i < view.instance_count(); ++i) {
        const format::InstanceView instance = view.instance(i);
        sum += instance.id() + instance.template_type_id() + instance.template_type_version() +
               instance.rule_id() + instance.field_count() + instance.exclusion_count();
        for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
            const format::CriterionView c = instance.criterion(k);
            const format::Bytes name = c.name();
            for (uint32_t b = 0; b < name.size; ++b) {
                sum += name.data[b];
            }
            const format::Bytes data = c.data();
            for (uint32_t b = 0; b < data.size; ++b) {
                sum += data.data[b];
            }
            sum += c.value0() + c.value1() + c.prefix_len() + c.ip_address()[15] + c.group() +
                   c.ref_field_index() + (c.negated() ? 1u : 0u) + (c.is_field_ref() ? 2u : 0u);
            if (c.field_index() >= instance.field_count() ||
                c.group() > instance.exclusion_count()) {
                std::abort();  // The reader let a record outside its instance through.
            }
            const bool any_of_set = format::encoding(c.op(), c.kind()).any_of &&
                                    !c.is_field_ref() && c.value_count() >= 2;
            if (c.op() == format::Op::in || any_of_set) {
                if (c.kind() == format::Kind::int64 || c.kind() == format::Kind::uint64) {
                    for (uint32_t m = 0; m < c.value_count(); ++m) {
                        sum += c.scalar_member(m);
                    }
                } else if (c.kind() == format::Kind::ip) {
                    for (uint32_t m = 0; m < c.value_count(); ++m) {
                        sum += c.ip_member(m)[16];
                    }
                } else {
                    format::ByteSetCursor cursor = c.byte_members();
                    format::Bytes member;
                    uint32_t members = 0;
                    while (cursor.next(&member)) {
                        for (uint32_t b = 0; b < member.size; ++b) {
                            sum += member.data[b];
                        }
                        ++members;
                    }
                    if (members != c.value_count()) {
                        std::abort();
                    }
                }
            }
            if (c.op() == format::Op::regex) {
                const format::Bytes program = c.regex_program();
                if (core::verify_regex(program.data, program.size).error !=
                    core::RegexVerifyError::ok) {
                    std::abort();  // The reader let an unverified program through.
                }
            }
            sum += describe_criterion(c).size();
        }
    }
    return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    format::BlobView view;
    const format::ReadResult result = format::read_blob(data, size, format::Limits{}, &view);
    if (!result.ok()) {
        if (result.offset > size || view.instance_count() != 0 || view.data() != nullptr) {
            std::abort();  // A refusal must point inside the input and leave the view empty.
        }
        if (std::strcmp(format::read_error_name(result.error), "?") == 0 ||
            format::read_error_message(result.error)[0] == '\0') {
            std::abort();  // Every refusal has a stable name and a message.
        }
        return 0;
    }
    volatile uint64_t sink = walk(view);
    (void)sink;
    const std::vector<uint8_t> again = reencode(view);
    if (again.size() != size || (size > 0 && !std::equal(again.begin(), again.end(), data))) {
        std::abort();  // Two encodings of one content: canonicity is broken.
    }
    return 0;
}
