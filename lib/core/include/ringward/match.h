/* The content interpreter's C ABI: one event against content the loader
 * accepted (docs/interpreter.md; the meaning is docs/semantics.md).
 *
 * Kernel-safe like the loader: ringward_match allocates nothing, recurses
 * nowhere, uses no floating point and no global state, and calls nothing
 * from libc but memcpy, memcmp and memset. All the memory it uses is the
 * caller's: the event, the output arrays and one scratch buffer whose size
 * ringward_match_prepare computes once per loaded content.
 *
 * Use:
 *   1. ringward_load(...) -> ringward_loaded
 *   2. ringward_match_prepare(&loaded, &limits, &plan): the worst-case steps per
 *      event (plan.max_steps), the scratch it needs (plan.scratch_bytes) and
 *      the index's memory (plan.index_bytes); the agent reports them and
 *      reserves the scratch once; ringward_match_index_build(&loaded, &plan,
 *      memory, plan.index_bytes) then builds the index (optional: without
 *      it every instance is evaluated in turn). The index keeps only
 *      ringward_match_index_size(&plan) bytes of that memory, so the agent
 *      may then ringward_match_index_move(&plan, kept, size) them into an
 *      allocation of that size and free the build's memory.
 *   3. for every event: ringward_match(&loaded, &plan, &event, scratch, size,
 *      &result).
 *
 * WARNING: an input is read only through its index, and only when the index
 * is below both the event's input_count and the sensor table's input count
 * for the event's template type, and the input's type is the table's. An
 * instance with a criterion on any other input is not evaluated: it is
 * counted in ringward_match_result.refused, never reported as a match or a
 * miss. A sensor that hands fewer inputs than its table declares (the
 * Channel 291 case at run time) therefore loses those instances, visibly,
 * instead of reading past its array.
 */
#ifndef RINGWARD_MATCH_H
#define RINGWARD_MATCH_H

#include "ringward/loader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One input of an event. The value members used depend on `type`:
     RINGWARD_TYPE_INT:    number, the int64 as its two's-complement bits
     RINGWARD_TYPE_UINT:   number
     RINGWARD_TYPE_BOOL:   number, 0 or 1 (any non-zero value is 1)
     RINGWARD_TYPE_STRING, RINGWARD_TYPE_BYTES, RINGWARD_TYPE_ENUM (the
                           member's name): data and size; data may be NULL
                           only when size is 0
     RINGWARD_TYPE_IP:     address, 16 bytes in network order; an IPv4
                           address as ::ffff:a.b.c.d
   An absent input (present == 0) has no value: nothing else is read. */
typedef struct ringward_input {
    uint32_t type;    /* RINGWARD_TYPE_* */
    uint32_t present; /* 0: absent; any other value: present */
    uint64_t number;
    const uint8_t* data;
    size_t size;
    uint8_t address[16];
} ringward_input;

/* What a sensor hands the interpreter: the template type and its inputs in
   field order. */
typedef struct ringward_event {
    uint32_t template_type_id;
    uint32_t template_type_version;
    const ringward_input* inputs;
    size_t input_count;
} ringward_event;

/* The limits a plan is computed for, which ringward_match then enforces. */
typedef struct ringward_match_limits {
    /* The longest string, bytes or enum input an event may carry, in bytes;
       0: RINGWARD_DEFAULT_MAX_VALUE_LENGTH_INCL (a Windows command line).
       An event with a longer present input is refused whole
       (RINGWARD_MATCH_E_INPUT_TOO_LONG): the step bound depends on it. */
    uint32_t max_input_bytes_incl;
    /* The most rule ids ringward_match writes per event (larger output
       arrays are used only this far): deduplicating rules costs steps in
       proportion to it. 0: RINGWARD_DEFAULT_MAX_RULE_HITS; at most
       RINGWARD_MAX_RULE_HITS_INCL. */
    uint32_t max_rule_hits_incl;
} ringward_match_limits;

/* Rules a single event fires are few; an agent that wants more sets it. */
#define RINGWARD_DEFAULT_MAX_RULE_HITS 64u
/* The largest max_input_bytes_incl a plan accepts: the blob's own size cap,
   which keeps every step product of docs/interpreter.md far from 2^64. */
#define RINGWARD_MAX_INPUT_BYTES_INCL (1u << 30)
#define RINGWARD_MAX_RULE_HITS_INCL (1u << 22)

/* Computed once per loaded content by ringward_match_prepare. */
typedef struct ringward_match_plan {
    /* The limits in force (defaults filled in). */
    ringward_match_limits limits;
    /* No call of ringward_match with this plan counts more steps than this
       (ringward_match_result.steps), whatever the event; saturates at
       UINT64_MAX. docs/interpreter.md says what a step is. */
    uint64_t max_steps;
    /* The scratch ringward_match needs, in bytes, 8-byte aligned: the
       largest glob state lists, contains border table or regex thread
       lists (32 bytes per program instruction) of the content, and the
       index's candidate and seen-literal bitsets for the largest template
       type (8 bytes per 64 instances and per 64 literals). */
    size_t scratch_bytes;
    /* Regex criteria on instances of templates the sensor supplies, each
       run by the core's Pike VM: 0 when the blob carries no regex. For the
       agent's report. */
    uint32_t regex_criteria;
    /* The memory ringward_match_index_build needs for the index, in bytes,
       8-byte aligned; computed from the blob without building it, so an
       upper bound: the index as built (ringward_match_index_size) and the
       build's working memory after it. 0 when the content is too large for
       an index (ringward_match then evaluates every instance in turn). */
    size_t index_bytes;
    /* The content the plan belongs to; ringward_match refuses another. */
    const uint8_t* blob_;
    size_t blob_size_;
    /* The index ringward_match_index_build built, or NULL: every instance
       of the event's type is then evaluated in turn. */
    const void* index_;
} ringward_match_plan;

/* Why ringward_match refused the event, or RINGWARD_MATCH_OK. On a refusal
   the result holds no hits and steps is what was spent deciding. */
typedef enum ringward_match_status {
    RINGWARD_MATCH_OK = 0,
    /* The sensor table has no entry for the event's (id, version). */
    RINGWARD_MATCH_E_UNKNOWN_TEMPLATE = 1,
    /* A present string, bytes or enum input is longer than
       max_input_bytes_incl (result.input is its index). */
    RINGWARD_MATCH_E_INPUT_TOO_LONG = 2,
    /* The scratch is smaller than plan.scratch_bytes or not 8-byte aligned. */
    RINGWARD_MATCH_E_SCRATCH = 3,
    /* The plan was computed for other content. */
    RINGWARD_MATCH_E_PLAN_MISMATCH = 4,
    /* A present string, bytes or enum input has size > 0 and data NULL
       (result.input is its index). */
    RINGWARD_MATCH_E_INPUT_NULL = 5,
    /* ringward_match_index_build: the memory is NULL, smaller than
       plan.index_bytes or not 8-byte aligned, or plan.index_bytes is 0;
       ringward_match_index_move: the plan has no index, or the memory is
       NULL, smaller than ringward_match_index_size, not 8-byte aligned or
       overlapping the index. */
    RINGWARD_MATCH_E_INDEX_MEMORY = 6
} ringward_match_status;

/* "ok", "unknown-template", ...; "?" outside the enumeration. */
RINGWARD_NODISCARD const char* ringward_match_status_name(ringward_match_status status);

/* Where ringward_match reports; the arrays are the caller's. */
typedef struct ringward_match_result {
    /* In: up to instance_capacity ids of matching instances, ascending. */
    uint32_t* instances;
    size_t instance_capacity;
    /* In: up to rule_capacity (and at most limits.max_rule_hits_incl)
       distinct rule ids of matching instances, ascending; rule 0 (an
       instance in no rule) is never listed. */
    uint32_t* rules;
    size_t rule_capacity;

    /* Out: ids written, and every matching instance counted even when its
       id did not fit (instances_truncated is then 1). */
    size_t instance_count;
    size_t instances_matched;
    int instances_truncated;
    /* Out: rule ids written; rules_truncated is 1 when a rule did not fit. */
    size_t rule_count;
    int rules_truncated;
    /* Out: instances of the event's template type that were evaluated, that
       the loader judged not evaluable (skipped), and that the input accessor
       refused at run time (refused: a criterion on an input the event does
       not carry, or of another type). */
    uint32_t evaluated;
    uint32_t skipped;
    uint32_t refused;
    /* Out: the work done, in steps; never above plan.max_steps. */
    uint64_t steps;
    /* Out: for RINGWARD_MATCH_E_INPUT_TOO_LONG and _E_INPUT_NULL, the input. */
    uint32_t input;
} ringward_match_result;

/* Computes the plan for `loaded` under `limits` (NULL: the defaults): one
   pass over the blob for every template type in the sensor table. Returns 0,
   or -1 (and a zeroed plan) when loaded holds no content (a deferral or a
   refusal) or a limit is above its RINGWARD_MAX_*_INCL. Contract:
   loaded and plan are not NULL. */
RINGWARD_NODISCARD int ringward_match_prepare(const ringward_loaded* loaded,
                                              const ringward_match_limits* limits,
                                              ringward_match_plan* plan);

/* Builds the index of docs/interpreter.md ("The index") into `memory`
   (plan->index_bytes bytes at least, 8-byte aligned, the caller's, which must
   outlive every use of the plan and stay unchanged), and records it in
   *plan, so that ringward_match evaluates only candidate instances, with
   the same verdict, hits and counts as without it. Returns RINGWARD_MATCH_OK,
   RINGWARD_MATCH_E_PLAN_MISMATCH (plan computed for other content) or
   RINGWARD_MATCH_E_INDEX_MEMORY; on a refusal the plan is unchanged. The
   index is read-only once built: threads may share it (each with its own
   scratch). Contract: loaded and plan are not NULL. */
RINGWARD_NODISCARD ringward_match_status ringward_match_index_build(const ringward_loaded* loaded,
                                                                    ringward_match_plan* plan,
                                                                    void* memory, size_t size);

/* The bytes of the index ringward_match_index_build recorded in *plan (a
   prefix of the memory it was given, 8-byte aligned), or 0 when the plan has
   none. Contract: plan is not NULL. */
RINGWARD_NODISCARD size_t ringward_match_index_size(const ringward_match_plan* plan);

/* Copies the plan's index into `memory` (size bytes, at least
   ringward_match_index_size(plan), 8-byte aligned, not overlapping the
   index; the caller's, with the same lifetime rule as for the build) and
   records the copy in *plan: the build's memory is no longer used and may
   be freed. Returns RINGWARD_MATCH_OK or RINGWARD_MATCH_E_INDEX_MEMORY; on a
   refusal the plan is unchanged. Contract: plan is not NULL. */
RINGWARD_NODISCARD ringward_match_status ringward_match_index_move(ringward_match_plan* plan,
                                                                   void* memory, size_t size);

/* Evaluates `event` against every instance of `loaded` the loader judged
   evaluable, as docs/semantics.md defines. The output members of *result are
   overwritten (zeroed on a refusal, but for steps and input). Contract:
   loaded, plan, event and result are not NULL; event->inputs is not NULL
   when input_count > 0; the output arrays hold their capacities. */
RINGWARD_NODISCARD ringward_match_status ringward_match(const ringward_loaded* loaded,
                                                        const ringward_match_plan* plan,
                                                        const ringward_event* event, void* scratch,
                                                        size_t scratch_size,
                                                        ringward_match_result* result);

#ifdef __cplusplus
}
#endif

#endif /* RINGWARD_MATCH_H */
