/*
 * The ringward content store: what lets an endpoint that crashes on new
 * content come back by itself, offline. One directory per channel holds the
 * last known good envelope (LKG), at most one trial envelope with a budget of
 * tries, and the last sequence accepted for the channel. docs/recovery.md
 * gives the state machine; in short, at every start the agent calls
 *
 *   ringward_store_select         what to load now: the trial while it has
 *                                 tries left, else the LKG, else nothing;
 *   ringward_store_begin_attempt  when the choice is the trial: spends one
 *                                 try, durably, before the content is used;
 *   ringward_store_mark_good      after the agent's own health signal: the
 *                                 trial becomes the LKG.
 *
 * A trial that has spent its tries without being marked good is dropped by
 * the next select, which loads the LKG and records why. An update arrives
 * through ringward_store_stage, which runs ringward_load first. Content the
 * signed ring schedule admits for this agent only later
 * (RINGWARD_E_NOT_YET_ADMITTED) is staged all the same and waits: select
 * passes over it, untried, until its time (deferred_until) has come.
 *
 * Every state change is written to a temporary file, fsynced, renamed over
 * and the directory fsynced: a crash or power loss at any point leaves the
 * old state or the new one, and the LKG loadable. A function that returns
 * RINGWARD_STORE_OK has made its change durable.
 *
 * User space and POSIX, unlike the loader. A store handle holds an exclusive
 * lock (flock) on the directory until it is closed, and is not for use from
 * two threads at once.
 *
 * WARNING: the store keeps the last accepted sequence and gives it to the
 * loader itself (stage and select set expected_channel and channels in a
 * copy of the caller's configuration). Do not keep a second copy elsewhere:
 * two records of one sequence drift apart.
 */
#ifndef RINGWARD_STORE_H
#define RINGWARD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "ringward/loader.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RINGWARD_STORE_MUST_USE __attribute__((warn_unused_result))
#else
#define RINGWARD_STORE_MUST_USE
#endif

/* Why a store call failed, or RINGWARD_STORE_OK: the statuses of
   store_status.def. Stable numbers: RW08nn in docs/diagnostics.md is
   status nn. */
typedef enum ringward_store_status {
    RINGWARD_STORE_OK = 0,
#define RINGWARD_STORE_STATUS(number, ID, id, name, message) RINGWARD_STORE_E_##ID = number,
#include "ringward/store_status.def"
#undef RINGWARD_STORE_STATUS
} ringward_store_status;

/* "store-locked", ...; "ok" for RINGWARD_STORE_OK; "?" otherwise. */
const char* ringward_store_status_name(ringward_store_status status);
/* One sentence; "" for RINGWARD_STORE_OK. */
const char* ringward_store_status_message(ringward_store_status status);

/* Why the store last left a trial for the LKG. Stable numbers. */
typedef enum ringward_store_reason {
    RINGWARD_STORE_REASON_NONE = 0,
    RINGWARD_STORE_REASON_TRIES_EXHAUSTED = 1, /* begun max_tries times, never marked good */
    RINGWARD_STORE_REASON_TRIAL_MISSING = 2,   /* the trial's envelope file is gone */
    RINGWARD_STORE_REASON_TRIAL_CORRUPT = 3,   /* it is not the envelope that was staged */
    RINGWARD_STORE_REASON_TRIAL_REFUSED = 4,   /* the loader refuses it now */
    RINGWARD_STORE_REASON_ROLLBACK = 5         /* ringward_store_rollback: an operator */
} ringward_store_reason;

/* "tries-exhausted", ...; "none" for RINGWARD_STORE_REASON_NONE. */
const char* ringward_store_reason_name(ringward_store_reason reason);

/* Tries a staged envelope gets when the options leave max_tries 0: enough to
   ride out a crash that is not the content's fault, few enough that a boot
   loop ends within minutes (Android A/B and systemd-boot default to 3 too). */
#define RINGWARD_STORE_DEFAULT_MAX_TRIES 3u
/* The most tries a trial can have: the counter is durable per try, and a
   machine that needs more than this is not recovering by itself. */
#define RINGWARD_STORE_MAX_TRIES_INCL 100u

typedef struct ringward_store_options {
    /* Tries given to content staged through this handle; 0: the default. */
    uint32_t max_tries;
} ringward_store_options;

typedef struct ringward_store ringward_store;

/* Opens (creating it and the directory when missing) the store of `channel`
   in `directory`. A state record that fails its checksum falls back to the
   previous record, which ringward_store_info reports as `recovered`; when
   none passes: RINGWARD_STORE_E_STATE_CORRUPT, or _STATE_WRONG_CHANNEL when
   a record is another channel's. Nothing is repaired then: an operator
   decides (docs/recovery.md). On failure *out is NULL. Contract: directory
   and out are not NULL, channel is not 0; options may be NULL. */
RINGWARD_STORE_MUST_USE ringward_store_status
ringward_store_open(const char* directory, uint32_t channel, const ringward_store_options* options,
                    ringward_store** out);
/* Releases the lock and the handle; NULL is ignored. */
void ringward_store_close(ringward_store* store);
/* errno of the last RINGWARD_STORE_E_IO_FAILED on this handle, else 0. */
int ringward_store_errno(const ringward_store* store);

/* The state, for reports and fleet tooling. */
typedef struct ringward_store_info {
    uint32_t channel;
    uint64_t generation;    /* counts durable state changes */
    uint64_t last_sequence; /* highest sequence ever accepted; never lowered */
    int has_lkg;
    uint64_t lkg_sequence;
    int has_trial;
    uint64_t trial_sequence;
    uint32_t trial_tries_left;
    uint32_t trial_attempts; /* tries begun */
    uint32_t max_tries;      /* what the trial was given */
    /* The last fallback from a trial to the LKG. */
    ringward_store_reason last_fallback_reason;
    uint64_t last_fallback_sequence;
    ringward_store_status last_fallback_status;  /* for MISSING, CORRUPT, REFUSED */
    ringward_status last_fallback_loader_status; /* for REFUSED */
    uint32_t fallback_count;                     /* including rollbacks */
    uint32_t rollback_count;
    uint32_t promotion_count; /* trials marked good */
    int recovered; /* the newest state record failed its checksum; this is the one before */
} ringward_store_info;

/* Fills *out. Contract: neither is NULL. */
void ringward_store_get_info(const ringward_store* store, ringward_store_info* out);

/* Runs ringward_load on `envelope` with a copy of `config` whose channel and
   last sequence are the store's, then makes it the trial, with the handle's
   max_tries, replacing a trial not yet marked good, and raises the last
   sequence to its own. RINGWARD_STORE_E_ENVELOPE_REFUSED with *refusal set
   when the loader refuses (replays and rollbacks included). A deferral is
   staged: RINGWARD_STORE_OK with *refusal RINGWARD_E_NOT_YET_ADMITTED (it
   is neither discarded nor a refusal); *refusal is RINGWARD_OK otherwise. Contract: store, config
   and refusal are not NULL; envelope is NULL only when size is 0. */
RINGWARD_STORE_MUST_USE ringward_store_status
ringward_store_stage(ringward_store* store, const ringward_loader_config* config,
                     const uint8_t* envelope, size_t size, ringward_status* refusal);

typedef enum ringward_store_choice {
    RINGWARD_STORE_CHOICE_NONE = 0,  /* nothing to load */
    RINGWARD_STORE_CHOICE_TRIAL = 1, /* begin an attempt before using it */
    RINGWARD_STORE_CHOICE_LKG = 2
} ringward_store_choice;

typedef struct ringward_store_selection {
    ringward_store_choice choice;
    uint64_t sequence;
    uint32_t tries_left; /* for the trial: before the attempt is begun */
    /* Non-zero when this call left the trial for the LKG, and why (also in
       ringward_store_info). */
    ringward_store_reason fell_back;
    /* The envelope, verified again by ringward_load with the caller's
       configuration, and what the loader made of it. Owned by the store:
       valid until the next call on the handle or its close. `loaded` also
       points into the configuration given to select. */
    const uint8_t* envelope;
    size_t size;
    ringward_loaded loaded;
    /* When the chosen file is refused: the loader's reason. */
    ringward_status loader_status;
    /* Non-zero when the trial is staged but not yet admitted for this
       agent's ring: its sequence, and the time to select again. */
    uint64_t deferred_sequence;
    uint64_t deferred_until;
} ringward_store_selection;

/* Decides what to load now. A trial with tries left is checked (its size and
   BLAKE2b against the state, then ringward_load) and chosen; a trial the
   loader defers is kept as it is (no try spent), reported in
   deferred_sequence and deferred_until, and the LKG is chosen meanwhile; a trial without
   tries, or one that fails a check, is dropped durably with the reason
   recorded, and the LKG is checked and chosen. RINGWARD_STORE_OK with
   choice NONE when the store holds nothing. When the LKG fails its checks:
   its status (RINGWARD_STORE_E_CONTENT_MISSING, _CONTENT_CORRUPT,
   _ENVELOPE_REFUSED with loader_status), choice NONE, and nothing loaded;
   the LKG stays recorded. On any failure *out is zeroed but for fell_back
   and loader_status. Contract: no argument is NULL. */
RINGWARD_STORE_MUST_USE ringward_store_status ringward_store_select(
    ringward_store* store, const ringward_loader_config* config, ringward_store_selection* out);

/* Spends one try of the trial `sequence`, durably, before it is used.
   RINGWARD_STORE_E_NO_TRIAL, _NOT_TRIAL (another sequence is the trial: it
   was staged meanwhile), _TRIES_EXHAUSTED. Contract: store is not NULL. */
RINGWARD_STORE_MUST_USE ringward_store_status ringward_store_begin_attempt(ringward_store* store,
                                                                           uint64_t sequence);

/* The agent's health signal for `sequence`: the trial becomes the LKG and
   the old LKG is let go. RINGWARD_STORE_OK too when `sequence` already is
   the LKG and there is no trial, so a call repeated after a crash succeeds.
   RINGWARD_STORE_E_NO_TRIAL, _NOT_TRIAL, _ATTEMPT_NOT_BEGUN. Contract: store
   is not NULL. */
RINGWARD_STORE_MUST_USE ringward_store_status ringward_store_mark_good(ringward_store* store,
                                                                       uint64_t sequence);

/* An operator's fallback: drops the trial, records the reason ROLLBACK, and
   keeps the last sequence (a rollback never lowers it, so the dropped
   sequence cannot be staged again). RINGWARD_STORE_E_NO_TRIAL when there is
   none. Contract: store is not NULL. */
RINGWARD_STORE_MUST_USE ringward_store_status ringward_store_rollback(ringward_store* store);

#ifdef __cplusplus
}
#endif

#endif /* RINGWARD_STORE_H */
