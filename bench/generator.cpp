#include "generator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_set>

#include "ringward/compile.hpp"

namespace ringward::bench {
namespace {

using format::Kind;
using format::Op;

// splitmix64: the same sequence on every platform and standard library,
// unlike std::uniform_int_distribution.
class Random {
  public:
    explicit Random(uint64_t seed) : state_(seed) {}
    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform enough in [0, n) for n far below 2^64.
    uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
    bool chance(unsigned percent) { return below(100) < percent; }
    template <class T>
    const T& pick(const std::vector<T>& items) {
        return items[below(items.size())];
    }

  private:
    uint64_t state_;
};

const std::vector<std::string> kDirs = {"Windows",     "System32",  "Program Files", "Users",
                                        "AppData",     "Local",     "Roaming",       "Temp",
                                        "ProgramData", "Microsoft", "Downloads",     "Public"};
const std::vector<std::string> kNames = {
    "svchost",   "powershell", "cmd",     "rundll32", "regsvr32", "mshta",    "certutil",
    "wmic",      "chrome",     "outlook", "teams",    "explorer", "msiexec",  "schtasks",
    "bitsadmin", "vssadmin",   "net",     "whoami",   "nltest",   "procdump", "conhost"};
const std::vector<std::string> kExtensions = {".exe", ".dll", ".ps1", ".bat", ".vbs", ".lnk"};
const std::vector<std::string> kTlds = {"com", "net", "org", "info", "io", "example"};

std::string word(Random& r, size_t max) {
    std::string w = r.pick(kNames);
    return w.size() <= max ? w : w.substr(0, max);
}

std::string path(Random& r) {
    std::string out = "C:";
    const uint64_t depth = 1 + r.below(4);
    for (uint64_t i = 0; i < depth; ++i) {
        out += "\\" + r.pick(kDirs);
    }
    return out + "\\" + r.pick(kNames) + r.pick(kExtensions);
}

std::string command_line(Random& r) {
    std::string out = path(r);
    const uint64_t args = r.below(6);
    for (uint64_t i = 0; i < args; ++i) {
        out += r.chance(50) ? " -" + r.pick(kNames) : " " + path(r);
    }
    return out;
}

std::string domain(Random& r) {
    std::string out;
    const uint64_t labels = 1 + r.below(3);
    for (uint64_t i = 0; i < labels; ++i) {
        out += r.pick(kNames) + std::to_string(r.below(100)) + ".";
    }
    return out + r.pick(kTlds);
}

// A realistic string for a field, at most `max` bytes.
std::string text_for(Random& r, const FieldSpec& field, size_t max) {
    std::string out;
    if (field.name.find("command") != std::string::npos) {
        out = command_line(r);
    } else if (field.name.find("query") != std::string::npos ||
               field.name.find("computer") != std::string::npos) {
        out = domain(r);
    } else if (field.name.find("extension") != std::string::npos) {
        out = r.pick(kExtensions).substr(1);
    } else if (field.name.find("user") != std::string::npos) {
        out = "CORP\\" + word(r, 20) + std::to_string(r.below(1000));
    } else if (field.name.find("pipe") != std::string::npos) {
        out = "\\\\.\\pipe\\" + word(r, 20) + "_" + std::to_string(r.below(10000));
    } else {
        out = path(r);
    }
    if (out.size() > max) {
        out.resize(max);
    }
    return out;
}

// A glob over a path: backslashes in the path are literal, so each is
// written twice (a single one would escape the next character).
std::string glob_for(Random& r, size_t max) {
    std::string out = "*\\\\" + r.pick(kNames) + "*" + r.pick(kExtensions);
    if (r.chance(30)) {
        out = "C:\\\\" + r.pick(kDirs) + "\\\\*\\\\" + r.pick(kNames) + "?" + r.pick(kExtensions);
    }
    return out.size() <= max ? out : "*";
}

uint64_t uint_in(Random& r, const FieldSpec& field) {
    const uint64_t lo = field.uint_min_incl.value_or(0);
    const uint64_t hi = field.uint_max_incl.value_or(1'000'000'000);
    return lo + r.below(hi - lo + 1);
}

int64_t int_in(Random& r, const FieldSpec& field) {
    const int64_t lo = field.int_min_incl.value_or(-1'000'000);
    const int64_t hi = field.int_max_incl.value_or(1'000'000);
    return lo + static_cast<int64_t>(r.below(static_cast<uint64_t>(hi - lo) + 1));
}

std::string ip_for(Random& r, bool network) {
    if (r.chance(70)) {
        uint32_t address = static_cast<uint32_t>(r.next());
        unsigned prefix = 32;
        if (network) {
            prefix = 8 + static_cast<unsigned>(r.below(23));
            address &= ~uint32_t{0} << (32 - prefix);
        }
        std::string out = fmt::format("{}.{}.{}.{}", address >> 24, (address >> 16) & 255,
                                      (address >> 8) & 255, address & 255);
        return network ? fmt::format("{}/{}", out, prefix) : out;
    }
    const uint64_t low = r.next();
    if (network) {
        return fmt::format("2001:db8:{:x}::/48", low & 0xffff);
    }
    return fmt::format("2001:db8:{:x}::{:x}", low & 0xffff, (low >> 16) & 0xffff);
}

// Distinct members for an in-set, from a member maker.
template <class Make>
std::vector<std::string> distinct(uint64_t count, Make make) {
    std::set<std::string> seen;
    std::vector<std::string> out;
    for (uint64_t tries = 0; out.size() < count && tries < count * 4; ++tries) {
        std::string member = make();
        if (seen.insert(member).second) {
            out.push_back(std::move(member));
        }
    }
    return out;
}

class Generator {
  public:
    Generator(const Registry& registry, const GeneratorOptions& options)
        : registry_(registry),
          options_(options),
          random_(options.seed),
          regexes_(regex_patterns(options.distinct_regexes)) {}

    v1::ContentFile run();

  private:
    void criterion(const FieldSpec& field, bool real, v1::Criterion* out);

    const Registry& registry_;
    const GeneratorOptions& options_;
    Random random_;
    std::vector<std::string> regexes_;
    uint64_t blob_bytes_ = format::kHeaderSize;
};

void Generator::criterion(const FieldSpec& field, bool real, v1::Criterion* c) {
    Random& r = random_;
    c->set_field(field.name);
    blob_bytes_ += format::kCriterionRecordSize + ((field.name.size() + 7) & ~size_t{7});
    if (!real || field.operators.empty()) {
        c->set_wildcard(true);
        return;
    }
    const Op op = r.pick(field.operators);
    c->set_op(static_cast<v1::Operator>(op));
    if (op == Op::exists || op == Op::empty) {
        return;  // they take no value
    }
    if (field.case_insensitive_allowed && format::op_is_string_match(op) && r.chance(50)) {
        c->set_case_insensitive(true);
    }
    const size_t max = std::min<size_t>(field.max_length_incl.value_or(4096), 256);
    const uint64_t set_size = 2 + r.below(op == Op::in ? 30 : 1);
    std::vector<std::string> texts;
    // Set members sorted as the blob stores them, so that equal sets
    // generate equal instances and the generator's own dedupe sees them.
    const auto add_texts = [&](auto make) {
        texts = op == Op::in ? distinct(set_size, make) : std::vector<std::string>{make()};
        std::sort(texts.begin(), texts.end());
    };
    switch (field.type) {
        case Kind::int64:
        case Kind::uint64: {
            std::vector<uint64_t> values;
            if (op == Op::range) {
                uint64_t a = field.type == Kind::int64 ? static_cast<uint64_t>(int_in(r, field))
                                                       : uint_in(r, field);
                uint64_t b = field.type == Kind::int64 ? static_cast<uint64_t>(int_in(r, field))
                                                       : uint_in(r, field);
                const bool swap = field.type == Kind::int64
                                      ? static_cast<int64_t>(a) > static_cast<int64_t>(b)
                                      : a > b;
                if (swap) {
                    std::swap(a, b);
                }
                values = {a, b};
            } else {
                std::set<uint64_t> seen;
                const uint64_t count = op == Op::in ? set_size : 1;
                for (uint64_t tries = 0; values.size() < count && tries < count * 8; ++tries) {
                    const uint64_t v = field.type == Kind::int64
                                           ? static_cast<uint64_t>(int_in(r, field))
                                           : uint_in(r, field);
                    if (seen.insert(v).second) {
                        values.push_back(v);
                    }
                }
            }
            if (op == Op::in) {
                std::sort(values.begin(), values.end());
            }
            for (const uint64_t v : values) {
                if (field.type == Kind::int64) {
                    c->add_values()->set_int_(static_cast<int64_t>(v));
                } else {
                    c->add_values()->set_uint(v);
                }
            }
            blob_bytes_ += op == Op::in ? 8 * values.size() : 0;
            return;
        }
        case Kind::boolean:
            c->add_values()->set_bool_(r.chance(50));
            return;
        case Kind::enumeration:
            add_texts([&] { return r.pick(field.enum_members); });
            for (const std::string& t : texts) {
                c->add_values()->set_enum_(t);
            }
            break;
        case Kind::ip:
            add_texts([&] { return ip_for(r, op != Op::eq && op != Op::ne); });
            for (const std::string& t : texts) {
                c->add_values()->set_ip(t);
            }
            blob_bytes_ += op == Op::in ? 20 * texts.size() : 0;
            return;
        case Kind::bytes:
            add_texts([&] {
                std::string b(1 + r.below(std::min<size_t>(max, 32)), '\0');
                for (char& ch : b) {
                    ch = static_cast<char>(r.next());
                }
                return b;
            });
            for (const std::string& t : texts) {
                c->add_values()->set_bytes(t);
            }
            break;
        default:
            if (op == Op::regex) {
                std::string pattern = r.pick(regexes_);
                texts = {pattern.size() <= max ? pattern : std::string("[a-z]+")};
            } else if (op == Op::glob) {
                texts = {glob_for(r, max)};
            } else {
                add_texts([&] { return text_for(r, field, max); });
            }
            for (const std::string& t : texts) {
                c->add_values()->set_string(t);
            }
    }
    for (const std::string& t : texts) {
        blob_bytes_ +=
            op == Op::in ? 4 + ((t.size() + 3) & ~size_t{3}) : ((t.size() + 7) & ~size_t{7});
    }
}

v1::ContentFile Generator::run() {
    v1::ContentFile content;
    content.set_channel(292);
    content.set_content_version(options_.seed);
    content.mutable_sensor_range()->set_min(options_.sensor_min);
    content.mutable_sensor_range()->set_max(options_.sensor_max);
    // Real content has no two instances alike (validate warns, RW0421).
    std::unordered_set<std::string> seen;
    const auto& types = registry_.template_types;
    for (uint64_t i = 0;; ++i) {
        if (options_.instances > 0 ? i >= options_.instances : blob_bytes_ >= options_.blob_bytes) {
            break;
        }
        const TemplateType& type = types[random_.below(types.size())];
        v1::TemplateInstance instance;
        const uint64_t bytes_before = blob_bytes_;
        for (;;) {
            instance.Clear();
            blob_bytes_ = bytes_before;
            instance.mutable_template_type()->set_id(type.id);
            instance.mutable_template_type()->set_version(type.version);
            // One to many real criteria; the rest wildcards, as in real content.
            const uint64_t real = 1 + random_.below(std::min<uint64_t>(type.fields.size(), 6));
            std::vector<bool> chosen(type.fields.size(), false);
            for (uint64_t k = 0; k < real; ++k) {
                chosen[random_.below(type.fields.size())] = true;
            }
            for (size_t f = 0; f < type.fields.size(); ++f) {
                const FieldSpec& field = type.fields[f];
                criterion(field, chosen[f] || !field.wildcard_allowed, instance.add_criteria());
            }
            if (seen.insert(instance.SerializeAsString()).second) {
                break;
            }
        }
        instance.set_id(static_cast<uint32_t>(i + 1));
        blob_bytes_ += format::kInstanceRecordSize;
        *content.add_instances() = std::move(instance);
    }
    return content;
}

}  // namespace

std::vector<std::string> regex_patterns(uint32_t count) {
    // Realistic detection patterns, each kept well under the validator's
    // program-size limit; variants differ in a repetition count so every
    // pattern is distinct.
    const std::vector<std::string> bases = {
        R"(\\(temp|tmp)\\[a-z0-9]{N}\.exe$)",
        R"(^[a-z0-9]{N,}\.(com|net|org)$)",
        R"(-e(nc|ncodedcommand)?\s+[A-Za-z0-9+/=]{N,})",
        R"(\\pipe\\(msagent|postex)_[0-9a-f]{N})",
        R"(https?://[^/]{N,}/[a-z]+\.(ps1|hta))",
        R"(comsvcs(\.dll)?[, ]+#?(minidump|24)\s+\d{1,N})",
        R"(\\users\\[^\\]+\\appdata\\roaming\\[a-z]{N}\\)",
        R"((vssadmin|wmic)\s.*(delete|resize)\s.{0,N}shadow)",
    };
    std::vector<std::string> out;
    for (uint32_t i = 0; i < count; ++i) {
        std::string pattern = bases[i % bases.size()];
        const size_t at = pattern.find('N');
        pattern.replace(at, 1, std::to_string(4 + i / bases.size()));
        out.push_back(std::move(pattern));
    }
    return out;
}

std::vector<EventInput> generate_event(const TemplateType& type, uint64_t seed) {
    Random r(seed);
    std::vector<EventInput> inputs;
    for (const FieldSpec& field : type.fields) {
        EventInput in;
        in.present = !r.chance(10);
        switch (field.type) {
            case Kind::int64:
                in.number = static_cast<uint64_t>(int_in(r, field));
                break;
            case Kind::uint64:
                in.number = uint_in(r, field);
                break;
            case Kind::boolean:
                in.number = r.chance(50) ? 1 : 0;
                break;
            case Kind::enumeration:
                in.bytes = field.enum_members.empty() ? "" : r.pick(field.enum_members);
                break;
            case Kind::bytes:
                in.bytes.assign(1 + r.below(32), '\0');
                for (char& ch : in.bytes) {
                    ch = static_cast<char>(r.next());
                }
                break;
            case Kind::ip: {
                const uint64_t bits = r.next();
                if (r.chance(70)) {
                    in.address[10] = 0xff;
                    in.address[11] = 0xff;
                    for (size_t i = 0; i < 4; ++i) {
                        in.address[12 + i] = static_cast<uint8_t>(bits >> (8 * i));
                    }
                } else {
                    const uint8_t prefix[] = {0x20, 0x01, 0x0d, 0xb8};
                    std::copy(std::begin(prefix), std::end(prefix), in.address.begin());
                    for (size_t i = 0; i < 4; ++i) {
                        in.address[4 + i] = static_cast<uint8_t>(bits >> (8 * i));
                    }
                }
                break;
            }
            default:
                in.bytes = text_for(r, field, field.max_length_incl.value_or(4096));
        }
        inputs.push_back(std::move(in));
    }
    return inputs;
}

std::vector<std::string> generate_sigma_rules(uint64_t seed, uint32_t count) {
    static const std::vector<std::string> kFlags = {
        "-enc",      "-nop",       "-w hidden", "/c",           "-urlcache",      "-decode",
        "/create",   "shadowcopy", "delete",    "-exec bypass", "downloadstring", "iex",
        "/transfer", "comsvcs",    "minidump",  "/s /q",        "reg add",        "-ma"};
    Random random(seed);
    std::vector<std::string> rules;
    for (uint32_t r = 0; r < count; ++r) {
        std::string y = fmt::format(
            "title: Generated rule {}\nid: 00000000-0000-4000-8000-{:012d}\nstatus: test\n"
            "logsource:\n    product: windows\n    category: process_creation\ndetection:\n",
            r, r);
        const auto names = [&](size_t n, const char* before, const char* after) {
            std::string out;
            for (size_t i = 0; i < n; ++i) {
                out += fmt::format("            - '{}{}{}'\n", before, random.pick(kNames), after);
            }
            return out;
        };
        y += "    selection_img:\n";
        if (random.chance(70)) {
            y += "        - Image|endswith:\n" + names(1 + random.below(3), "\\", ".exe");
        }
        y += "        - OriginalFileName:\n" + names(1 + random.below(2), "", ".exe");
        y += "    selection_cli:\n";
        const uint64_t shape = random.below(10);
        if (shape < 5) {
            y += "        CommandLine|contains:\n";
        } else if (shape < 7) {
            y += "        CommandLine|contains|all:\n";
        } else if (shape < 9) {
            y += "        CommandLine|windash|contains:\n";
        } else {
            y += fmt::format("        CommandLine|re: '\\\\{}\\\\[^\\\\]{{1,{}}}\\.{}$'\n",
                             random.pick(kDirs), 16 << random.below(4), random.pick(kNames));
        }
        if (shape < 9) {
            const size_t n = 1 + random.below(shape < 7 ? 6 : 3);
            for (size_t i = 0; i < n; ++i) {
                y += fmt::format("            - ' {} '\n", random.pick(kFlags));
            }
        }
        const uint64_t filters = random.below(3);
        for (uint64_t f = 0; f < filters; ++f) {
            y += fmt::format("    filter_{}:\n", f);
            if (random.chance(50)) {
                y += fmt::format("        ParentImage|startswith: 'C:\\{}\\{}\\'\n",
                                 random.pick(kDirs), random.pick(kDirs));
            } else {
                y += fmt::format("        CommandLine|contains: '\\{}\\{}'\n", random.pick(kDirs),
                                 random.pick(kNames));
            }
        }
        y += filters > 0 ? "    condition: all of selection_* and not 1 of filter_*\n"
                         : "    condition: all of selection_*\n";
        rules.push_back(std::move(y));
    }
    return rules;
}

v1::ContentFile generate(const Registry& registry, const GeneratorOptions& options) {
    return Generator(registry, options).run();
}

}  // namespace ringward::bench
