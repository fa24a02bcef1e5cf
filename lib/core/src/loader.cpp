// The loader (loader.h): envelope policy over the one reader. Freestanding
// like the reader: every check below reads only inside the envelope, after
// its bounds were established, and allocates nothing.
#include "ringward/loader.h"

#include "ringward/core/contract.hpp"
#include "ringward/core/envelope_layout.hpp"
#include "ringward/format.hpp"

// The defaults, ringward_sodium_verify and ringward_sodium_hash, are
// declared in loader.h and defined in lib/src/loader/sodium.cpp. A freestanding build that
// does not link libsodium defines them itself (see loader.h).

namespace ringward::loader {
namespace {

using core::load_u16;
using core::load_u32;
using core::load_u64;

using namespace envelope;
constexpr size_t kSignature = kSignatureSize;

static_assert(sizeof(format::BlobView) <= sizeof(ringward_loaded::view_),
              "ringward_loaded::view_ must hold a BlobView");

struct StatusText {
    const char* name;
    const char* message;
};
constexpr StatusText kStatus[] = {
    {"ok", ""},
#define RINGWARD_LOADER_STATUS(number, ID, id, name, message) {name, message},
#include "ringward/loader_status.def"
#undef RINGWARD_LOADER_STATUS
};
constexpr uint32_t kStatusCount = sizeof(kStatus) / sizeof(kStatus[0]);
// The numbers in loader_status.def must run 1, 2, 3, ... for the table.
#define RINGWARD_LOADER_STATUS(number, ID, id, name, message) \
    static_assert(RINGWARD_E_##ID == number && number < kStatusCount);
#include "ringward/loader_status.def"
#undef RINGWARD_LOADER_STATUS

void zero(void* p, size_t n) {
    __builtin_memset(p, 0, n);
}

const ringward_trusted_key* find_key(const ringward_loader_config& config, const uint8_t* id) {
    for (size_t i = 0; i < config.key_count; ++i) {
        if (__builtin_memcmp(config.keys[i].key_id, id, RINGWARD_KEY_ID_BYTES) == 0) {
            return &config.keys[i];
        }
    }
    return nullptr;
}

const ringward_channel_state* find_channel(const ringward_loader_config& config, uint32_t channel) {
    for (size_t i = 0; i < config.channel_count; ++i) {
        if (config.channels[i].channel == channel) {
            return &config.channels[i];
        }
    }
    return nullptr;
}

const ringward_template_support* find_template(const ringward_template_support* table, size_t count,
                                               uint32_t id, uint32_t version) {
    for (size_t i = 0; i < count; ++i) {
        if (table[i].id == id && table[i].version == version) {
            return &table[i];
        }
    }
    return nullptr;
}

format::BlobView view_of(const ringward_loaded& loaded) {
    format::BlobView view;
    __builtin_memcpy(&view, loaded.view_, sizeof(view));
    return view;
}

// Whether this sensor can evaluate the instance (docs/format.md,
// "Loading"): its template type known, no more fields declared than inputs
// supplied, and every criterion, exclusions' too, on an input of its type
// (a field reference's other field as well).
void judge(const format::InstanceView& instance, const ringward_template_support* table,
           size_t count, ringward_instance* out) {
    const ringward_template_support* support =
        find_template(table, count, instance.template_type_id(), instance.template_type_version());
    out->status = RINGWARD_EVALUABLE;
    out->input_count = support != nullptr ? support->input_count : 0;
    out->criterion = 0;
    if (support == nullptr) {
        out->status = RINGWARD_SKIP_UNKNOWN_TEMPLATE;
        return;
    }
    // The Channel 291 rule: an interpreter sizes its input array by the
    // template type, so a type declaring more fields than the sensor
    // supplies is never evaluated, whichever fields the criteria name.
    if (instance.field_count() > support->input_count) {
        out->status = RINGWARD_SKIP_TOO_MANY_FIELDS;
        return;
    }
    for (uint32_t k = 0; k < instance.criterion_count(); ++k) {
        const format::CriterionView c = instance.criterion(k);
        const auto kind = static_cast<uint8_t>(c.kind());
        // field_index < field_count <= input_count holds for a blob the
        // reader accepted; checked again because an out-of-range index is
        // the one mistake that reads past the sensor's array.
        if (c.field_index() >= support->input_count ||
            (c.is_field_ref() && c.ref_field_index() >= support->input_count)) {
            out->status = RINGWARD_SKIP_TOO_MANY_FIELDS;
            out->criterion = k;
            return;
        }
        if (kind != support->input_types[c.field_index()] ||
            (c.is_field_ref() && kind != support->input_types[c.ref_field_index()])) {
            out->status = RINGWARD_SKIP_TYPE_MISMATCH;
            out->criterion = k;
            return;
        }
    }
}

// The six steps of loader.h, in its order; each returns RINGWARD_OK or the
// refusal that decides the status.

// 1. Shape, before anything else is read: size caps, magic, version, header.
// Sets *header to the version's header size.
ringward_status check_shape(const ringward_loader_config& config, const uint8_t* e, size_t size,
                            size_t* header) {
    const size_t cap = config.max_envelope_bytes != 0 ? config.max_envelope_bytes
                                                      : RINGWARD_DEFAULT_MAX_ENVELOPE_BYTES;
    if (size > cap) {
        return RINGWARD_E_TOO_LARGE;
    }
    // The smallest envelope: a version 1 header and the signature. The
    // version is read only once there are bytes for it.
    if (size < kHeaderSizeV1 + kSignature) {
        return RINGWARD_E_TRUNCATED;
    }
    if (__builtin_memcmp(e, kMagic, sizeof(kMagic)) != 0) {
        return RINGWARD_E_BAD_MAGIC;
    }
    const uint16_t version = load_u16(e + kAtVersion);
    *header = header_size(version);
    if (*header == 0) {
        return RINGWARD_E_UNSUPPORTED_VERSION;
    }
    if (size < *header + kSignature) {
        return RINGWARD_E_TRUNCATED;
    }
    const bool reserved_zero =
        version == kVersion1 ? load_u64(e + kAtReserved64) == 0 : load_u32(e + kAtReserved32) == 0;
    if (load_u16(e + kAtHeaderSize) != *header || load_u16(e + kAtReserved16) != 0 ||
        !reserved_zero) {
        return RINGWARD_E_BAD_HEADER;
    }
    // size >= *header + kSignature here, so the subtraction cannot wrap.
    if (load_u64(e + kAtBlobSize) != size - *header - kSignature) {
        return RINGWARD_E_SIZE_MISMATCH;
    }
    if (version == kVersion1 && (config.flags & RINGWARD_CONFIG_REQUIRE_SCHEDULE) != 0) {
        return RINGWARD_E_SCHEDULE_REQUIRED;
    }
    return RINGWARD_OK;
}

// 2. Algorithm and key, before any cryptography, so the refusal says what is
// wrong and no work is spent on a key the agent does not trust.
ringward_status check_key(const ringward_loader_config& config, const uint8_t* e,
                          const ringward_trusted_key** key) {
    if (load_u16(e + kAtAlgorithm) != RINGWARD_ALGORITHM_ED25519) {
        return RINGWARD_E_UNKNOWN_ALGORITHM;
    }
    *key = find_key(config, e + kAtKeyId);
    if (*key == nullptr) {
        return RINGWARD_E_UNKNOWN_KEY;
    }
    if ((*key)->revoked != 0) {
        return RINGWARD_E_KEY_REVOKED;
    }
    if ((*key)->not_before != 0 && config.now < (*key)->not_before) {
        return RINGWARD_E_KEY_NOT_YET_VALID;
    }
    if ((*key)->not_after != 0 && config.now > (*key)->not_after) {
        return RINGWARD_E_KEY_EXPIRED;
    }
    return RINGWARD_OK;
}

// 3. The signature over the context string and every header byte (the header
// holds the blob's hash, so the blob is covered too).
ringward_status check_signature(const ringward_loader_config& config, const uint8_t* e,
                                size_t header, size_t blob_size, const ringward_trusted_key& key) {
    uint8_t message[kMaxSignedSize];
    const size_t length = signed_message(e, load_u16(e + kAtVersion), message);
    const ringward_verify_fn verify =
        config.verify != nullptr ? config.verify : ringward_sodium_verify;
    if (verify(e + header + blob_size, message, length, key.public_key, config.verify_context) !=
        0) {
        return RINGWARD_E_BAD_SIGNATURE;
    }
    return RINGWARD_OK;
}

// 4. The blob is the one the header signs.
ringward_status check_hash(const ringward_loader_config& config, const uint8_t* e, size_t header,
                           size_t blob_size) {
    const ringward_hash_fn hash = config.hash != nullptr ? config.hash : ringward_sodium_hash;
    uint8_t digest[RINGWARD_HASH_BYTES];
    if (hash(digest, e + header, blob_size, config.hash_context) != 0) {
        return RINGWARD_E_HASH_FAILED;
    }
    if (__builtin_memcmp(digest, e + kAtBlobHash, RINGWARD_HASH_BYTES) != 0) {
        return RINGWARD_E_HASH_MISMATCH;
    }
    return RINGWARD_OK;
}

// Version 2's schedule entry i: the ring and its offset from not_before.
uint32_t schedule_ring(const uint8_t* e, size_t i) {
    return load_u32(e + kAtSchedule + i * kScheduleEntrySize);
}
uint64_t schedule_offset(const uint8_t* e, size_t i) {
    return load_u64(e + kAtSchedule + i * kScheduleEntrySize + 8);
}

// The schedule's one encoding: 1 to kScheduleSlots rings, strictly
// ascending; offsets never decreasing (a later ring is never admitted
// before an earlier one) and each before the expiry, so that not_before +
// offset can neither overflow nor fall outside the window; reserved and
// unused entries zero.
bool schedule_canonical(const uint8_t* e) {
    const uint32_t count = load_u32(e + kAtRingCount);
    const uint64_t not_before = load_u64(e + kAtNotBefore);
    const uint64_t expires = load_u64(e + kAtExpires);
    if (count == 0 || count > kScheduleSlots || expires <= not_before) {
        return false;
    }
    const uint64_t window = expires - not_before;
    for (size_t i = 0; i < kScheduleSlots; ++i) {
        const uint8_t* entry = e + kAtSchedule + i * kScheduleEntrySize;
        if (load_u32(entry + 4) != 0) {
            return false;
        }
        if (i >= count) {
            if (load_u32(entry) != 0 || load_u64(entry + 8) != 0) {
                return false;
            }
            continue;
        }
        if (schedule_offset(e, i) >= window) {
            return false;
        }
        if (i > 0 && (schedule_ring(e, i) <= schedule_ring(e, i - 1) ||
                      schedule_offset(e, i) < schedule_offset(e, i - 1))) {
            return false;
        }
    }
    return true;
}

const ringward_category_policy* find_category(const ringward_loader_config& config,
                                              uint32_t category) {
    for (size_t i = 0; i < config.category_policy_count; ++i) {
        if (config.category_policies[i].category == category) {
            return &config.category_policies[i];
        }
    }
    return nullptr;
}

// Version 2: the ring this agent is judged for and the time it is admitted
// (into out->admission_ring and out->admit_at).
ringward_status check_schedule(const ringward_loader_config& config, const uint8_t* e,
                               ringward_loaded* out) {
    const ringward_category_policy* customer = find_category(config, load_u32(e + kAtCategory));
    // A customer can slow content down, never speed it up: the later ring.
    uint32_t ring = config.ring;
    uint64_t delay = 0;
    if (customer != nullptr) {
        ring = customer->ring > ring ? customer->ring : ring;
        delay = customer->delay;
    }
    const uint32_t count = load_u32(e + kAtRingCount);
    size_t found = kScheduleSlots;
    for (size_t i = 0; i < count; ++i) {
        if (schedule_ring(e, i) == ring) {
            found = i;
        }
    }
    if (found == kScheduleSlots) {
        return RINGWARD_E_RING_NOT_ADMITTED;
    }
    // Canonical: offset < expires - not_before, so this cannot overflow and
    // lies before the expiry.
    const uint64_t signed_admission = load_u64(e + kAtNotBefore) + schedule_offset(e, found);
    const uint64_t expires = load_u64(e + kAtExpires);
    if (delay >= expires - signed_admission) {
        return RINGWARD_E_ADMITTED_AFTER_EXPIRY;
    }
    out->admission_ring = ring;
    out->admit_at = signed_admission + delay;
    return RINGWARD_OK;
}

// 5. Policy: the signed fields against what the agent knows.
ringward_status check_policy(const ringward_loader_config& config, const uint8_t* e,
                             ringward_loaded* out) {
    const bool scheduled = load_u16(e + kAtVersion) == kVersion2;
    if (scheduled && !schedule_canonical(e)) {
        return RINGWARD_E_BAD_SCHEDULE;
    }
    const uint32_t channel = load_u32(e + kAtChannel);
    const uint64_t sequence = load_u64(e + kAtSequence);
    const uint64_t sensor_min = load_u64(e + kAtSensorMin);
    const uint64_t sensor_max = load_u64(e + kAtSensorMax);
    if (config.expected_channel != 0 && channel != config.expected_channel) {
        return RINGWARD_E_WRONG_CHANNEL;
    }
    // Sequences start at 1 (sign never writes 0): a 0 would sit below every
    // state a fresh agent could record and so escape rollback protection.
    if (sequence == 0) {
        return RINGWARD_E_SEQUENCE_ZERO;
    }
    if (const ringward_channel_state* state = find_channel(config, channel)) {
        if (sequence == state->last_sequence) {
            return RINGWARD_E_REPLAYED;
        }
        if (sequence < state->last_sequence) {
            return RINGWARD_E_ROLLBACK;
        }
    }
    if (config.now < load_u64(e + kAtNotBefore)) {
        return RINGWARD_E_NOT_YET_VALID;
    }
    if (config.now >= load_u64(e + kAtExpires)) {
        return RINGWARD_E_EXPIRED;
    }
    if ((config.flags & RINGWARD_CONFIG_ANY_SENSOR) == 0 &&
        (config.sensor_version < sensor_min || config.sensor_version > sensor_max)) {
        return RINGWARD_E_SENSOR_OUT_OF_RANGE;
    }
    if (scheduled) {
        return check_schedule(config, e, out);
    }
    // Version 1, unchanged: one signed ring, the highest admitted, from
    // not_before on; no category, so no customer policy applies.
    if (config.ring > load_u32(e + kAtRing)) {
        return RINGWARD_E_RING_NOT_ADMITTED;
    }
    out->admission_ring = config.ring;
    out->admit_at = load_u64(e + kAtNotBefore);
    return RINGWARD_OK;
}

// 6. The blob through the one reader, under the agent's limits, and agreeing
// with its envelope so that a blob cannot travel under another content's
// header; then every instance against the sensor's own table.
ringward_status check_blob(const ringward_loader_config& config, const uint8_t* e, size_t header,
                           size_t blob_size, ringward_loaded* out) {
    const format::Limits limits =
        config.blob_limits != nullptr ? format::Limits(*config.blob_limits) : format::Limits{};
    format::BlobView view;
    const format::ReadResult read = format::read_blob(e + header, blob_size, limits, &view);
    if (!read.ok()) {
        out->read_error = static_cast<uint32_t>(read.error);
        out->read_error_offset = read.offset;
        return RINGWARD_E_BLOB_MALFORMED;
    }
    if (view.channel() != load_u32(e + kAtChannel) ||
        view.sensor_min() != load_u64(e + kAtSensorMin) ||
        view.sensor_max() != load_u64(e + kAtSensorMax)) {
        return RINGWARD_E_BLOB_MISMATCH;
    }
    out->instance_count = view.instance_count();
    __builtin_memcpy(out->view_, &view, sizeof(view));
    for (uint32_t i = 0; i < view.instance_count(); ++i) {
        ringward_instance verdict;
        judge(view.instance(i), config.templates, config.template_count, &verdict);
        if (verdict.status == RINGWARD_EVALUABLE) {
            ++out->evaluable_count;
        } else {
            ++out->skipped_count;
        }
    }
    return RINGWARD_OK;
}

// The signed header's fields, for the agent.
void describe(const ringward_loader_config& config, const uint8_t* e, size_t header,
              size_t blob_size, ringward_loaded* out) {
    const uint16_t version = load_u16(e + kAtVersion);
    __builtin_memcpy(out->key_id, e + kAtKeyId, RINGWARD_KEY_ID_BYTES);
    out->channel = load_u32(e + kAtChannel);
    out->format_version = version;
    if (version == kVersion1) {
        out->ring = load_u32(e + kAtRing);
    } else {
        out->ring = schedule_ring(e, load_u32(e + kAtRingCount) - 1);
        out->category = load_u32(e + kAtCategory);
    }
    out->sequence = load_u64(e + kAtSequence);
    out->not_before = load_u64(e + kAtNotBefore);
    out->expires = load_u64(e + kAtExpires);
    out->sensor_min = load_u64(e + kAtSensorMin);
    out->sensor_max = load_u64(e + kAtSensorMax);
    out->blob = e + header;
    out->blob_size = blob_size;
    out->templates_ = config.templates;
    out->template_count_ = config.template_count;
}

// What a deferral leaves visible: the header's fields and the time, no content.
void withhold_content(ringward_loaded* out) {
    out->blob = nullptr;
    out->blob_size = 0;
    out->instance_count = 0;
    out->evaluable_count = 0;
    out->skipped_count = 0;
    zero(out->view_, sizeof(out->view_));
    out->templates_ = nullptr;
    out->template_count_ = 0;
}

ringward_status load(const ringward_loader_config& config, const uint8_t* e, size_t size,
                     ringward_loaded* out) {
    size_t header = 0;
    ringward_status status = check_shape(config, e, size, &header);
    if (status != RINGWARD_OK) {
        return status;
    }
    const size_t blob_size = size - header - kSignature;
    const ringward_trusted_key* key = nullptr;
    if ((status = check_key(config, e, &key)) != RINGWARD_OK ||
        (status = check_signature(config, e, header, blob_size, *key)) != RINGWARD_OK ||
        (status = check_hash(config, e, header, blob_size)) != RINGWARD_OK ||
        (status = check_policy(config, e, out)) != RINGWARD_OK ||
        (status = check_blob(config, e, header, blob_size, out)) != RINGWARD_OK) {
        return status;
    }
    describe(config, e, header, blob_size, out);
    // 7. Everything holds but the time: a deferral, not a refusal. The blob
    // was read all the same, so what is kept staged is known to be sound.
    if (config.now < out->admit_at) {
        withhold_content(out);
        return RINGWARD_E_NOT_YET_ADMITTED;
    }
    return RINGWARD_OK;
}

}  // namespace
}  // namespace ringward::loader

extern "C" {

const char* ringward_status_name(ringward_status status) {
    const auto index = static_cast<uint32_t>(status);
    return index < ringward::loader::kStatusCount ? ringward::loader::kStatus[index].name : "?";
}

const char* ringward_status_message(ringward_status status) {
    const auto index = static_cast<uint32_t>(status);
    return index < ringward::loader::kStatusCount ? ringward::loader::kStatus[index].message : "?";
}

ringward_status ringward_load(const ringward_loader_config* config, const uint8_t* envelope,
                              size_t size, ringward_loaded* out) {
    if (config == nullptr || out == nullptr || (envelope == nullptr && size != 0)) {
        ringward::core::contract_violation();
    }
    ringward::loader::zero(out, sizeof(*out));
    const ringward_status status = ringward::loader::load(*config, envelope, size, out);
    if (status != RINGWARD_OK && status != RINGWARD_E_NOT_YET_ADMITTED) {
        // Nothing of a refused envelope stays visible but the reader's error.
        const uint32_t read_error = out->read_error;
        const uint32_t read_error_offset = out->read_error_offset;
        ringward::loader::zero(out, sizeof(*out));
        out->read_error = read_error;
        out->read_error_offset = read_error_offset;
    }
    return status;
}

void ringward_instance_at(const ringward_loaded* loaded, uint32_t i, ringward_instance* out) {
    const ringward::format::BlobView view = ringward::loader::view_of(*loaded);
    if (i >= view.instance_count()) {
        ringward::core::contract_violation();
    }
    const ringward::format::InstanceView instance = view.instance(i);
    out->id = instance.id();
    out->template_type_id = instance.template_type_id();
    out->template_type_version = instance.template_type_version();
    out->criterion_count = instance.criterion_count();
    out->rule_id = instance.rule_id();
    out->field_count = instance.field_count();
    out->exclusion_count = instance.exclusion_count();
    ringward::loader::judge(instance, loaded->templates_, loaded->template_count_, out);
}

void ringward_criterion_at(const ringward_loaded* loaded, uint32_t i, uint32_t k,
                           ringward_criterion* out) {
    const ringward::format::BlobView view = ringward::loader::view_of(*loaded);
    if (i >= view.instance_count()) {
        ringward::core::contract_violation();
    }
    const ringward::format::CriterionView c = view.instance(i).criterion(k);
    out->field_index = c.field_index();
    out->op = static_cast<uint8_t>(c.op());
    out->kind = static_cast<uint8_t>(c.kind());
    out->case_insensitive = c.case_insensitive() ? 1 : 0;
    out->prefix_len = c.prefix_len();
    out->group = c.group();
    out->negate = c.negated() ? 1 : 0;
    out->field_ref = c.is_field_ref() ? 1 : 0;
    out->ref_field_index = c.ref_field_index();
    out->value_count = c.value_count();
    out->value0 = c.value0();
    out->value1 = c.value1();
    out->name = c.name().data;
    out->name_size = c.name().size;
    out->data = c.data().data;
    out->data_size = c.data().size;
}

}  // extern "C"
