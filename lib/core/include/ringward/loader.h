/*
 * The ringward loader: what an endpoint agent (or kernel-side code) links to
 * accept content. It accepts only an envelope (docs/envelope.md) signed by a
 * trusted key that fits the agent's policy and whose blob passes the one
 * reader, and it tells, for every instance, whether this sensor can evaluate
 * it. An instance it cannot is skipped and counted, never evaluated.
 *
 * Like the reader it sits on, the loader is freestanding: no allocation, no
 * exceptions, no global state, nothing from libc but memcpy, memcmp and
 * memset. Signature verification and hashing go through function pointers;
 * left NULL, they are ringward_sodium_verify and ringward_sodium_hash (below):
 * libsodium's crypto_sign_verify_detached and crypto_generichash, the only
 * code here that is not freestanding and the only reason to link libsodium.
 * A freestanding build without libsodium (a kernel module) compiles the
 * loader and reader sources itself, sets both pointers to its own
 * implementations, and defines the two ringward_sodium_* symbols as
 * functions that return -1, so that a configuration left NULL fails closed.
 *
 * Checks run in this order, and the first that fails decides the status:
 *   1. size caps, magic, format version, header shape;
 *   2. algorithm and key id: known, not revoked, within the key's validity
 *      window (no cryptography is spent on an unknown key);
 *   3. the Ed25519 signature over the context string and the header;
 *   4. the BLAKE2b-512 of the blob against the signed hash;
 *   5. the ring schedule's canonical form (version 2); channel, sequence
 *      (never 0; no replay or rollback), validity window (not yet valid,
 *      expired), sensor version range, rollout ring (version 2: listed in
 *      the schedule, admitted before expiry with the customer's delay);
 *   6. the blob through the reader, and its channel and sensor range against
 *      the envelope's; then each instance against the sensor's own table;
 *   7. (version 2) the time: before this ring's admission the status is
 *      RINGWARD_E_NOT_YET_ADMITTED, with the time in admit_at.
 *
 * WARNING: a refused envelope must leave the agent on its last accepted
 * content. Record the accepted sequence (ringward_loaded.sequence) for the
 * channel only after the content is in use, and persist it: a loader that
 * forgets it cannot refuse rollbacks.
 */
#ifndef RINGWARD_LOADER_H
#define RINGWARD_LOADER_H

/* A Linux kernel build (-nostdinc) has no <stddef.h> or <stdint.h>: there
   the same names come from <linux/types.h>. */
#if defined(__KERNEL__)
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

/* A status that is ignored is a refusal that is ignored. */
#if defined(__GNUC__) || defined(__clang__)
#define RINGWARD_NODISCARD __attribute__((warn_unused_result))
#else
#define RINGWARD_NODISCARD
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define RINGWARD_KEY_ID_BYTES 16
#define RINGWARD_PUBLIC_KEY_BYTES 32
#define RINGWARD_SIGNATURE_BYTES 64
#define RINGWARD_HASH_BYTES 64
/* The header of an envelope of format version 1, and of version 2 (which
   adds the ring schedule, docs/envelope.md). */
#define RINGWARD_ENVELOPE_HEADER_BYTES 160
#define RINGWARD_ENVELOPE_V2_HEADER_BYTES 288
/* A version 2 envelope's schedule lists 1 to this many rings: the five
   stages of a staged rollout, with room to spare. */
#define RINGWARD_MAX_SCHEDULE_RINGS 8u
#define RINGWARD_ALGORITHM_ED25519 1
/* An envelope larger than this is refused before anything is read, unless
   the configuration sets its own cap. Content is kilobytes to megabytes; the
   benchmark goes to 256 MiB. */
#define RINGWARD_DEFAULT_MAX_ENVELOPE_BYTES (1024u * 1024u * 1024u)

/* The blob reader's limits, all inclusive (docs/format.md, "Limits"): the
   defaults, and the structure an agent passes to ringward_load and the
   validator reads blobs under (format::Limits is this structure with these
   defaults). */
/* Rapid-response content is kilobytes; the benchmark goes to 256 MiB. */
#define RINGWARD_DEFAULT_MAX_BLOB_SIZE_INCL (1u << 30)
/* A 256 MiB blob of small instances stays within these two. */
#define RINGWARD_DEFAULT_MAX_INSTANCES_INCL (1u << 22)
#define RINGWARD_DEFAULT_MAX_CRITERIA_INCL (1u << 24)
/* Interpreters keep inputs in fixed arrays; real template types have tens of
   fields. At most 65536: a criterion's field index is 16 bits. */
#define RINGWARD_DEFAULT_MAX_CRITERIA_PER_INSTANCE_INCL 256u
/* Field names are identifiers. */
#define RINGWARD_DEFAULT_MAX_NAME_LENGTH_INCL 64u
/* A Windows command line is at most 32,767 characters. */
#define RINGWARD_DEFAULT_MAX_VALUE_LENGTH_INCL 32768u
/* Members of one set the blob may hold: large indicator sets, still bounded.
   What validation lets content use is its own, lower limit
   (ValidationLimits::max_content_set_size_incl). */
#define RINGWARD_DEFAULT_MAX_BLOB_SET_SIZE_INCL 65536u

typedef struct ringward_blob_limits {
    uint32_t max_blob_size_incl;
    uint32_t max_instances_incl;
    uint32_t max_criteria_incl;
    uint32_t max_criteria_per_instance_incl;
    uint32_t max_name_length_incl;
    uint32_t max_value_length_incl;
    uint32_t max_blob_set_size_incl;
} ringward_blob_limits;

/* Value types of template type fields and sensor inputs; equal to
   ringward.v1.FieldType and to the blob's value kinds. */
#define RINGWARD_TYPE_INT 1
#define RINGWARD_TYPE_UINT 2
#define RINGWARD_TYPE_BOOL 3
#define RINGWARD_TYPE_STRING 4
#define RINGWARD_TYPE_BYTES 5
#define RINGWARD_TYPE_ENUM 6
#define RINGWARD_TYPE_IP 7

/* Why the loader refused, or RINGWARD_OK: the statuses of loader_status.def
   (RINGWARD_E_TOO_LARGE, RINGWARD_E_UNKNOWN_KEY, ...). Stable numbers: RW08nn
   in docs/diagnostics.md is status nn. */
typedef enum ringward_status {
    RINGWARD_OK = 0,
#define RINGWARD_LOADER_STATUS(number, ID, id, name, message) RINGWARD_E_##ID = number,
#include "ringward/loader_status.def"
#undef RINGWARD_LOADER_STATUS
} ringward_status;

/* "envelope-too-large", ...; "ok" for RINGWARD_OK; "?" otherwise. */
RINGWARD_NODISCARD const char* ringward_status_name(ringward_status status);
/* One sentence; "" for RINGWARD_OK. */
RINGWARD_NODISCARD const char* ringward_status_message(ringward_status status);

/* A public key the agent trusts. A window bound of 0 is open. */
typedef struct ringward_trusted_key {
    uint8_t key_id[RINGWARD_KEY_ID_BYTES];
    uint8_t public_key[RINGWARD_PUBLIC_KEY_BYTES];
    uint64_t not_before; /* unix seconds; 0: no lower bound */
    uint64_t not_after;  /* unix seconds, inclusive; 0: no upper bound */
    int revoked;         /* non-zero: refuse everything signed with it */
} ringward_trusted_key;

/* The last sequence accepted for a channel. */
typedef struct ringward_channel_state {
    uint32_t channel;
    uint64_t last_sequence;
} ringward_channel_state;

/* One template type (id, version) the sensor can evaluate, and the ordered
   types (RINGWARD_TYPE_*) of the inputs it supplies: the sensor's own table,
   the same facts as a sensor manifest. */
typedef struct ringward_template_support {
    uint32_t id;
    uint32_t version;
    uint32_t input_count;
    const uint8_t* input_types;
} ringward_template_support;

/* 0 when `signature` is valid for `message` under `public_key`. */
typedef int (*ringward_verify_fn)(const uint8_t signature[RINGWARD_SIGNATURE_BYTES],
                                  const uint8_t* message, size_t length,
                                  const uint8_t public_key[RINGWARD_PUBLIC_KEY_BYTES],
                                  void* context);
/* BLAKE2b-512 of data into out; 0 on success. */
typedef int (*ringward_hash_fn)(uint8_t out[RINGWARD_HASH_BYTES], const uint8_t* data,
                                size_t length, void* context);

/* Skip the sensor version range check: for tools that verify an envelope on
   no particular sensor (ringward verify without --sensor-version). An agent
   never sets it. */
#define RINGWARD_CONFIG_ANY_SENSOR 1u
/* Refuse a version 1 envelope (one signed ring, no schedule, no category):
   an agent with a customer policy sets it, so that no envelope escapes the
   customer's delays by carrying no category. */
#define RINGWARD_CONFIG_REQUIRE_SCHEDULE 2u

/* Content categories a version 2 envelope carries; equal to
   ringward.v1.ContentCategory (schemas/ringward/v1/rollout_policy.proto). */
#define RINGWARD_CATEGORY_SENSOR_OPERATIONS 1u
#define RINGWARD_CATEGORY_SYSTEM_CRITICAL 2u
#define RINGWARD_CATEGORY_VULNERABILITY_MANAGEMENT 3u
#define RINGWARD_CATEGORY_RAPID_RESPONSE 4u
#define RINGWARD_CATEGORY_MAX 4u

/* The customer's policy for one content category, applied on top of the
   signed schedule of a version 2 envelope: never faster than the vendor's.
   The content is judged for the later of the agent's ring and `ring`, and
   admitted `delay` seconds after the signed schedule admits that ring. */
typedef struct ringward_category_policy {
    uint32_t category; /* RINGWARD_CATEGORY_* */
    uint32_t ring;     /* the ring the customer assigns the category to */
    uint64_t delay;    /* seconds added to the signed offset */
} ringward_category_policy;

typedef struct ringward_loader_config {
    const ringward_trusted_key* keys;
    size_t key_count;
    /* Last accepted sequence per channel; a channel not listed has none. */
    const ringward_channel_state* channels;
    size_t channel_count;
    /* The channel the agent asked for; 0 accepts any channel. */
    uint32_t expected_channel;
    /* This sensor's version, packed: major << 48 | minor << 32 | build. */
    uint64_t sensor_version;
    /* This agent's rollout ring. Version 1: admitted when ring <= the
       signed ring. Version 2: admitted once now >= not_before + the signed
       offset of this ring (or of the customer's ring for the content's
       category, when later), plus the customer's delay; a ring the schedule
       does not list is never admitted. */
    uint32_t ring;
    /* The current time, unix seconds: the caller's clock. */
    uint64_t now;
    /* The sensor's own table. */
    const ringward_template_support* templates;
    size_t template_count;
    /* 0: RINGWARD_DEFAULT_MAX_ENVELOPE_BYTES. */
    size_t max_envelope_bytes;
    /* The limits the blob is read under; NULL: the RINGWARD_DEFAULT_* above.
       Content must have been validated under the same limits (sign refuses
       otherwise). */
    const ringward_blob_limits* blob_limits;
    /* NULL: libsodium's. */
    ringward_verify_fn verify;
    void* verify_context;
    ringward_hash_fn hash;
    void* hash_context;
    uint32_t flags; /* RINGWARD_CONFIG_* */
    /* The customer's policy per content category (at most one entry per
       category; the first one counts); NULL and 0: none. Version 2 only. */
    const ringward_category_policy* category_policies;
    size_t category_policy_count;
} ringward_loader_config;

/* What the loader accepted: the signed header's fields, the blob, and the
   per-instance verdict. It points into the envelope and the configuration,
   which must outlive it. */
typedef struct ringward_loaded {
    uint8_t key_id[RINGWARD_KEY_ID_BYTES];
    uint32_t channel;
    /* The highest ring the envelope admits: version 1's signed ring, the
       last ring of version 2's schedule. */
    uint32_t ring;
    uint32_t format_version;
    /* Version 2: the signed content category (RINGWARD_CATEGORY_*); 0 for
       version 1. */
    uint32_t category;
    /* The ring the content was judged for: the agent's, or the customer's
       for its category when later. */
    uint32_t admission_ring;
    /* The time from which that ring admits the content: not_before + the
       signed offset + the customer's delay (version 1: not_before). On
       RINGWARD_OK at most now; on RINGWARD_E_NOT_YET_ADMITTED the time to
       try again. */
    uint64_t admit_at;
    uint64_t sequence;
    uint64_t not_before;
    uint64_t expires;
    uint64_t sensor_min;
    uint64_t sensor_max;
    const uint8_t* blob;
    size_t blob_size;
    uint32_t instance_count;
    uint32_t evaluable_count;
    uint32_t skipped_count;
    /* When the status is RINGWARD_E_BLOB_MALFORMED: the reader's error
       (docs/diagnostics.md RW01nn) and its offset within the blob. */
    uint32_t read_error;
    uint32_t read_error_offset;
    /* The reader's view and the sensor table; for the accessors below. */
    uint64_t view_[4];
    const ringward_template_support* templates_;
    size_t template_count_;
} ringward_loaded;

/* Checks `envelope` against `config` as described above. On RINGWARD_OK,
   *out describes the content. RINGWARD_E_NOT_YET_ADMITTED is a deferral, not
   a refusal: every check passed but this ring's time has not come; *out
   holds the header's fields and admit_at, the time to try again, but no
   content (blob NULL, counts 0). On any refusal, *out is zeroed except for
   the read error fields. Contract: config and out are not NULL; envelope may be
   NULL only when size is 0. */
RINGWARD_NODISCARD ringward_status ringward_load(const ringward_loader_config* config,
                                                 const uint8_t* envelope, size_t size,
                                                 ringward_loaded* out);

/* Why an instance is skipped, or RINGWARD_EVALUABLE (docs/format.md,
   "Loading"). */
typedef enum ringward_instance_status {
    RINGWARD_EVALUABLE = 0,
    RINGWARD_SKIP_UNKNOWN_TEMPLATE = 1, /* the sensor has no such (id, version) */
    /* The template type declares more fields than the sensor supplies inputs
       (field_count > input_count: the Channel 291 rule), or a criterion is
       on a field past the inputs. */
    RINGWARD_SKIP_TOO_MANY_FIELDS = 2,
    /* A criterion's value type, or the type of the field it refers to, is
       not its input's. */
    RINGWARD_SKIP_TYPE_MISMATCH = 3
} ringward_instance_status;
/* Format 1's name for status 2. */
#define RINGWARD_SKIP_TOO_MANY_CRITERIA RINGWARD_SKIP_TOO_MANY_FIELDS

typedef struct ringward_instance {
    uint32_t id;
    uint32_t template_type_id;
    uint32_t template_type_version;
    /* All its criteria: its own and its exclusions'. */
    uint32_t criterion_count;
    ringward_instance_status status;
    /* For a skip: the sensor's input count, and the criterion (index into
       the instance's criteria) at fault; 0 when no one criterion is. */
    uint32_t input_count;
    uint32_t criterion;
    /* The rule the instance belongs to; 0 for none. */
    uint32_t rule_id;
    /* The fields the template type declares, and the instance's exclusions
       (criteria of group k, 1 <= k <= exclusion_count, are exclusion k's). */
    uint16_t field_count;
    uint16_t exclusion_count;
} ringward_instance;

/* One criterion, as docs/format.md lays it out. Pointers are into the blob. */
typedef struct ringward_criterion {
    uint16_t field_index;
    uint8_t op;   /* ringward.v1.Operator; never 0 (wildcard) or 2 (ne) */
    uint8_t kind; /* RINGWARD_TYPE_* */
    uint8_t case_insensitive;
    uint8_t prefix_len;
    /* 0: the instance's own criteria; k: exclusion k's. */
    uint16_t group;
    /* Non-zero: the criterion holds where the operator does not. */
    uint8_t negate;
    /* Non-zero: compares with the field ref_field_index, whose name is
       data; no values. */
    uint8_t field_ref;
    uint16_t ref_field_index;
    uint32_t value_count;
    uint64_t value0;
    uint64_t value1;
    const uint8_t* name;
    uint32_t name_size;
    const uint8_t* data;
    uint32_t data_size;
} ringward_criterion;

/* Instance i (ascending id order), and whether this sensor can evaluate it.
   Contract: i < loaded->instance_count. */
void ringward_instance_at(const ringward_loaded* loaded, uint32_t i, ringward_instance* out);
/* Criterion k of instance i. Contract: both in range. */
void ringward_criterion_at(const ringward_loaded* loaded, uint32_t i, uint32_t k,
                           ringward_criterion* out);

/* libsodium's Ed25519 verification and BLAKE2b, the defaults; each returns
   0 on success and -1 otherwise. */
RINGWARD_NODISCARD int ringward_sodium_verify(const uint8_t signature[RINGWARD_SIGNATURE_BYTES],
                                              const uint8_t* message, size_t length,
                                              const uint8_t public_key[RINGWARD_PUBLIC_KEY_BYTES],
                                              void* context);
RINGWARD_NODISCARD int ringward_sodium_hash(uint8_t out[RINGWARD_HASH_BYTES], const uint8_t* data,
                                            size_t length, void* context);

#ifdef __cplusplus
}
#endif

#endif /* RINGWARD_LOADER_H */
