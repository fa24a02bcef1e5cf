/*
 * A small endpoint agent, in C, linking ringward's loader: the way a sensor
 * accepts content. It trusts the keys given as .pub files, loads a signed
 * envelope, and prints what it will evaluate and what it skips. It can also
 * print its own template type table as a sensor manifest, so that the table
 * it evaluates with and the manifest content is validated against are one.
 *
 *   agent --print-manifest
 *   agent --trust KEY.pub [--trust ...] --channel N [--ring R] [--now T]
 *         [--last-sequence S] [--policy POLICY.txtpb] ENVELOPE.rws
 *
 * --policy is the customer's rollout policy (docs/rollout.md): per content
 * category a ring and a delay on top of the vendor's signed ring schedule.
 * With one, envelopes without a schedule are refused.
 *
 * Exit status: 0 accepted, 1 refused, 2 usage or I/O, 3 not yet admitted for
 * this ring (a deferral: keep the envelope and try again at the time shown).
 */
#include <ringward/loader.h>
#include <ringward/rollout_policy.h>
#include <ringward/sensor_table.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "example_sensor.h"

#define MAX_KEYS 8

static int usage(void) {
    fputs(
        "usage: agent --print-manifest\n"
        "       agent --trust KEY.pub [--trust KEY.pub ...] --channel N [--ring R]\n"
        "             [--now UNIX_SECONDS] [--last-sequence S] [--policy POLICY.txtpb]\n"
        "             ENVELOPE.rws\n",
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

static unsigned char* read_all(const char* path, size_t* size) {
    FILE* f = fopen(path, "rb");
    unsigned char* data = NULL;
    size_t capacity = 0;
    size_t n;
    *size = 0;
    if (f == NULL) {
        return NULL;
    }
    for (;;) {
        if (*size == capacity) {
            unsigned char* bigger;
            capacity = capacity == 0 ? 65536 : capacity * 2;
            bigger = realloc(data, capacity);
            if (bigger == NULL) {
                free(data);
                fclose(f);
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
    fclose(f);
    return data;
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
    free(envelope);
    return 0;
}
