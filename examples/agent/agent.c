/*
 * A small endpoint agent, in C, linking ringward's loader: the way a sensor
 * accepts content. It trusts the keys given as .pub files, loads a signed
 * envelope, and prints what it will evaluate and what it skips. It can also
 * print its own template type table as a sensor manifest, so that the table
 * it evaluates with and the manifest content is validated against are one.
 *
 *   agent --print-manifest
 *   agent --trust KEY.pub [--trust ...] --channel N [--ring R] [--now T]
 *         [--last-sequence S] [--policy POLICY.txtpb] [--events FILE|-] ENVELOPE.rws
 *
 * --events evaluates events with ringward_match once the content is loaded,
 * and prints each hit: "event N: instance I", then "event N: rules R...".
 * FILE (or standard input for -) is a stream of events in the wire encoding
 * (docs/event-wire.md), each after its length as 4 bytes little-endian:
 * what `ringward match --wire-out` writes (docs/events.md). Each is decoded
 * with ringward_event_decode into a fixed input array, so nothing the event
 * says can make the agent read or write past it.
 *
 * --policy is the customer's rollout policy (docs/rollout.md): per content
 * category a ring and a delay on top of the vendor's signed ring schedule.
 * With one, envelopes without a schedule are refused.
 *
 * Exit status: 0 accepted, 1 refused, 2 usage or I/O, 3 not yet admitted for
 * this ring (a deferral: keep the envelope and try again at the time shown).
 */
#include <ringward/event_wire.h>
#include <ringward/loader.h>
#include <ringward/match.h>
#include <ringward/rollout_policy.h>
#include <ringward/sensor_table.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "example_sensor.h"

#define MAX_KEYS 8
/* The most inputs one event may carry here: the widest template type of
   the table, with room to spare; a wider event is refused by the decoder. */
#define MAX_EVENT_INPUTS 256
/* Instances and rules reported per event. */
#define MAX_HITS 256

static int usage(void) {
    fputs(
        "usage: agent --print-manifest\n"
        "       agent --trust KEY.pub [--trust KEY.pub ...] --channel N [--ring R]\n"
        "             [--now UNIX_SECONDS] [--last-sequence S] [--policy POLICY.txtpb]\n"
        "             [--events FILE|-] ENVELOPE.rws\n",
        stderr);
    return 2;
}

static int print_manifest(void) {
    const size_t count = sizeof(sensor_table) / sizeof(sensor_table[0]);
    const size_t size = ringward_write_manifest(sensor_table, count, SENSOR_VERSION, NULL, 0);
    char* text = malloc(size + 1);
    if (text == NULL) {
        return 2;
    }
    ringward_write_manifest(sensor_table, count, SENSOR_VERSION, text, size + 1);
    fputs(text, stdout);
    free(text);
    return 0;
}

/* Reads the "key-id:" and "public-key:" lines of a ringward .pub file. */
static int read_public_key(const char* path, ringward_trusted_key* key) {
    FILE* f = fopen(path, "r");
    char line[256];
    int have_id = 0;
    int have_key = 0;
    if (f == NULL) {
        fprintf(stderr, "agent: cannot open %s\n", path);
        return -1;
    }
    memset(key, 0, sizeof(*key));
    while (fgets(line, sizeof(line), f) != NULL) {
        size_t length = strcspn(line, "\r\n");
        size_t decoded = 0;
        line[length] = '\0';
        if (strncmp(line, "key-id: ", 8) == 0) {
            have_id = sodium_hex2bin(key->key_id, sizeof(key->key_id), line + 8, length - 8, NULL,
                                     &decoded, NULL) == 0 &&
                      decoded == sizeof(key->key_id);
        } else if (strncmp(line, "public-key: ", 12) == 0) {
            have_key =
                sodium_base642bin(key->public_key, sizeof(key->public_key), line + 12, length - 12,
                                  NULL, &decoded, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
                decoded == sizeof(key->public_key);
        }
    }
    fclose(f);
    if (!have_id || !have_key) {
        fprintf(stderr, "agent: %s is not a ringward public key file\n", path);
        return -1;
    }
    return 0;
}

static unsigned char* read_stream(FILE* f, size_t* size);

static unsigned char* read_all(const char* path, size_t* size) {
    FILE* f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    unsigned char* data;
    *size = 0;
    if (f == NULL) {
        return NULL;
    }
    data = read_stream(f, size);
    if (f != stdin) {
        fclose(f);
    }
    return data;
}

static unsigned char* read_stream(FILE* f, size_t* size) {
    unsigned char* data = NULL;
    size_t capacity = 0;
    size_t n;
    for (;;) {
        if (*size == capacity) {
            unsigned char* bigger;
            capacity = capacity == 0 ? 65536 : capacity * 2;
            bigger = realloc(data, capacity);
            if (bigger == NULL) {
                free(data);
                return NULL;
            }
            data = bigger;
        }
        n = fread(data + *size, 1, capacity - *size, f);
        if (n == 0) {
            break;
        }
        *size += n;
    }
    if (data == NULL) {
        data = malloc(1); /* an empty stream is not a read error */
    }
    return data;
}

/* Evaluates every event of the framed stream in `path` against `loaded`
   and prints the hits. 0, 1 when an event was refused (by the decoder or
   the interpreter), 2 when the stream cannot be read. */
static int evaluate_events(const ringward_loaded* loaded, const char* path) {
    ringward_match_plan plan;
    ringward_input inputs[MAX_EVENT_INPUTS];
    uint32_t instances[MAX_HITS];
    uint32_t rules[MAX_HITS];
    unsigned char* stream;
    void* scratch;
    void* index_memory = NULL;
    size_t index_size = 0;
    size_t size = 0;
    size_t at = 0;
    unsigned long index = 0;
    unsigned long hits = 0;
    int status = 0;
    if (ringward_match_prepare(loaded, NULL, &plan) != 0) {
        fputs("agent: no plan for the loaded content\n", stderr);
        return 1;
    }
    /* The scratch and the index are reserved once, at load, never per
       event; malloc's memory is aligned for any type, so 8-byte aligned. */
    scratch = malloc(plan.scratch_bytes > 0 ? plan.scratch_bytes : 8);
    if (plan.index_bytes > 0) {
        index_memory = malloc(plan.index_bytes);
        if (index_memory == NULL ||
            ringward_match_index_build(loaded, &plan, index_memory, plan.index_bytes) !=
                RINGWARD_MATCH_OK) {
            /* Without the index every instance is evaluated in turn: the
               same verdicts, more steps. */
            fputs("agent: no index for the loaded content; evaluating every instance\n", stderr);
            free(index_memory);
            index_memory = NULL;
        } else {
            /* The build needed the plan's upper bound and its working
               memory; the index keeps only its own size. */
            void* kept;
            index_size = ringward_match_index_size(&plan);
            kept = malloc(index_size);
            if (kept != NULL &&
                ringward_match_index_move(&plan, kept, index_size) == RINGWARD_MATCH_OK) {
                free(index_memory);
                index_memory = kept;
            } else {
                free(kept);
                index_size = plan.index_bytes;
            }
        }
    }
    stream = read_all(path, &size);
    if (scratch == NULL || stream == NULL) {
        fprintf(stderr, "agent: cannot read %s\n", path);
        free(scratch);
        free(index_memory);
        free(stream);
        return 2;
    }
    printf(
        "evaluating events from %s: at most %llu steps and %zu scratch bytes per event, "
        "index %zu bytes (%zu to build)\n",
        path, (unsigned long long)plan.max_steps, plan.scratch_bytes, index_size,
        index_memory != NULL ? plan.index_bytes : (size_t)0);
    while (at < size) {
        ringward_event event;
        ringward_match_result result;
        ringward_event_status decoded;
        ringward_match_status matched;
        size_t error_offset = 0;
        size_t length;
        size_t k;
        if (size - at < 4) {
            fprintf(stderr, "agent: %s: event %lu: its length is cut short\n", path, index);
            status = 1;
            break;
        }
        length = (size_t)stream[at] | (size_t)stream[at + 1] << 8 | (size_t)stream[at + 2] << 16 |
                 (size_t)stream[at + 3] << 24;
        at += 4;
        if (length > size - at) {
            fprintf(stderr, "agent: %s: event %lu: %zu bytes announced, %zu left\n", path, index,
                    length, size - at);
            status = 1;
            break;
        }
        decoded = ringward_event_decode(stream + at, length, inputs, MAX_EVENT_INPUTS, &event,
                                        &error_offset);
        at += length;
        if (decoded != RINGWARD_EVENT_OK) {
            fprintf(stderr, "agent: event %lu refused: %s at byte %zu (%s)\n", index,
                    ringward_event_status_name(decoded), error_offset,
                    ringward_event_status_message(decoded));
            status = 1;
            ++index;
            continue;
        }
        memset(&result, 0, sizeof(result));
        result.instances = instances;
        result.instance_capacity = MAX_HITS;
        result.rules = rules;
        result.rule_capacity = MAX_HITS;
        matched = ringward_match(loaded, &plan, &event, scratch, plan.scratch_bytes, &result);
        if (matched != RINGWARD_MATCH_OK) {
            fprintf(stderr, "agent: event %lu (template type %u v%u) not evaluated: %s\n", index,
                    event.template_type_id, event.template_type_version,
                    ringward_match_status_name(matched));
            if (matched != RINGWARD_MATCH_E_UNKNOWN_TEMPLATE) {
                status = 1;
            }
            ++index;
            continue;
        }
        for (k = 0; k < result.instance_count; ++k) {
            printf("event %lu: instance %u (template type %u v%u, %llu steps)\n", index,
                   instances[k], event.template_type_id, event.template_type_version,
                   (unsigned long long)result.steps);
            ++hits;
        }
        if (result.rule_count > 0) {
            printf("event %lu: rules", index);
            for (k = 0; k < result.rule_count; ++k) {
                printf(" %u", rules[k]);
            }
            printf("\n");
        }
        ++index;
    }
    printf("%lu events, %lu hits\n", index, hits);
    free(scratch);
    free(index_memory);
    free(stream);
    return status;
}

static const char* verdict(ringward_instance_status status) {
    switch (status) {
        case RINGWARD_EVALUABLE:
            return "evaluate";
        case RINGWARD_SKIP_UNKNOWN_TEMPLATE:
            return "skip: no such template type in this sensor";
        case RINGWARD_SKIP_TOO_MANY_CRITERIA:
            return "skip: more criteria than this sensor supplies inputs";
        case RINGWARD_SKIP_TYPE_MISMATCH:
            return "skip: a value's type is not its input's";
    }
    return "skip";
}

int main(int argc, char** argv) {
    ringward_trusted_key keys[MAX_KEYS];
    size_t key_count = 0;
    ringward_channel_state last = {0, 0};
    ringward_category_policy policies[RINGWARD_CATEGORY_MAX];
    size_t policy_count = 0;
    char policy_message[2048];
    ringward_loader_config config;
    ringward_loaded loaded;
    ringward_status status;
    const char* envelope_path = NULL;
    const char* events_path = NULL;
    unsigned char* envelope;
    size_t size = 0;
    uint32_t i;
    int have_last = 0;
    int arg;

    memset(&config, 0, sizeof(config));
    config.sensor_version = SENSOR_VERSION;
    config.now = (uint64_t)time(NULL);
    config.templates = sensor_table;
    config.template_count = sizeof(sensor_table) / sizeof(sensor_table[0]);
    for (arg = 1; arg < argc; ++arg) {
        if (strcmp(argv[arg], "--print-manifest") == 0) {
            return print_manifest();
        } else if (strcmp(argv[arg], "--trust") == 0 && arg + 1 < argc) {
            if (key_count == MAX_KEYS || read_public_key(argv[++arg], &keys[key_count]) != 0) {
                return 2;
            }
            ++key_count;
        } else if (strcmp(argv[arg], "--channel") == 0 && arg + 1 < argc) {
            config.expected_channel = (uint32_t)strtoul(argv[++arg], NULL, 10);
        } else if (strcmp(argv[arg], "--ring") == 0 && arg + 1 < argc) {
            config.ring = (uint32_t)strtoul(argv[++arg], NULL, 10);
        } else if (strcmp(argv[arg], "--now") == 0 && arg + 1 < argc) {
            config.now = strtoull(argv[++arg], NULL, 10);
        } else if (strcmp(argv[arg], "--last-sequence") == 0 && arg + 1 < argc) {
            last.last_sequence = strtoull(argv[++arg], NULL, 10);
            have_last = 1;
        } else if (strcmp(argv[arg], "--policy") == 0 && arg + 1 < argc) {
            const int read = ringward_read_rollout_policy(argv[++arg], policies, &policy_count,
                                                          policy_message, sizeof(policy_message));
            if (read != 0) {
                fputs(policy_message, stderr);
                return read;
            }
            config.category_policies = policies;
            config.category_policy_count = policy_count;
            config.flags |= RINGWARD_CONFIG_REQUIRE_SCHEDULE;
        } else if (strcmp(argv[arg], "--events") == 0 && arg + 1 < argc) {
            events_path = argv[++arg];
        } else if (argv[arg][0] != '-' && envelope_path == NULL) {
            envelope_path = argv[arg];
        } else {
            return usage();
        }
    }
    if (envelope_path == NULL || key_count == 0 || config.expected_channel == 0) {
        return usage();
    }
    config.keys = keys;
    config.key_count = key_count;
    if (have_last) {
        last.channel = config.expected_channel;
        config.channels = &last;
        config.channel_count = 1;
    }

    envelope = read_all(envelope_path, &size);
    if (envelope == NULL) {
        fprintf(stderr, "agent: cannot read %s\n", envelope_path);
        return 2;
    }
    status = ringward_load(&config, envelope, size, &loaded);
    if (status == RINGWARD_E_NOT_YET_ADMITTED) {
        /* Not a refusal: the signed schedule (and the customer's delay)
           admits this ring later. A real agent keeps the envelope staged
           (ringward/store.h) and loads it again then. */
        printf(
            "deferred %s: sequence %llu, ring %u admitted at %llu (in %llu s); keeping the "
            "content already loaded\n",
            envelope_path, (unsigned long long)loaded.sequence, loaded.admission_ring,
            (unsigned long long)loaded.admit_at,
            (unsigned long long)(loaded.admit_at - config.now));
        free(envelope);
        return 3;
    }
    if (status != RINGWARD_OK) {
        fprintf(stderr, "agent: refused %s: %s (%s); keeping the content already loaded\n",
                envelope_path, ringward_status_name(status), ringward_status_message(status));
        free(envelope);
        return 1;
    }
    printf("accepted %s: channel %u, sequence %llu, ring %u admitted since %llu, %u instances\n",
           envelope_path, loaded.channel, (unsigned long long)loaded.sequence,
           loaded.admission_ring, (unsigned long long)loaded.admit_at, loaded.instance_count);
    printf("will evaluate %u, skip %u\n", loaded.evaluable_count, loaded.skipped_count);
    for (i = 0; i < loaded.instance_count; ++i) {
        ringward_instance instance;
        ringward_instance_at(&loaded, i, &instance);
        printf("  instance %u  template type %u v%u  %u criteria  %s\n", instance.id,
               instance.template_type_id, instance.template_type_version, instance.criterion_count,
               verdict(instance.status));
    }
    if (events_path != NULL) {
        const int evaluated = evaluate_events(&loaded, events_path);
        free(envelope);
        return evaluated;
    }
    free(envelope);
    return 0;
}
