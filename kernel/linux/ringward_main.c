// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ringward.ko: content for a sensor driver arrives through /dev/ringward.
 * A writer writes one envelope; when it closes the file (flush), the
 * envelope goes through ringward_load with the module's keyring, channel,
 * last sequence, sensor version, ring, the sensor's own table and the
 * kernel's clock. Accepted, it replaces the active content; refused, the
 * active content stays (last known good, in kernel memory) and the refusal
 * is logged with its RW08nn code. A read returns the last status as one
 * line of text. docs/kernel.md describes the interface.
 *
 * Events are evaluated through /dev/ringward-eval: a write of one event in
 * the wire encoding (docs/event-wire.md) is decoded and matched against the
 * active content with ringward_match; the next read on that file returns
 * the hits and the counts as one line.
 *
 * Locking: ringward_state.lock (a mutex: loading sleeps in the crypto API
 * and in kvmalloc) is held around every load and every read of the status.
 * The active content (active, loaded, plan) is also guarded by
 * ringward_state.active_lock, a reader-writer semaphore: evaluators take it
 * for reading, so any number evaluate at once, and the load takes it for
 * writing only for the swap, inside state.lock (the one order: lock, then
 * active_lock), so evaluations wait for the swap but never for a signature
 * check. Each open file has its own mutex around its buffers (an envelope's
 * write buffer; an evaluator's event, inputs, scratch and result), so
 * threads sharing a file cannot corrupt them; it is taken before
 * active_lock and never inside state.lock.
 */
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include <ringward/event_wire.h>

#include "ringward_kernel.h"
#include "ringward_sensor_table.h"

static char* trusted_key;
module_param(trusted_key, charp, 0444);
MODULE_PARM_DESC(trusted_key, "The trusted Ed25519 public key, 64 hex digits");
static char* trusted_key_id;
module_param(trusted_key_id, charp, 0444);
MODULE_PARM_DESC(trusted_key_id, "Its key id (ringward keygen's key-id), 32 hex digits");
static uint channel;
module_param(channel, uint, 0444);
MODULE_PARM_DESC(channel, "The content channel this sensor loads (not 0)");
static unsigned long long last_sequence;
module_param(last_sequence, ullong, 0444);
MODULE_PARM_DESC(last_sequence, "The last sequence accepted for the channel, as persisted");
static char* sensor_version = RINGWARD_SENSOR_VERSION_TEXT;
module_param(sensor_version, charp, 0444);
MODULE_PARM_DESC(sensor_version, "This sensor's version, major.minor.build");
static uint ring;
module_param(ring, uint, 0444);
MODULE_PARM_DESC(ring, "This sensor's rollout ring");
/* Content is kilobytes to megabytes; a write beyond this is refused before
   any of it is kept, so user space cannot make the module hold more. */
static uint max_envelope_bytes = 16u << 20;
module_param(max_envelope_bytes, uint, 0444);
MODULE_PARM_DESC(max_envelope_bytes, "The largest envelope accepted, in bytes");
/* An event is a few hundred bytes to a few command lines; the buffer for one
   is kept per open evaluator file, so this bounds what each open costs. */
static uint max_event_bytes = 64u << 10;
module_param(max_event_bytes, uint, 0444);
MODULE_PARM_DESC(max_event_bytes, "The largest event evaluated, in bytes");
/* The decoder's input array, per open evaluator file: a template type has
   tens of fields, never hundreds. */
static uint max_event_inputs = 256;
module_param(max_event_inputs, uint, 0444);
MODULE_PARM_DESC(max_event_inputs, "The most inputs an event may carry");

#define RINGWARD_STATUS_TEXT_BYTES 256

struct ringward_state {
    struct mutex lock;
    /* Guards active, loaded and plan: read by evaluators, written by the
       swap of an accepted envelope. */
    struct rw_semaphore active_lock;
    struct crypto_shash* tfm;
    ringward_trusted_key key;
    uint64_t sensor_version;
    uint64_t last_sequence;
    /* The active envelope (kvmalloc'd) and what the loader said of it:
       loaded points into it. */
    uint8_t* active;
    ringward_loaded loaded;
    /* ringward_match_prepare's plan for loaded, computed at acceptance;
       zeroed (ringward_match then refuses) while nothing is active. */
    ringward_match_plan plan;
    bool has_plan;
    /* The plan's index (kvmalloc'd, ringward_match_index_size bytes), or
       NULL: every instance is then evaluated in turn, with the same
       verdicts. */
    void* index;
    uint64_t accepted;
    uint64_t refused;
    char status[RINGWARD_STATUS_TEXT_BYTES];
};

static struct ringward_state state = {
    .lock = __MUTEX_INITIALIZER(state.lock),
    .active_lock = __RWSEM_INITIALIZER(state.active_lock),
};

struct ringward_file {
    struct mutex lock;
    uint8_t* buffer;
    size_t size;
    size_t capacity;
    /* A write went past max_envelope_bytes: the envelope is refused whole
       at flush, as the loader refuses one over its cap. */
    bool too_large;
};

static void ringward_format_status(ringward_status status) {
    const ringward_loaded* a = &state.loaded;

    scnprintf(state.status, sizeof(state.status),
              "RW08%02u %s accepted=%llu refused=%llu active_channel=%u active_sequence=%llu "
              "instances=%u evaluable=%u skipped=%u verifier=%s\n",
              (unsigned int)status, ringward_status_name(status), state.accepted, state.refused,
              a->channel, a->sequence, a->instance_count, a->evaluable_count, a->skipped_count,
              ringward_has_verifier() ? "ed25519" : "none");
}

/* Loads `envelope` (kvmalloc'd, `size` bytes; owned by this function). */
static ringward_status ringward_load_locked(uint8_t* envelope, size_t size) {
    ringward_channel_state channel_state = {
        .channel = channel,
        .last_sequence = state.last_sequence,
    };
    ringward_loader_config config = {
        .keys = &state.key,
        .key_count = 1,
        .channels = &channel_state,
        .channel_count = 1,
        .expected_channel = channel,
        .sensor_version = state.sensor_version,
        .ring = ring,
        .now = (uint64_t)ktime_get_real_seconds(),
        .templates = ringward_sensor_table,
        .template_count = ARRAY_SIZE(ringward_sensor_table),
        .max_envelope_bytes = max_envelope_bytes,
    };
    ringward_loaded loaded;
    ringward_match_plan plan;
    ringward_status status;
    uint8_t* previous;
    void* index = NULL;
    size_t index_size = 0;
    void* previous_index;

    ringward_set_hooks(&config, state.tfm);
    status = ringward_load(&config, envelope, size, &loaded);
    if (status == RINGWARD_OK) {
        /* The plan is made before the swap, outside active_lock: one pass
           over the blob that evaluators need not wait for. It fails only
           on a loaded that holds no content, which an acceptance never is;
           the content is then active but every event is refused (RW0895). */
        const bool has_plan = ringward_match_prepare(&loaded, NULL, &plan) == 0;

        if (!has_plan)
            pr_err("ringward: RW0895 no evaluation plan for the accepted content\n");
        /* The index too (kvmalloc is 8-byte aligned at least); without
           memory for it the content is evaluated instance by instance. */
        if (has_plan && plan.index_bytes > 0) {
            index = kvmalloc(plan.index_bytes, GFP_KERNEL);
            if (!index || ringward_match_index_build(&loaded, &plan, index, plan.index_bytes) !=
                              RINGWARD_MATCH_OK) {
                pr_warn(
                    "ringward: no index (%zu bytes) for the accepted content; every "
                    "instance is evaluated in turn\n",
                    plan.index_bytes);
                kvfree(index);
                index = NULL;
            } else {
                /* Built in the plan's upper bound with its working memory
                   after it; what the index keeps is its own size. */
                void* kept;

                index_size = ringward_match_index_size(&plan);
                kept = kvmalloc(index_size, GFP_KERNEL);
                if (kept &&
                    ringward_match_index_move(&plan, kept, index_size) == RINGWARD_MATCH_OK) {
                    kvfree(index);
                    index = kept;
                } else {
                    kvfree(kept);
                    index_size = plan.index_bytes;
                }
            }
        }
        down_write(&state.active_lock);
        previous = state.active;
        previous_index = state.index;
        state.active = envelope;
        state.loaded = loaded;
        state.plan = plan;
        state.has_plan = has_plan;
        state.index = index;
        up_write(&state.active_lock);
        /* No evaluator can still point into the previous envelope or its
           index: each holds active_lock for reading for as long as it uses
           them. */
        kvfree(previous);
        kvfree(previous_index);
        state.last_sequence = loaded.sequence;
        state.accepted++;
        pr_info(
            "ringward: RW0800 ok: channel %u sequence %llu, %u instances, %u evaluable, %u "
            "skipped; at most %llu steps and %zu scratch bytes per event, index %zu bytes "
            "(%zu to build)\n",
            loaded.channel, loaded.sequence, loaded.instance_count, loaded.evaluable_count,
            loaded.skipped_count, (unsigned long long)plan.max_steps, plan.scratch_bytes,
            index ? index_size : (size_t)0, index ? plan.index_bytes : (size_t)0);
    } else {
        kvfree(envelope);
        state.refused++;
        pr_warn("ringward: RW08%02u %s: %s; the active content (sequence %llu) stays\n",
                (unsigned int)status, ringward_status_name(status), ringward_status_message(status),
                state.loaded.sequence);
    }
    return status;
}

static int ringward_open(struct inode* inode, struct file* file) {
    struct ringward_file* f = kzalloc(sizeof(*f), GFP_KERNEL);

    if (!f)
        return -ENOMEM;
    mutex_init(&f->lock);
    file->private_data = f;
    return 0;
}

static ssize_t ringward_write(struct file* file, const char __user* data, size_t count,
                              loff_t* ppos) {
    struct ringward_file* f = file->private_data;
    ssize_t ret = count;

    if (count == 0)
        return 0;
    mutex_lock(&f->lock);
    if (f->too_large || count > max_envelope_bytes - f->size) {
        f->too_large = true;
        ret = -EFBIG;
        goto out;
    }
    if (f->size + count > f->capacity) {
        /* Doubling, capped: a large envelope costs log(size) copies. */
        size_t capacity = max_t(size_t, f->capacity * 2, f->size + count);
        uint8_t* grown;

        capacity = min_t(size_t, max_t(size_t, capacity, PAGE_SIZE), max_envelope_bytes);
        grown = kvrealloc(f->buffer, f->capacity, capacity, GFP_KERNEL);
        if (!grown) {
            ret = -ENOMEM;
            goto out;
        }
        f->buffer = grown;
        f->capacity = capacity;
    }
    if (copy_from_user(f->buffer + f->size, data, count)) {
        ret = -EFAULT;
        goto out;
    }
    f->size += count;
out:
    mutex_unlock(&f->lock);
    return ret;
}

/* close(): what was written is one envelope; load it. */
static int ringward_flush(struct file* file, fl_owner_t id) {
    struct ringward_file* f = file->private_data;
    uint8_t* envelope;
    size_t size;
    bool too_large;
    ringward_status status;

    mutex_lock(&f->lock);
    envelope = f->buffer;
    size = f->size;
    too_large = f->too_large;
    f->buffer = NULL;
    f->size = 0;
    f->capacity = 0;
    f->too_large = false;
    mutex_unlock(&f->lock);
    if (!too_large && size == 0)
        return 0;

    mutex_lock(&state.lock);
    if (too_large) {
        kvfree(envelope);
        state.refused++;
        status = RINGWARD_E_TOO_LARGE;
        pr_warn("ringward: RW0801 %s: over max_envelope_bytes (%u); the active content stays\n",
                ringward_status_name(status), max_envelope_bytes);
    } else {
        status = ringward_load_locked(envelope, size);
    }
    ringward_format_status(status);
    mutex_unlock(&state.lock);
    if (status == RINGWARD_OK)
        return 0;
    return status == RINGWARD_E_NOT_YET_ADMITTED ? -EAGAIN : -EBADMSG;
}

static int ringward_release(struct inode* inode, struct file* file) {
    struct ringward_file* f = file->private_data;

    kvfree(f->buffer);
    kfree(f);
    return 0;
}

static ssize_t ringward_read(struct file* file, char __user* data, size_t count, loff_t* ppos) {
    char text[RINGWARD_STATUS_TEXT_BYTES];
    size_t length;

    mutex_lock(&state.lock);
    length = strscpy(text, state.status, sizeof(text)) < 0 ? 0 : strlen(text);
    mutex_unlock(&state.lock);
    return simple_read_from_buffer(data, count, ppos, text, length);
}

static const struct file_operations ringward_fops = {
    .owner = THIS_MODULE,
    .open = ringward_open,
    .write = ringward_write,
    .flush = ringward_flush,
    .release = ringward_release,
    .read = ringward_read,
    .llseek = no_llseek,
};

static struct miscdevice ringward_device = {
    .minor = MISC_DYNAMIC_MINOR,
    .name = "ringward",
    .fops = &ringward_fops,
    .mode = 0600,
};

/* ---- /dev/ringward-eval ---- */

/* Hits reported per event: a rule set fires a handful per event; more are
   counted (matched=) and flagged (truncated=1), not listed. */
#define RINGWARD_EVAL_MAX_HITS 32
/* One line: the code and name, up to 2 x 32 ids of 10 digits, the counts. */
#define RINGWARD_EVAL_RESULT_BYTES 1024

/* An open evaluator file. The buffers are allocated once, at open, but the
   scratch, which follows the active content's plan: it is this file's, not
   the content's, because evaluators on other files run at once under the
   read side of active_lock and one shared scratch would need a lock that
   serialises them all. It grows (kvmalloc) only when a new content needs
   more than the file has, so an event costs no allocation. */
struct ringward_eval_file {
    struct mutex lock;
    uint8_t* event;
    ringward_input* inputs;
    void* scratch;
    size_t scratch_bytes;
    uint32_t instances[RINGWARD_EVAL_MAX_HITS];
    uint32_t rules[RINGWARD_EVAL_MAX_HITS];
    char result[RINGWARD_EVAL_RESULT_BYTES];
    size_t result_length;
};

static int ringward_eval_open(struct inode* inode, struct file* file) {
    struct ringward_eval_file* f = kzalloc(sizeof(*f), GFP_KERNEL);

    if (!f)
        return -ENOMEM;
    mutex_init(&f->lock);
    f->event = kvmalloc(max_event_bytes, GFP_KERNEL);
    f->inputs = kvmalloc_array(max_event_inputs, sizeof(*f->inputs), GFP_KERNEL);
    if (!f->event || !f->inputs) {
        kvfree(f->event);
        kvfree(f->inputs);
        kfree(f);
        return -ENOMEM;
    }
    file->private_data = f;
    return 0;
}

static int ringward_eval_release(struct inode* inode, struct file* file) {
    struct ringward_eval_file* f = file->private_data;

    kvfree(f->event);
    kvfree(f->inputs);
    kvfree(f->scratch);
    kfree(f);
    return 0;
}

static void ringward_eval_refusal(struct ringward_eval_file* f, ringward_event_status status,
                                  size_t offset) {
    f->result_length =
        scnprintf(f->result, sizeof(f->result), "RW08%02u %s offset=%zu\n",
                  80u + (unsigned int)status, ringward_event_status_name(status), offset);
}

static void ringward_eval_ids(struct ringward_eval_file* f, const char* name, const uint32_t* ids,
                              size_t count) {
    size_t i;

    f->result_length +=
        scnprintf(f->result + f->result_length, sizeof(f->result) - f->result_length, " %s=", name);
    for (i = 0; i < count; ++i)
        f->result_length +=
            scnprintf(f->result + f->result_length, sizeof(f->result) - f->result_length, "%s%u",
                      i == 0 ? "" : ",", ids[i]);
    if (count == 0)
        f->result_length +=
            scnprintf(f->result + f->result_length, sizeof(f->result) - f->result_length, "-");
}

/* Decodes and evaluates the event in f->event[0, size); f->lock is held.
   Returns the status the line reports. */
static ringward_event_status ringward_eval_one(struct ringward_eval_file* f, size_t size) {
    ringward_event event;
    ringward_match_result result = {
        .instances = f->instances,
        .instance_capacity = RINGWARD_EVAL_MAX_HITS,
        .rules = f->rules,
        .rule_capacity = RINGWARD_EVAL_MAX_HITS,
    };
    ringward_event_status status;
    ringward_match_status matched;
    size_t offset = 0;

    status = ringward_event_decode(f->event, size, f->inputs, max_event_inputs, &event, &offset);
    if (status != RINGWARD_EVENT_OK) {
        ringward_eval_refusal(f, status, offset);
        return status;
    }
    down_read(&state.active_lock);
    if (!state.active) {
        up_read(&state.active_lock);
        ringward_eval_refusal(f, RINGWARD_EVENT_E_NO_CONTENT, 0);
        return RINGWARD_EVENT_E_NO_CONTENT;
    }
    if (state.has_plan && f->scratch_bytes < state.plan.scratch_bytes) {
        /* kvmalloc's memory is page- or slab-aligned: 8-byte alignment, as
           ringward_match requires, holds. */
        void* grown = kvmalloc(state.plan.scratch_bytes, GFP_KERNEL);

        if (!grown) {
            up_read(&state.active_lock);
            f->result_length =
                scnprintf(f->result, sizeof(f->result), "RW0895 %s match=out-of-memory\n",
                          ringward_event_status_name(RINGWARD_EVENT_E_MATCH_REFUSED));
            return RINGWARD_EVENT_E_MATCH_REFUSED;
        }
        kvfree(f->scratch);
        f->scratch = grown;
        f->scratch_bytes = state.plan.scratch_bytes;
    }
    matched =
        ringward_match(&state.loaded, &state.plan, &event, f->scratch, f->scratch_bytes, &result);
    up_read(&state.active_lock);
    switch (matched) {
        case RINGWARD_MATCH_OK:
            break;
        case RINGWARD_MATCH_E_UNKNOWN_TEMPLATE:
            ringward_eval_refusal(f, RINGWARD_EVENT_E_UNKNOWN_TEMPLATE, 8);
            return RINGWARD_EVENT_E_UNKNOWN_TEMPLATE;
        case RINGWARD_MATCH_E_INPUT_TOO_LONG:
            f->result_length = scnprintf(
                f->result, sizeof(f->result), "RW0894 %s input=%u\n",
                ringward_event_status_name(RINGWARD_EVENT_E_INPUT_TOO_LONG), result.input);
            return RINGWARD_EVENT_E_INPUT_TOO_LONG;
        default:
            f->result_length = scnprintf(f->result, sizeof(f->result), "RW0895 %s match=%s\n",
                                         ringward_event_status_name(RINGWARD_EVENT_E_MATCH_REFUSED),
                                         ringward_match_status_name(matched));
            pr_err("ringward: RW0895 ringward_match refused a decoded event: %s\n",
                   ringward_match_status_name(matched));
            return RINGWARD_EVENT_E_MATCH_REFUSED;
    }
    f->result_length = scnprintf(f->result, sizeof(f->result), "RW0880 %s",
                                 ringward_event_status_name(RINGWARD_EVENT_OK));
    ringward_eval_ids(f, "rules", f->rules, result.rule_count);
    ringward_eval_ids(f, "instances", f->instances, result.instance_count);
    f->result_length += scnprintf(
        f->result + f->result_length, sizeof(f->result) - f->result_length,
        " matched=%zu truncated=%d evaluated=%u skipped=%u refused=%u steps=%llu\n",
        result.instances_matched, result.instances_truncated || result.rules_truncated,
        result.evaluated, result.skipped, result.refused, (unsigned long long)result.steps);
    return RINGWARD_EVENT_OK;
}

/* One write is one event: it is evaluated at once, and its line replaces
   the file's last; the file's position goes back to 0 so that the next
   read returns it. */
static ssize_t ringward_eval_write(struct file* file, const char __user* data, size_t count,
                                   loff_t* ppos) {
    struct ringward_eval_file* f = file->private_data;
    ringward_event_status status;
    ssize_t ret;

    mutex_lock(&f->lock);
    if (count > max_event_bytes) {
        status = RINGWARD_EVENT_E_TOO_LARGE;
        ringward_eval_refusal(f, status, max_event_bytes);
    } else if (copy_from_user(f->event, data, count)) {
        mutex_unlock(&f->lock);
        return -EFAULT;
    } else {
        status = ringward_eval_one(f, count);
    }
    *ppos = 0;
    if (status == RINGWARD_EVENT_OK)
        ret = count;
    else if (status == RINGWARD_EVENT_E_TOO_LARGE)
        ret = -EFBIG;
    else if (status == RINGWARD_EVENT_E_NO_CONTENT)
        ret = -ENODATA;
    else
        ret = -EBADMSG;
    mutex_unlock(&f->lock);
    return ret;
}

static ssize_t ringward_eval_read(struct file* file, char __user* data, size_t count,
                                  loff_t* ppos) {
    struct ringward_eval_file* f = file->private_data;
    ssize_t ret;

    mutex_lock(&f->lock);
    ret = simple_read_from_buffer(data, count, ppos, f->result, f->result_length);
    mutex_unlock(&f->lock);
    return ret;
}

static const struct file_operations ringward_eval_fops = {
    .owner = THIS_MODULE,
    .open = ringward_eval_open,
    .write = ringward_eval_write,
    .release = ringward_eval_release,
    .read = ringward_eval_read,
    .llseek = no_llseek,
};

static struct miscdevice ringward_eval_device = {
    .minor = MISC_DYNAMIC_MINOR,
    .name = "ringward-eval",
    .fops = &ringward_eval_fops,
    .mode = 0600,
};

static int ringward_parse_hex(const char* name, const char* text, uint8_t* out, size_t size) {
    if (!text || strlen(text) != 2 * size || hex2bin(out, text, size) != 0) {
        pr_err("ringward: %s must be %zu hex digits\n", name, 2 * size);
        return -EINVAL;
    }
    return 0;
}

/* "7.11.18110" packed as the loader compares it: major << 48 | minor << 32
   | build. */
static int ringward_parse_version(const char* text, uint64_t* out) {
    unsigned int major, minor, build;
    char end;

    if (!text || sscanf(text, "%u.%u.%u%c", &major, &minor, &build, &end) != 3 || major > 0xffff ||
        minor > 0xffff) {
        pr_err("ringward: sensor_version must be major.minor.build\n");
        return -EINVAL;
    }
    *out = ((uint64_t)major << 48) | ((uint64_t)minor << 32) | build;
    return 0;
}

static int __init ringward_init(void) {
    int ret;

    ret = ringward_parse_hex("trusted_key", trusted_key, state.key.public_key,
                             sizeof(state.key.public_key));
    if (ret == 0)
        ret = ringward_parse_hex("trusted_key_id", trusted_key_id, state.key.key_id,
                                 sizeof(state.key.key_id));
    if (ret == 0)
        ret = ringward_parse_version(sensor_version, &state.sensor_version);
    if (ret == 0 && channel == 0) {
        pr_err("ringward: channel must be set (not 0)\n");
        ret = -EINVAL;
    }
    if (ret)
        return ret;
    state.last_sequence = last_sequence;
    state.tfm = ringward_hash_alloc();
    if (IS_ERR(state.tfm)) {
        ret = PTR_ERR(state.tfm);
        pr_err("ringward: no blake2b-512 in the kernel crypto API (%d)\n", ret);
        return ret;
    }
    ringward_format_status(RINGWARD_OK);
    if (max_event_bytes < RINGWARD_EVENT_WIRE_HEADER_BYTES || max_event_inputs == 0) {
        pr_err("ringward: max_event_bytes must hold a header and max_event_inputs be above 0\n");
        ringward_hash_free(state.tfm);
        return -EINVAL;
    }
    ret = misc_register(&ringward_device);
    if (ret) {
        ringward_hash_free(state.tfm);
        return ret;
    }
    ret = misc_register(&ringward_eval_device);
    if (ret) {
        misc_deregister(&ringward_device);
        ringward_hash_free(state.tfm);
        return ret;
    }
    pr_info("ringward: channel %u, sensor %s, ring %u, last sequence %llu, verifier %s\n", channel,
            sensor_version, ring, last_sequence,
            ringward_has_verifier() ? "ed25519" : "none (every envelope is refused)");
    return 0;
}

static void __exit ringward_exit(void) {
    misc_deregister(&ringward_eval_device);
    misc_deregister(&ringward_device);
    kvfree(state.active);
    kvfree(state.index);
    ringward_hash_free(state.tfm);
}

module_init(ringward_init);
module_exit(ringward_exit);
MODULE_DESCRIPTION("ringward: signed detection content, loaded through the kernel-safe core");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_SOFTDEP("pre: blake2b_generic");
