/*
 * The boot-attempt watchdog: how an agent uses ringward's content store so
 * that content which crashes it is left behind by itself, offline. At every
 * start it asks the store what to load; for new (trial) content it spends a
 * try first, durably; it loads the content; and only after a health window
 * without a crash does it mark the content good. A crash inside the window
 * costs a try; once the tries are spent the store hands back the last known
 * good content. docs/recovery.md describes the state machine.
 *
 *   watchdog --store DIR --channel N --trust KEY.pub [--trust ...]
 *            [--tries N] [--health-ms MS] [--now T] [--crash-on-sequence S]
 *   watchdog --store DIR --channel N --trust KEY.pub --stage ENVELOPE.rws
 *
 * --crash-on-sequence stands in for content that crashes the machine: the
 * watchdog aborts once that sequence is loaded, before marking it good.
 *
 * Exit status: 0 running on content (or none yet), 1 refused, 2 usage or I/O.
 */
#define _POSIX_C_SOURCE 200809L
#include <ringward/loader.h>
#include <ringward/store.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "example_sensor.h"

#define MAX_KEYS 8

static int usage(void) {
    fputs(
        "usage: watchdog --store DIR --channel N --trust KEY.pub [--trust ...] [--tries N]\n"
        "                [--health-ms MS] [--now UNIX_SECONDS] [--crash-on-sequence S]\n"
        "                [--stage ENVELOPE.rws]\n",
        stderr);
    return 2;
}

static int read_public_key(const char* path, ringward_trusted_key* key) {
    FILE* f = fopen(path, "r");
    char line[256];
    int have_id = 0;
    int have_key = 0;
    if (f == NULL) {
        fprintf(stderr, "watchdog: cannot open %s\n", path);
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
    return have_id && have_key ? 0 : -1;
}

static unsigned char* read_all(const char* path, size_t* size) {
    FILE* f = fopen(path, "rb");
    unsigned char* data = NULL;
    long length;
    *size = 0;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        if (f != NULL) {
            fclose(f);
        }
        return NULL;
    }
    data = malloc((size_t)length + 1);
    if (data != NULL && fread(data, 1, (size_t)length, f) == (size_t)length) {
        *size = (size_t)length;
    } else {
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

static int fail(const char* what, ringward_store_status status) {
    fprintf(stderr, "watchdog: %s: %s (%s)\n", what, ringward_store_status_name(status),
            ringward_store_status_message(status));
    return status == RINGWARD_STORE_E_IO_FAILED || status == RINGWARD_STORE_E_LOCKED ? 2 : 1;
}

int main(int argc, char** argv) {
    ringward_trusted_key keys[MAX_KEYS];
    size_t key_count = 0;
    ringward_loader_config config;
    ringward_store_options options;
    ringward_store* store = NULL;
    ringward_store_selection selection;
    ringward_store_info info;
    ringward_store_status status;
    const char* directory = NULL;
    const char* stage = NULL;
    uint32_t channel = 0;
    unsigned long health_ms = 1000;
    uint64_t crash_on = 0;
    int arg;

    memset(&config, 0, sizeof(config));
    memset(&options, 0, sizeof(options));
    config.sensor_version = SENSOR_VERSION;
    config.now = (uint64_t)time(NULL);
    config.templates = sensor_table;
    config.template_count = sizeof(sensor_table) / sizeof(sensor_table[0]);
    for (arg = 1; arg < argc; ++arg) {
        if (strcmp(argv[arg], "--trust") == 0 && arg + 1 < argc) {
            if (key_count == MAX_KEYS || read_public_key(argv[++arg], &keys[key_count]) != 0) {
                fprintf(stderr, "watchdog: %s is not a ringward public key file\n", argv[arg]);
                return 2;
            }
            ++key_count;
        } else if (strcmp(argv[arg], "--store") == 0 && arg + 1 < argc) {
            directory = argv[++arg];
        } else if (strcmp(argv[arg], "--channel") == 0 && arg + 1 < argc) {
            channel = (uint32_t)strtoul(argv[++arg], NULL, 10);
        } else if (strcmp(argv[arg], "--tries") == 0 && arg + 1 < argc) {
            options.max_tries = (uint32_t)strtoul(argv[++arg], NULL, 10);
        } else if (strcmp(argv[arg], "--health-ms") == 0 && arg + 1 < argc) {
            health_ms = strtoul(argv[++arg], NULL, 10);
        } else if (strcmp(argv[arg], "--now") == 0 && arg + 1 < argc) {
            config.now = strtoull(argv[++arg], NULL, 10);
        } else if (strcmp(argv[arg], "--crash-on-sequence") == 0 && arg + 1 < argc) {
            crash_on = strtoull(argv[++arg], NULL, 10);
        } else if (strcmp(argv[arg], "--stage") == 0 && arg + 1 < argc) {
            stage = argv[++arg];
        } else {
            return usage();
        }
    }
    if (directory == NULL || channel == 0 || key_count == 0 ||
        options.max_tries > RINGWARD_STORE_MAX_TRIES_INCL) {
        return usage();
    }
    config.keys = keys;
    config.key_count = key_count;

    status = ringward_store_open(directory, channel, &options, &store);
    if (status != RINGWARD_STORE_OK) {
        return fail("cannot open the store", status);
    }

    if (stage != NULL) {
        /* An update arrives: the store verifies it with this agent's own
           configuration before it is written. */
        size_t size = 0;
        unsigned char* envelope = read_all(stage, &size);
        ringward_status refusal = RINGWARD_OK;
        if (envelope == NULL) {
            fprintf(stderr, "watchdog: cannot read %s\n", stage);
            ringward_store_close(store);
            return 2;
        }
        status = ringward_store_stage(store, &config, envelope, size, &refusal);
        free(envelope);
        if (status != RINGWARD_STORE_OK) {
            if (refusal != RINGWARD_OK) {
                fprintf(stderr, "watchdog: the loader refused %s: %s\n", stage,
                        ringward_status_name(refusal));
            }
            ringward_store_close(store);
            return fail("not staged", status);
        }
        ringward_store_get_info(store, &info);
        printf("staged sequence %llu: %u tries\n", (unsigned long long)info.trial_sequence,
               info.trial_tries_left);
        ringward_store_close(store);
        return 0;
    }

    /* 1. What to load now. */
    status = ringward_store_select(store, &config, &selection);
    if (selection.fell_back != RINGWARD_STORE_REASON_NONE) {
        ringward_store_get_info(store, &info);
        printf("fell back from sequence %llu: %s\n",
               (unsigned long long)info.last_fallback_sequence,
               ringward_store_reason_name(selection.fell_back));
    }
    if (status != RINGWARD_STORE_OK) {
        ringward_store_close(store);
        return fail("no content can be loaded; running without", status);
    }
    if (selection.choice == RINGWARD_STORE_CHOICE_NONE) {
        printf("no content yet; running without\n");
        ringward_store_close(store);
        return 0;
    }

    /* 2. New content: spend a try before it runs, so a crash counts. */
    if (selection.choice == RINGWARD_STORE_CHOICE_TRIAL) {
        status = ringward_store_begin_attempt(store, selection.sequence);
        if (status != RINGWARD_STORE_OK) {
            ringward_store_close(store);
            return fail("cannot begin the attempt", status);
        }
        ringward_store_get_info(store, &info);
        printf("trying sequence %llu: attempt %u of %u\n", (unsigned long long)selection.sequence,
               info.trial_attempts, info.max_tries);
    } else {
        printf("loading last known good sequence %llu\n", (unsigned long long)selection.sequence);
    }

    /* 3. The content is in use: the store verified it with ringward_load. */
    printf("loaded sequence %llu: %u instances, %u evaluable\n",
           (unsigned long long)selection.loaded.sequence, selection.loaded.instance_count,
           selection.loaded.evaluable_count);
    fflush(stdout);
    if (crash_on != 0 && selection.loaded.sequence == crash_on) {
        fprintf(stderr, "watchdog: sequence %llu crashes this machine\n",
                (unsigned long long)crash_on);
        abort();
    }

    /* 4. The health window: nothing crashed for health_ms. */
    {
        struct timespec window;
        window.tv_sec = (time_t)(health_ms / 1000);
        window.tv_nsec = (long)(health_ms % 1000) * 1000000L;
        nanosleep(&window, NULL);
    }

    /* 5. Healthy: the trial becomes the last known good. */
    if (selection.choice == RINGWARD_STORE_CHOICE_TRIAL) {
        status = ringward_store_mark_good(store, selection.sequence);
        if (status != RINGWARD_STORE_OK) {
            ringward_store_close(store);
            return fail("cannot mark the content good", status);
        }
        printf("marked sequence %llu good\n", (unsigned long long)selection.sequence);
    }
    ringward_store_close(store);
    return 0;
}
