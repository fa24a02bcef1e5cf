// Validation: whether content may ship. Always runs on the blob, through the
// one reader, against a registry and every sensor build the content targets
// (DESIGN.md, "The failure this exists to prevent").
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ringward/compile.hpp"
#include "ringward/diagnostic.hpp"
#include "ringward/format.hpp"
#include "ringward/schema.hpp"

namespace ringward {

// The validator's limits, all inclusive, on top of the blob reader's.
struct ValidationLimits {
    // Applied when the blob is read (docs/format.md, "Limits").
    format::Limits blob;
    // Interpreters keep a template type's inputs in a fixed array.
    uint32_t max_fields_per_template_type_incl = 256;
    // A registry is a table a sensor build carries in memory.
    uint32_t max_template_types_incl = 4096;
    // Members of an in-set that content may use: what a sensor matches at
    // run time. Lower than what the blob format can hold
    // (blob.max_blob_set_size_incl).
    uint32_t max_content_set_size_incl = 4096;
    // Length of a string or bytes value when its field sets no
    // max_length_incl.
    uint32_t default_max_length_incl = 4096;
    // Regex patterns' text. The program that ships is bounded by the regex
    // compiler's limits (RegexLimits, regex.hpp) and the verifier.
    uint32_t max_regex_length_incl = 1024;
};

struct ValidateOptions {
    ValidationLimits limits;
    // Also take the blob's BLAKE2b-512, the hash an envelope signs, on a
    // second core while it is validated (from 256 KiB of blob; below that
    // a thread costs more than the hash): ValidatedBlob::digest(). What
    // signing waits for is then the longer of the two, not their sum.
    bool take_digest = false;
};

// A registry and the sensor manifests, checked (RW05xx, RW06xx, RW07xx) and
// indexed for lookups. Content is validated against one of these. Move-only.
class ValidationTarget {
  public:
    struct Impl;

    // Checks the registry on its own and the manifests against it; the
    // diagnostics hold every finding. The value is set when the registry has
    // no errors: content cannot be judged against a broken registry. Manifest
    // errors do not prevent the value (content that uses a broken entry gets
    // its own findings, such as RW0304), but they are errors all the same: a
    // caller that signs must refuse when any diagnostic is an error.
    [[nodiscard]] static Result<ValidationTarget> create(Registry registry,
                                                         std::vector<SensorManifest> manifests,
                                                         const ValidateOptions& options = {});

    ValidationTarget(ValidationTarget&&) noexcept;
    ValidationTarget& operator=(ValidationTarget&&) noexcept;
    ~ValidationTarget();

    const Registry& registry() const noexcept;
    std::span<const SensorManifest> manifests() const noexcept;
    const Impl& impl() const noexcept { return *impl_; }

  private:
    explicit ValidationTarget(std::unique_ptr<Impl> impl) noexcept;
    std::unique_ptr<Impl> impl_;
};

// A blob that passed validation: the only thing sign() accepts, so no path
// signs bytes that were not validated (STYLE.md 5). Owns its bytes; the view
// reads them. Move-only, because the view points into the bytes.
class ValidatedBlob {
  public:
    ValidatedBlob(ValidatedBlob&&) noexcept = default;
    ValidatedBlob& operator=(ValidatedBlob&&) noexcept = default;
    ValidatedBlob(const ValidatedBlob&) = delete;
    ValidatedBlob& operator=(const ValidatedBlob&) = delete;

    const std::vector<uint8_t>& bytes() const noexcept { return *bytes_; }
    const format::BlobView& view() const noexcept { return view_; }
    // The reader's limits the blob was validated under: what an agent must
    // load it under too (sign_envelope refuses a mismatch).
    const format::Limits& limits() const noexcept { return limits_; }
    // The BLAKE2b-512 of bytes(), when ValidateOptions::take_digest took it
    // (64 bytes); null otherwise. Taken by the validator from the bytes it
    // owns and validated, which nothing can change.
    static constexpr size_t kDigestBytes = 64;
    const uint8_t* digest() const noexcept { return has_digest_ ? digest_.data() : nullptr; }

  private:
    friend struct ValidatorAccess;
    ValidatedBlob(std::unique_ptr<std::vector<uint8_t>> bytes, format::BlobView view,
                  const format::Limits& limits) noexcept
        : bytes_(std::move(bytes)), view_(view), limits_(limits) {}

    // Behind a pointer so that moving the object does not move the bytes the
    // view points into.
    std::unique_ptr<std::vector<uint8_t>> bytes_;
    format::BlobView view_;
    format::Limits limits_;
    std::array<uint8_t, kDigestBytes> digest_{};
    bool has_digest_ = false;
};

// Validates a blob exactly as it would ship. `file` names it in diagnostics,
// whose locations are blob byte offsets (plus instance id, field and sensor
// version where they apply). The value is set only when there are no errors
// (warnings are returned beside it).
[[nodiscard]] Result<ValidatedBlob> validate_blob(std::vector<uint8_t> bytes, std::string file,
                                                  const ValidationTarget& target,
                                                  const ValidateOptions& options = {});

// Compiles content and validates the resulting blob, mapping every finding
// back to its source location (line and column for text, field path for JSON
// and binary) while keeping the blob offset.
[[nodiscard]] Result<ValidatedBlob> validate_content(const ContentSource& content,
                                                     const ValidationTarget& target,
                                                     const ValidateOptions& options = {});

}  // namespace ringward
