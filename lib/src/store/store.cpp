// The content store: last known good content, a trial with a budget of
// tries, and the last accepted sequence, per channel (docs/recovery.md).
//
// Every change is one commit: the new state record is written to a
// temporary file, fsynced, renamed over the older of the two state slots,
// and the directory fsynced. Envelopes are written the same way before the
// record that names them, and deleted only once no record names them. So a
// crash at any point leaves the old record or the new one, each naming files
// that are complete and present.
#include <fcntl.h>
#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <vector>

#include "ringward/core/contract.hpp"
#include "store/store_internal.hpp"

using ringward::store::Content;
using ringward::store::FileSystem;
using ringward::store::State;

struct ringward_store {
    FileSystem* fs = nullptr;
    std::string directory;
    uint32_t channel = 0;
    uint32_t max_tries = RINGWARD_STORE_DEFAULT_MAX_TRIES;
    int lock_fd = -1;
    State state;
    // The record in the other slot, when it is valid: its files are kept.
    std::optional<State> previous;
    bool recovered = false;
    // A commit failed part way: what is on disk may be the new state, so it
    // is read again before the next call acts.
    bool stale = false;
    int last_errno = 0;
    // The envelope of the last selection.
    std::vector<uint8_t> selected;
};

namespace ringward::store {
namespace {

[[noreturn]] void contract_violation(const char* what) {
    std::fprintf(stderr, "ringward store: contract violation: %s\n", what);
    ringward::core::contract_violation();
}
void require(bool ok, const char* what) {
    if (!ok) {
        contract_violation(what);
    }
}

std::string path_of(const ringward_store& s, const std::string& name) {
    return s.directory + "/" + name;
}

ringward_store_status io_failed(ringward_store& s) {
    s.last_errno = errno != 0 ? errno : EIO;
    return RINGWARD_STORE_E_IO_FAILED;
}

// Reads a whole file of at most `limit` bytes; a larger file reads as
// limit + 1 bytes, so the caller sees it is too large. -1 with errno.
int read_file(FileSystem& fs, const std::string& path, size_t limit, std::vector<uint8_t>& out) {
    out.clear();
    const int fd = fs.open(path, O_RDONLY, 0);
    if (fd < 0) {
        return -1;
    }
    out.resize(limit < 65536 ? limit + 1 : 65536);
    size_t have = 0;
    for (;;) {
        if (have == out.size()) {
            if (out.size() > limit) {
                break;
            }
            out.resize(std::min(out.size() * 2, limit + 1));
        }
        const ssize_t n = fs.read(fd, out.data() + have, out.size() - have);
        if (n < 0) {
            const int error = errno;
            fs.close(fd);
            errno = error;
            return -1;
        }
        if (n == 0) {
            break;
        }
        have += static_cast<size_t>(n);
    }
    out.resize(have);
    fs.close(fd);
    return 0;
}

int fsync_directory(FileSystem& fs, const std::string& directory) {
    const int fd = fs.open(directory, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) {
        return -1;
    }
    if (fs.fsync(fd) != 0) {
        const int error = errno;
        fs.close(fd);
        errno = error;
        return -1;
    }
    return fs.close(fd);
}

// Temporary file, fsync, rename, fsync of the directory: afterwards `name`
// durably holds `data`; at any point before, it durably holds what it held.
ringward_store_status write_durably(ringward_store& s, const std::string& name,
                                    std::span<const uint8_t> data) {
    FileSystem& fs = *s.fs;
    const std::string temporary = path_of(s, name + kTemporarySuffix);
    const int fd = fs.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return io_failed(s);
    }
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = fs.write(fd, data.data() + done, data.size() - done);
        if (n <= 0) {
            if (n == 0) {
                errno = EIO;
            }
            const ringward_store_status status = io_failed(s);
            fs.close(fd);
            return status;
        }
        done += static_cast<size_t>(n);
    }
    if (fs.fsync(fd) != 0) {
        const ringward_store_status status = io_failed(s);
        fs.close(fd);
        return status;
    }
    if (fs.close(fd) != 0 || fs.rename(temporary, path_of(s, name)) != 0 ||
        fsync_directory(fs, s.directory) != 0) {
        return io_failed(s);
    }
    return RINGWARD_STORE_OK;
}

bool names(const State& state, const std::string& file) {
    return (state.has_lkg && file == content_name(state.lkg.sequence)) ||
           (state.has_trial && file == content_name(state.trial.sequence));
}

// Deletes envelopes that neither record names, and temporary files a crash
// left. Best effort: a file left behind is harmless, and is tried again
// after the next commit.
void collect_garbage(ringward_store& s) {
    std::vector<std::string> files;
    if (s.fs->list(s.directory, files) != 0) {
        return;
    }
    for (const std::string& file : files) {
        const bool temporary = file.size() > 4 && file.ends_with(kTemporarySuffix);
        const bool envelope = file.starts_with("content-") && file.ends_with(".rws");
        if ((temporary || envelope) && !names(s.state, file) &&
            !(s.previous && names(*s.previous, file))) {
            s.fs->unlink(path_of(s, file));
        }
    }
}

// Reads both slots: the valid record with the higher generation is the
// state, the other (when valid) the previous one.
ringward_store_status read_state(ringward_store& s) {
    std::optional<State> found[2];
    bool damaged = false;
    bool wrong_channel = false;
    std::vector<uint8_t> bytes;
    for (size_t slot = 0; slot < 2; ++slot) {
        if (read_file(*s.fs, path_of(s, kStateSlots[slot]), kStateRecordBytes, bytes) != 0) {
            if (errno == ENOENT) {
                continue;
            }
            return io_failed(s);
        }
        State state;
        const ringward_store_status status = decode_state(bytes, s.channel, &state);
        if (status == RINGWARD_STORE_OK && state.generation % 2 == slot) {
            found[slot] = state;
        } else {
            damaged = true;
            wrong_channel = wrong_channel || status == RINGWARD_STORE_E_STATE_WRONG_CHANNEL;
        }
    }
    s.previous.reset();
    if (!found[0] && !found[1]) {
        if (damaged) {
            return wrong_channel ? RINGWARD_STORE_E_STATE_WRONG_CHANNEL
                                 : RINGWARD_STORE_E_STATE_CORRUPT;
        }
        s.state = State{};
        s.state.channel = s.channel;
    } else {
        const size_t newest = !found[0]                                     ? 1
                              : !found[1]                                   ? 0
                              : found[1]->generation > found[0]->generation ? 1
                                                                            : 0;
        s.state = *found[newest];
        s.previous = found[1 - newest];
    }
    s.recovered = damaged;
    s.stale = false;
    return RINGWARD_STORE_OK;
}

ringward_store_status refresh(ringward_store& s) {
    return s.stale ? read_state(s) : RINGWARD_STORE_OK;
}

// Makes `next` the durable state.
ringward_store_status commit(ringward_store& s, State next) {
    next.channel = s.channel;
    next.generation = s.state.generation + 1;
    const StateRecord record = encode_state(next);
    const ringward_store_status status = write_durably(s, kStateSlots[next.generation % 2], record);
    if (status != RINGWARD_STORE_OK) {
        s.stale = true;
        return status;
    }
    s.previous = s.state;
    s.state = next;
    collect_garbage(s);
    return RINGWARD_STORE_OK;
}

// The size and hash of the file against the record, then the loader with the
// caller's configuration, this channel, and the sequence itself admitted.
ringward_store_status check_content(ringward_store& s, const Content& content,
                                    const ringward_loader_config& config,
                                    std::vector<uint8_t>& bytes, ringward_loaded* loaded,
                                    ringward_status* loader_status) {
    *loader_status = RINGWARD_OK;
    if (read_file(*s.fs, path_of(s, content_name(content.sequence)), content.size, bytes) != 0) {
        return errno == ENOENT ? RINGWARD_STORE_E_CONTENT_MISSING : io_failed(s);
    }
    std::array<uint8_t, kContentHashBytes> hash{};
    crypto_generichash(hash.data(), hash.size(), bytes.data(), bytes.size(), nullptr, 0);
    if (bytes.size() != content.size ||
        sodium_memcmp(hash.data(), content.hash.data(), hash.size()) != 0) {
        return RINGWARD_STORE_E_CONTENT_CORRUPT;
    }
    ringward_loader_config own = config;
    const ringward_channel_state before = {s.channel, content.sequence - 1};
    own.expected_channel = s.channel;
    own.channels = &before;
    own.channel_count = 1;
    *loader_status = ringward_load(&own, bytes.data(), bytes.size(), loaded);
    return *loader_status == RINGWARD_OK ? RINGWARD_STORE_OK : RINGWARD_STORE_E_ENVELOPE_REFUSED;
}

// Leaves the trial for the LKG, durably, and records why.
ringward_store_status fall_back(ringward_store& s, ringward_store_reason reason,
                                ringward_store_status status, ringward_status loader_status) {
    State next = s.state;
    next.last_fallback_reason = reason;
    next.last_fallback_sequence = s.state.trial.sequence;
    next.last_fallback_status = status;
    next.last_fallback_loader_status = loader_status;
    next.fallback_count += 1;
    next.rollback_count += reason == RINGWARD_STORE_REASON_ROLLBACK ? 1 : 0;
    next.has_trial = false;
    next.trial = Content{};
    next.tries_left = 0;
    next.attempts = 0;
    next.max_tries = 0;
    return commit(s, next);
}

ringward_store_status stage(ringward_store& s, const ringward_loader_config& config,
                            const uint8_t* envelope, size_t size, ringward_status* refusal) {
    *refusal = RINGWARD_OK;
    if (const ringward_store_status status = refresh(s); status != RINGWARD_STORE_OK) {
        return status;
    }
    ringward_loader_config own = config;
    const ringward_channel_state last = {s.channel, s.state.last_sequence};
    own.expected_channel = s.channel;
    own.channels = s.state.last_sequence != 0 ? &last : nullptr;
    own.channel_count = s.state.last_sequence != 0 ? 1 : 0;
    ringward_loaded loaded{};
    *refusal = ringward_load(&own, envelope, size, &loaded);
    // A deferral is staged like accepted content: select keeps it waiting
    // until its ring's time, and it replaces (halts) a trial not yet good.
    if (*refusal != RINGWARD_OK && *refusal != RINGWARD_E_NOT_YET_ADMITTED) {
        return RINGWARD_STORE_E_ENVELOPE_REFUSED;
    }
    Content content;
    content.sequence = loaded.sequence;
    content.size = size;
    crypto_generichash(content.hash.data(), content.hash.size(), envelope, size, nullptr, 0);
    if (const ringward_store_status status = write_durably(
            s, content_name(content.sequence), std::span<const uint8_t>(envelope, size));
        status != RINGWARD_STORE_OK) {
        return status;
    }
    State next = s.state;
    next.has_trial = true;
    next.trial = content;
    next.tries_left = s.max_tries;
    next.attempts = 0;
    next.max_tries = s.max_tries;
    next.last_sequence = content.sequence;
    return commit(s, next);
}

ringward_store_status select_lkg(ringward_store& s, const ringward_loader_config& config,
                                 ringward_store_selection* out);

ringward_store_status select(ringward_store& s, const ringward_loader_config& config,
                             ringward_store_selection* out) {
    if (const ringward_store_status status = refresh(s); status != RINGWARD_STORE_OK) {
        return status;
    }
    if (s.state.has_trial) {
        ringward_store_reason reason = RINGWARD_STORE_REASON_TRIES_EXHAUSTED;
        ringward_store_status why = RINGWARD_STORE_OK;
        ringward_status loader_status = RINGWARD_OK;
        if (s.state.tries_left > 0) {
            why = check_content(s, s.state.trial, config, s.selected, &out->loaded, &loader_status);
            if (why == RINGWARD_STORE_OK) {
                out->choice = RINGWARD_STORE_CHOICE_TRIAL;
                out->sequence = s.state.trial.sequence;
                out->tries_left = s.state.tries_left;
                out->envelope = s.selected.data();
                out->size = s.selected.size();
                return RINGWARD_STORE_OK;
            }
            const uint64_t admit_at = out->loaded.admit_at;
            out->loaded = ringward_loaded{};
            // An I/O error may pass; the trial keeps its tries.
            if (why == RINGWARD_STORE_E_IO_FAILED) {
                return why;
            }
            // Not yet this ring's time: the trial stays staged, untried, and
            // the LKG runs meanwhile.
            if (loader_status == RINGWARD_E_NOT_YET_ADMITTED) {
                out->deferred_sequence = s.state.trial.sequence;
                out->deferred_until = admit_at;
                return select_lkg(s, config, out);
            }
            reason = why == RINGWARD_STORE_E_CONTENT_MISSING ? RINGWARD_STORE_REASON_TRIAL_MISSING
                     : why == RINGWARD_STORE_E_CONTENT_CORRUPT
                         ? RINGWARD_STORE_REASON_TRIAL_CORRUPT
                         : RINGWARD_STORE_REASON_TRIAL_REFUSED;
        }
        if (const ringward_store_status status = fall_back(s, reason, why, loader_status);
            status != RINGWARD_STORE_OK) {
            return status;
        }
        out->fell_back = reason;
    }
    return select_lkg(s, config, out);
}

ringward_store_status select_lkg(ringward_store& s, const ringward_loader_config& config,
                                 ringward_store_selection* out) {
    if (!s.state.has_lkg) {
        return RINGWARD_STORE_OK;
    }
    const ringward_store_status status =
        check_content(s, s.state.lkg, config, s.selected, &out->loaded, &out->loader_status);
    if (status != RINGWARD_STORE_OK) {
        out->loaded = ringward_loaded{};
        return status;
    }
    out->choice = RINGWARD_STORE_CHOICE_LKG;
    out->sequence = s.state.lkg.sequence;
    out->envelope = s.selected.data();
    out->size = s.selected.size();
    return RINGWARD_STORE_OK;
}

ringward_store_status begin_attempt(ringward_store& s, uint64_t sequence) {
    if (const ringward_store_status status = refresh(s); status != RINGWARD_STORE_OK) {
        return status;
    }
    if (!s.state.has_trial) {
        return RINGWARD_STORE_E_NO_TRIAL;
    }
    if (s.state.trial.sequence != sequence) {
        return RINGWARD_STORE_E_NOT_TRIAL;
    }
    if (s.state.tries_left == 0) {
        return RINGWARD_STORE_E_TRIES_EXHAUSTED;
    }
    State next = s.state;
    next.tries_left -= 1;
    next.attempts += 1;
    return commit(s, next);
}

ringward_store_status mark_good(ringward_store& s, uint64_t sequence) {
    if (const ringward_store_status status = refresh(s); status != RINGWARD_STORE_OK) {
        return status;
    }
    if (s.state.has_lkg && s.state.lkg.sequence == sequence) {
        return RINGWARD_STORE_OK;  // already good: a repeated call after a crash
    }
    if (!s.state.has_trial) {
        return RINGWARD_STORE_E_NO_TRIAL;
    }
    if (s.state.trial.sequence != sequence) {
        return RINGWARD_STORE_E_NOT_TRIAL;
    }
    if (s.state.attempts == 0) {
        return RINGWARD_STORE_E_ATTEMPT_NOT_BEGUN;
    }
    State next = s.state;
    next.has_lkg = true;
    next.lkg = s.state.trial;
    next.has_trial = false;
    next.trial = Content{};
    next.tries_left = 0;
    next.attempts = 0;
    next.max_tries = 0;
    next.promotion_count += 1;
    return commit(s, next);
}

ringward_store_status rollback(ringward_store& s) {
    if (const ringward_store_status status = refresh(s); status != RINGWARD_STORE_OK) {
        return status;
    }
    if (!s.state.has_trial) {
        return RINGWARD_STORE_E_NO_TRIAL;
    }
    return fall_back(s, RINGWARD_STORE_REASON_ROLLBACK, RINGWARD_STORE_OK, RINGWARD_OK);
}

// No exception crosses the C ABI: the only ones possible are allocation
// failures, reported as an I/O error with ENOMEM.
template <class F>
ringward_store_status guarded(ringward_store* s, F&& body) {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        if (s != nullptr) {
            s->last_errno = ENOMEM;
            s->stale = true;
        }
        return RINGWARD_STORE_E_IO_FAILED;
    }
}

}  // namespace

ringward_store_status open_store(FileSystem& fs, const char* directory, uint32_t channel,
                                 const ringward_store_options* options, ringward_store** out) {
    require(directory != nullptr && out != nullptr, "ringward_store_open: NULL argument");
    require(channel != 0, "ringward_store_open: channel 0");
    require(options == nullptr || options->max_tries <= RINGWARD_STORE_MAX_TRIES_INCL,
            "ringward_store_open: max_tries above RINGWARD_STORE_MAX_TRIES_INCL");
    *out = nullptr;
    if (sodium_init() < 0) {
        errno = ENOSYS;
        return RINGWARD_STORE_E_IO_FAILED;
    }
    ringward_store* s = nullptr;
    const ringward_store_status status = guarded(nullptr, [&] {
        s = new ringward_store;
        s->fs = &fs;
        s->directory = directory;
        while (s->directory.size() > 1 && s->directory.ends_with('/')) {
            s->directory.pop_back();
        }
        s->channel = channel;
        if (options != nullptr && options->max_tries != 0) {
            s->max_tries = options->max_tries;
        }
        if (fs.mkdir(s->directory, 0755) == 0) {
            // A new directory: its own name must be durable too.
            const size_t slash = s->directory.rfind('/');
            const std::string parent = slash == std::string::npos ? "."
                                       : slash == 0               ? "/"
                                                                  : s->directory.substr(0, slash);
            if (fsync_directory(fs, parent) != 0) {
                return io_failed(*s);
            }
        } else if (errno != EEXIST) {
            return io_failed(*s);
        }
        s->lock_fd = fs.open(path_of(*s, kLockName), O_RDWR | O_CREAT, 0644);
        if (s->lock_fd < 0) {
            return io_failed(*s);
        }
        if (fs.lock(s->lock_fd) != 0) {
            return errno == EWOULDBLOCK ? RINGWARD_STORE_E_LOCKED : io_failed(*s);
        }
        return read_state(*s);
    });
    if (status != RINGWARD_STORE_OK) {
        ringward_store_close(s);
        return status;
    }
    *out = s;
    return RINGWARD_STORE_OK;
}

const State& current_state(const ringward_store* store) {
    return store->state;
}

ringward_store_status check_lkg(ringward_store* store, const ringward_loader_config& config,
                                ringward_status* loader_status) {
    *loader_status = RINGWARD_OK;
    if (!store->state.has_lkg) {
        return RINGWARD_STORE_E_CONTENT_MISSING;
    }
    std::vector<uint8_t> bytes;
    ringward_loaded loaded{};
    return check_content(*store, store->state.lkg, config, bytes, &loaded, loader_status);
}

}  // namespace ringward::store

using namespace ringward::store;

extern "C" {

const char* ringward_store_status_name(ringward_store_status status) {
    switch (status) {
        case RINGWARD_STORE_OK:
            return "ok";
#define RINGWARD_STORE_STATUS(number, ID, id, name, message) \
    case RINGWARD_STORE_E_##ID:                              \
        return name;
#include "ringward/store_status.def"
#undef RINGWARD_STORE_STATUS
    }
    return "?";
}

const char* ringward_store_status_message(ringward_store_status status) {
    switch (status) {
        case RINGWARD_STORE_OK:
            return "";
#define RINGWARD_STORE_STATUS(number, ID, id, name, message) \
    case RINGWARD_STORE_E_##ID:                              \
        return message;
#include "ringward/store_status.def"
#undef RINGWARD_STORE_STATUS
    }
    return "?";
}

const char* ringward_store_reason_name(ringward_store_reason reason) {
    switch (reason) {
        case RINGWARD_STORE_REASON_NONE:
            return "none";
        case RINGWARD_STORE_REASON_TRIES_EXHAUSTED:
            return "tries-exhausted";
        case RINGWARD_STORE_REASON_TRIAL_MISSING:
            return "trial-missing";
        case RINGWARD_STORE_REASON_TRIAL_CORRUPT:
            return "trial-corrupt";
        case RINGWARD_STORE_REASON_TRIAL_REFUSED:
            return "trial-refused";
        case RINGWARD_STORE_REASON_ROLLBACK:
            return "rollback";
    }
    return "?";
}

ringward_store_status ringward_store_open(const char* directory, uint32_t channel,
                                          const ringward_store_options* options,
                                          ringward_store** out) {
    return open_store(posix_file_system(), directory, channel, options, out);
}

void ringward_store_close(ringward_store* store) {
    if (store == nullptr) {
        return;
    }
    if (store->lock_fd >= 0) {
        store->fs->close(store->lock_fd);  // releases the flock
    }
    delete store;
}

int ringward_store_errno(const ringward_store* store) {
    require(store != nullptr, "ringward_store_errno: NULL store");
    return store->last_errno;
}

void ringward_store_get_info(const ringward_store* store, ringward_store_info* out) {
    require(store != nullptr && out != nullptr, "ringward_store_get_info: NULL argument");
    const State& s = store->state;
    *out = ringward_store_info{};
    out->channel = store->channel;
    out->generation = s.generation;
    out->last_sequence = s.last_sequence;
    out->has_lkg = s.has_lkg;
    out->lkg_sequence = s.lkg.sequence;
    out->has_trial = s.has_trial;
    out->trial_sequence = s.trial.sequence;
    out->trial_tries_left = s.tries_left;
    out->trial_attempts = s.attempts;
    out->max_tries = s.max_tries;
    out->last_fallback_reason = static_cast<ringward_store_reason>(s.last_fallback_reason);
    out->last_fallback_sequence = s.last_fallback_sequence;
    out->last_fallback_status = static_cast<ringward_store_status>(s.last_fallback_status);
    out->last_fallback_loader_status = static_cast<ringward_status>(s.last_fallback_loader_status);
    out->fallback_count = s.fallback_count;
    out->rollback_count = s.rollback_count;
    out->promotion_count = s.promotion_count;
    out->recovered = store->recovered;
}

ringward_store_status ringward_store_stage(ringward_store* store,
                                           const ringward_loader_config* config,
                                           const uint8_t* envelope, size_t size,
                                           ringward_status* refusal) {
    require(store != nullptr && config != nullptr && refusal != nullptr,
            "ringward_store_stage: NULL argument");
    require(envelope != nullptr || size == 0, "ringward_store_stage: NULL envelope");
    *refusal = RINGWARD_OK;
    return guarded(store, [&] { return stage(*store, *config, envelope, size, refusal); });
}

ringward_store_status ringward_store_select(ringward_store* store,
                                            const ringward_loader_config* config,
                                            ringward_store_selection* out) {
    require(store != nullptr && config != nullptr && out != nullptr,
            "ringward_store_select: NULL argument");
    *out = ringward_store_selection{};
    const ringward_store_status status =
        guarded(store, [&] { return select(*store, *config, out); });
    if (status != RINGWARD_STORE_OK) {
        const ringward_store_reason fell_back = out->fell_back;
        const ringward_status loader_status = out->loader_status;
        const uint64_t deferred_sequence = out->deferred_sequence;
        const uint64_t deferred_until = out->deferred_until;
        *out = ringward_store_selection{};
        out->fell_back = fell_back;
        out->loader_status = loader_status;
        out->deferred_sequence = deferred_sequence;
        out->deferred_until = deferred_until;
    }
    return status;
}

ringward_store_status ringward_store_begin_attempt(ringward_store* store, uint64_t sequence) {
    require(store != nullptr, "ringward_store_begin_attempt: NULL store");
    return guarded(store, [&] { return begin_attempt(*store, sequence); });
}

ringward_store_status ringward_store_mark_good(ringward_store* store, uint64_t sequence) {
    require(store != nullptr, "ringward_store_mark_good: NULL store");
    return guarded(store, [&] { return mark_good(*store, sequence); });
}

ringward_store_status ringward_store_rollback(ringward_store* store) {
    require(store != nullptr, "ringward_store_rollback: NULL store");
    return guarded(store, [&] { return rollback(*store); });
}

}  // extern "C"
