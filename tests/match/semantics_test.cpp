// docs/semantics.md, operator by operator: every operator and modifier on a
// present and an absent input, negated and not, each with its expected
// verdict written here and the reference evaluation agreeing.
#include <catch2/catch.hpp>

#include "match/match_fixture.hpp"

using namespace ringward;
using namespace ringward::test;

namespace {

using Add = std::function<void(BlobWriter&, const CriterionPlace&)>;

struct OperatorCase {
    const char* name;
    uint16_t field;
    Add add;
    // The event's value for the field (the other inputs keep event()'s).
    std::function<void(Input&)> value;
    // The operator's base result on that present value.
    bool base;
};

void no_change(Input&) {}

Add scalar(Op op, Kind kind, uint64_t value) {
    return [=](BlobWriter& w, const CriterionPlace& at) { w.add_scalar(at, op, kind, value); };
}
Add bytes(Op op, Kind kind, std::string value, bool ci = false) {
    return [=](BlobWriter& w, const CriterionPlace& at) { w.add_bytes(at, op, kind, value, ci); };
}
Add any_of(Op op, Kind kind, std::vector<std::string> values, bool ci = false) {
    return [=](BlobWriter& w, const CriterionPlace& at) {
        std::vector<std::string_view> views(values.begin(), values.end());
        REQUIRE_FALSE(w.add_any_of(at, op, kind, views, ci).has_value());
    };
}
Add byte_set(Kind kind, std::vector<std::string> values, bool ci = false) {
    return [=](BlobWriter& w, const CriterionPlace& at) {
        std::vector<std::string_view> views(values.begin(), values.end());
        REQUIRE_FALSE(w.add_byte_set(at, kind, views, ci).has_value());
    };
}
// regex on a string field, any of the patterns, compiled into the blob.
Add regex(std::vector<std::string> patterns, bool ci = false) {
    return [=](BlobWriter& w, const CriterionPlace& at) {
        std::vector<std::string_view> views(patterns.begin(), patterns.end());
        REQUIRE_FALSE(w.add_regex(at, views, ci).has_value());
    };
}
Add scalar_set(Kind kind, std::vector<uint64_t> values) {
    return [=](BlobWriter& w, const CriterionPlace& at) {
        REQUIRE_FALSE(w.add_scalar_set(at, kind, values).has_value());
    };
}
Add ip_set(std::vector<IpValue> values) {
    return [=](BlobWriter& w, const CriterionPlace& at) {
        REQUIRE_FALSE(w.add_ip_set(at, values).has_value());
    };
}
Add ip(Op op, IpValue value) {
    return [=](BlobWriter& w, const CriterionPlace& at) { w.add_ip(at, op, value); };
}
Add valueless(Op op, Kind kind) {
    return [=](BlobWriter& w, const CriterionPlace& at) { w.add_valueless(at, op, kind); };
}
Add field_ref(Op op, Kind kind, uint16_t ref, bool ci = false) {
    return [=](BlobWriter& w, const CriterionPlace& at) {
        w.add_field_ref(at, op, kind, field_name(ref), ref, ci);
    };
}
std::function<void(Input&)> text(std::string value) {
    return [=](Input& in) { in.bytes = value; };
}
std::function<void(Input&)> number(uint64_t value) {
    return [=](Input& in) { in.number = value; };
}
std::function<void(Input&)> address(std::array<uint8_t, 16> value) {
    return [=](Input& in) { in.address = value; };
}
uint64_t bits(int64_t v) {
    return static_cast<uint64_t>(v);
}

const std::vector<OperatorCase>& operator_cases() {
    static const std::vector<OperatorCase> cases = {
        // exists and empty
        {"exists int", kInt, valueless(Op::exists, Kind::int64), no_change, true},
        {"exists ip", kIp, valueless(Op::exists, Kind::ip), no_change, true},
        {"exists on an empty string", kString, valueless(Op::exists, Kind::string), text(""), true},
        {"empty on an empty string", kString, valueless(Op::empty, Kind::string), text(""), true},
        {"empty on a string", kString, valueless(Op::empty, Kind::string), no_change, false},
        {"empty on empty bytes", kBytes, valueless(Op::empty, Kind::bytes), text(""), true},
        // signed and unsigned comparisons
        {"eq int", kInt, scalar(Op::eq, Kind::int64, bits(-5)), no_change, true},
        {"eq int other", kInt, scalar(Op::eq, Kind::int64, 5), no_change, false},
        {"lt int is signed", kInt, scalar(Op::lt, Kind::int64, 0), no_change, true},
        {"le int at the bound", kInt, scalar(Op::le, Kind::int64, bits(-5)), no_change, true},
        {"gt int is signed", kInt, scalar(Op::gt, Kind::int64, bits(-6)), no_change, true},
        {"ge int below", kInt, scalar(Op::ge, Kind::int64, bits(-4)), no_change, false},
        {"lt uint is unsigned", kUint, scalar(Op::lt, Kind::uint64, bits(-1)), no_change, true},
        {"gt uint is unsigned", kUint, scalar(Op::gt, Kind::uint64, 999), no_change, true},
        {"le uint above", kUint, scalar(Op::le, Kind::uint64, 999), no_change, false},
        {"ge uint at the bound", kUint, scalar(Op::ge, Kind::uint64, 1000), no_change, true},
        {"range int", kInt,
         [](BlobWriter& w, const CriterionPlace& at) {
             w.add_range(at, Kind::int64, bits(-10), bits(-5));
         },
         no_change, true},
        {"range int outside", kInt,
         [](BlobWriter& w, const CriterionPlace& at) { w.add_range(at, Kind::int64, bits(-4), 4); },
         no_change, false},
        {"range uint top", kUint,
         [](BlobWriter& w, const CriterionPlace& at) {
             w.add_range(at, Kind::uint64, 1u << 31, ~uint64_t{0});
         },
         number(~uint64_t{0}), true},
        {"eq bool", kBool, scalar(Op::eq, Kind::boolean, 1), no_change, true},
        {"eq bool false", kBool, scalar(Op::eq, Kind::boolean, 0), no_change, false},
        // set membership
        {"in int", kInt, scalar_set(Kind::int64, {bits(-9), bits(-5), 3, 7}), no_change, true},
        {"in int absent member", kInt, scalar_set(Kind::int64, {bits(-9), 3, 7}), no_change, false},
        {"in uint", kUint, scalar_set(Kind::uint64, {1, 1000, bits(-1)}), no_change, true},
        {"in string", kString, byte_set(Kind::string, {"a", "C:\\Windows\\System32\\cmd.exe", "z"}),
         no_change, true},
        {"in string, case differs", kString,
         byte_set(Kind::string, {"c:\\windows\\system32\\cmd.exe"}), no_change, false},
        {"in string, case-insensitive", kString,
         byte_set(Kind::string, {"c:\\windows\\system32\\CMD.EXE", "zz"}, true), no_change, true},
        {"in bytes", kBytes, byte_set(Kind::bytes, {std::string("\x00\xff\x10", 3), "x"}),
         no_change, true},
        {"in enum", kEnum, byte_set(Kind::enumeration, {"READ", "WRITE"}), no_change, true},
        {"in enum other", kEnum, byte_set(Kind::enumeration, {"EXECUTE", "WRITE"}), no_change,
         false},
        {"in ip, a network holds it", kIp,
         ip_set({net(v4(10, 0, 0, 0), 104), net(v4(192, 0, 2, 7), 128)}), no_change, true},
        {"in ip, nested networks", kIp,
         ip_set({net(v4(10, 0, 0, 0), 104), net(v4(10, 1, 0, 0), 112), net(v4(10, 1, 2, 0), 120)}),
         address(v4(10, 2, 0, 1)), true},
        {"in ip, none", kIp, ip_set({net(v4(11, 0, 0, 0), 104), net(doc6(0), 32)}), no_change,
         false},
        // ip
        {"eq ip", kIp, ip(Op::eq, net(v4(10, 1, 2, 3), 128)), no_change, true},
        {"eq ip other", kIp, ip(Op::eq, net(v4(10, 1, 2, 4), 128)), no_change, false},
        {"cidr v4 as v4-mapped", kIp, ip(Op::cidr_contains, net(v4(10, 0, 0, 0), 104)), no_change,
         true},
        {"cidr v4 outside", kIp, ip(Op::cidr_contains, net(v4(10, 0, 0, 0), 112)), no_change,
         false},
        {"cidr v6", kIp, ip(Op::cidr_contains, net(doc6(0), 32)), address(doc6(9)), true},
        {"cidr odd prefix", kIp, ip(Op::cidr_contains, net(v4(10, 0, 0, 0), 103)),
         address(v4(11, 0, 0, 0)), true},
        {"cidr /0 holds every address", kIp, ip(Op::cidr_contains, net({}, 0)), address(doc6(1)),
         true},
        // string operators
        {"eq string", kString, bytes(Op::eq, Kind::string, "C:\\Windows\\System32\\cmd.exe"),
         no_change, true},
        {"eq string, case differs", kString,
         bytes(Op::eq, Kind::string, "c:\\windows\\system32\\cmd.exe"), no_change, false},
        {"eq string, case-insensitive", kString,
         bytes(Op::eq, Kind::string, "c:\\windows\\system32\\CMD.exe", true), no_change, true},
        {"eq bytes", kBytes, bytes(Op::eq, Kind::bytes, std::string("\x00\xff\x10", 3)), no_change,
         true},
        {"eq enum", kEnum, bytes(Op::eq, Kind::enumeration, "READ"), no_change, true},
        {"eq empty string", kString, bytes(Op::eq, Kind::string, ""), text(""), true},
        {"prefix", kString, bytes(Op::prefix, Kind::string, "C:\\Win"), no_change, true},
        {"prefix ci", kString, bytes(Op::prefix, Kind::string, "c:\\WIN", true), no_change, true},
        {"prefix longer than the value", kString, bytes(Op::prefix, Kind::string, "C:\\Win"),
         text("C:"), false},
        {"prefix empty holds", kString, bytes(Op::prefix, Kind::string, ""), text(""), true},
        {"suffix", kString, bytes(Op::suffix, Kind::string, "\\cmd.exe"), no_change, true},
        {"suffix ci", kString, bytes(Op::suffix, Kind::string, "CMD.EXE", true), no_change, true},
        {"suffix other", kString, bytes(Op::suffix, Kind::string, "cmd.com"), no_change, false},
        {"suffix bytes", kBytes, bytes(Op::suffix, Kind::bytes, std::string("\xff\x10", 2)),
         no_change, true},
        {"contains", kString, bytes(Op::contains, Kind::string, "System32"), no_change, true},
        {"contains ci", kString, bytes(Op::contains, Kind::string, "SYSTEM32", true), no_change,
         true},
        {"contains, case differs", kString, bytes(Op::contains, Kind::string, "SYSTEM32"),
         no_change, false},
        {"contains bytes with a NUL", kBytes,
         bytes(Op::contains, Kind::bytes, std::string("\x00\xff", 2)), no_change, true},
        // any-of
        {"prefix any-of", kString, any_of(Op::prefix, Kind::string, {"D:\\", "C:\\"}), no_change,
         true},
        {"prefix any-of none", kString, any_of(Op::prefix, Kind::string, {"D:\\", "E:\\"}),
         no_change, false},
        {"suffix any-of ci", kString, any_of(Op::suffix, Kind::string, {".EXE", ".DLL"}, true),
         no_change, true},
        {"contains any-of", kString, any_of(Op::contains, Kind::string, {"Temp", "System"}),
         no_change, true},
        {"contains any-of bytes", kBytes,
         any_of(Op::contains, Kind::bytes, {std::string("\x10", 1), "q"}), no_change, true},
        {"glob any-of", kString, any_of(Op::glob, Kind::string, {"*.dll", "*\\\\cmd.exe"}),
         no_change, true},
        // glob
        {"glob star", kString, bytes(Op::glob, Kind::string, "C:*.exe"), no_change, true},
        {"glob is whole-value", kString, bytes(Op::glob, Kind::string, "System32"), no_change,
         false},
        {"glob many stars", kString, bytes(Op::glob, Kind::string, "*W*S*3*.*"), no_change, true},
        {"glob question mark", kString, bytes(Op::glob, Kind::string, "???"), text("abc"), true},
        {"glob question mark is one character", kString, bytes(Op::glob, Kind::string, "a?b"),
         text("a\xc3\xa9"
              "b"),
         true},
        {"glob question mark on an ill-formed byte", kString, bytes(Op::glob, Kind::string, "a?b"),
         text("a\xff"
              "b"),
         true},
        {"glob class", kString, bytes(Op::glob, Kind::string, "[a-c]x"), text("bx"), true},
        {"glob class negated", kString, bytes(Op::glob, Kind::string, "[!a-c]x"), text("bx"),
         false},
        {"glob class caret", kString, bytes(Op::glob, Kind::string, "[^a-c]x"), text("dx"), true},
        {"glob class bracket first", kString, bytes(Op::glob, Kind::string, "[]a]"), text("]"),
         true},
        {"glob class multibyte", kString,
         bytes(Op::glob, Kind::string,
               "[\xc3\xa9"
               "e]"),
         text("\xc3\xa9"), true},
        {"glob escape", kString, bytes(Op::glob, Kind::string, "a\\*"), text("a*"), true},
        {"glob escape is literal", kString, bytes(Op::glob, Kind::string, "a\\*"), text("ab"),
         false},
        {"glob ci", kString, bytes(Op::glob, Kind::string, "c:\\\\WINDOWS\\\\*", true), no_change,
         true},
        {"glob ci class", kString, bytes(Op::glob, Kind::string, "[A-C]X", true), text("bx"), true},
        {"glob star on empty", kString, bytes(Op::glob, Kind::string, "*"), text(""), true},
        {"glob unclosed class matches nothing", kString, bytes(Op::glob, Kind::string, "*[ab"),
         text("x[ab"), false},
        // regex: RE2 syntax, searched anywhere unless anchored, any-of
        {"regex anywhere", kString, regex({R"(System32\\cmd)"}), no_change, true},
        {"regex absent text", kString, regex({R"(System64)"}), no_change, false},
        {"regex anchored at the start", kString, regex({R"(^C:\\Windows)"}), no_change, true},
        {"regex anchored, not at the start", kString, regex({R"(^Windows)"}), no_change, false},
        {"regex anchored at the end", kString, regex({R"(\.exe$)"}), no_change, true},
        {"regex \\A...\\z is whole-value", kString, regex({R"(\Acmd\.exe\z)"}), no_change, false},
        {"regex, case differs", kString, regex({R"(system32)"}), no_change, false},
        {"regex ci", kString, regex({R"(system32\\CMD)"}, true), no_change, true},
        {"regex (?i) inside", kString, regex({R"((?i)SYSTEM32)"}), no_change, true},
        {"regex class and count", kString, regex({R"(\\[a-z]{3}\.exe$)"}), no_change, true},
        {"regex count too high", kString, regex({R"(\\[a-z]{4}\.exe$)"}), no_change, false},
        {"regex alternation", kString, regex({R"(\\(cmd|pwsh)\.exe)"}), no_change, true},
        {"regex word boundary", kString, regex({R"(\bcmd\b)"}), no_change, true},
        {"regex any-of", kString, regex({R"(\.dll$)", R"(cmd\.exe$)"}), no_change, true},
        {"regex any-of, none", kString, regex({R"(\.dll$)", R"(^D:)"}), no_change, false},
        {"regex any-of ci", kString, regex({R"(zzz)", R"(WINDOWS\\SYS)"}, true), no_change, true},
        {"regex any-of keeps each pattern's anchors", kString, regex({R"(^cmd)", R"(exe$)"}),
         text("a cmd"), false},
        {"regex empty match on an empty value", kString, regex({R"(^$)"}), text(""), true},
        {"regex star matches the empty value", kString, regex({R"(a*)"}), text(""), true},
        {"regex dot is one code point", kString, regex({R"(^caf.$)"}), text("caf\xc3\xa9"), true},
        {"regex dot skips no ill-formed byte", kString, regex({R"(^a.b$)"}),
         text("a\xff"
              "b"),
         false},
        {"regex (a*)*b on a near miss", kString, regex({R"((a*)*b)"}), text(std::string(200, 'a')),
         false},
        // field references
        {"fieldref eq", kString, field_ref(Op::eq, Kind::string, kString2), text("C:\\Windows"),
         true},
        {"fieldref eq other", kString, field_ref(Op::eq, Kind::string, kString2), no_change, false},
        {"fieldref prefix", kString, field_ref(Op::prefix, Kind::string, kString2), no_change,
         true},
        {"fieldref prefix ci", kString, field_ref(Op::prefix, Kind::string, kString2, true),
         text("c:\\windows\\x"), true},
        {"fieldref suffix", kString, field_ref(Op::suffix, Kind::string, kString2),
         text("D:\\C:\\Windows"), true},
        {"fieldref contains", kString, field_ref(Op::contains, Kind::string, kString2),
         text("x C:\\Windows y"), true},
        {"fieldref contains bytes", kBytes, field_ref(Op::contains, Kind::bytes, kBytes2),
         no_change, true},
    };
    return cases;
}

// Content with the one criterion, negated or not.
std::unique_ptr<LoadedContent> content_with(const OperatorCase& c, bool negate) {
    Content content;
    content.instance(1, 7);
    c.add(content.writer, place(c.field, 0, negate));
    return content.load();
}

}  // namespace

TEST_CASE("every operator, present and absent, negated and not") {
    for (const OperatorCase& c : operator_cases()) {
        for (const bool negate : {false, true}) {
            for (const bool present : {true, false}) {
                INFO(c.name << (negate ? ", negated" : "") << (present ? ", present" : ", absent"));
                const auto content = content_with(c, negate);
                Event e = event();
                c.value(e.inputs[c.field]);
                e.inputs[c.field].present = present;
                // Every base result is false on an absent input; negation
                // is the complement, on absent inputs too.
                const bool expected = (present && c.base) != negate;
                const Verdict v = match(*content, e);
                REQUIRE(v.status == RINGWARD_MATCH_OK);
                CHECK(v.evaluated == 1);
                CHECK(v.instances ==
                      (expected ? std::vector<uint32_t>{1} : std::vector<uint32_t>{}));
                CHECK(v.rules == (expected ? std::set<uint32_t>{7} : std::set<uint32_t>{}));
            }
        }
    }
}

TEST_CASE("a field reference is false when the referenced input is absent") {
    for (const bool negate : {false, true}) {
        Content content;
        content.instance(1);
        content.writer.add_field_ref(place(kString, 0, negate), Op::prefix, Kind::string,
                                     field_name(kString2), kString2, false);
        const auto loaded = content.load();
        Event e = event();
        e.inputs[kString2].present = false;
        CHECK(match(*loaded, e).instances.size() == (negate ? 1u : 0u));
    }
}

TEST_CASE("several criteria on one field are ANDed") {
    Content content;
    content.instance(1);
    content.writer.add_bytes(place(kString), Op::prefix, Kind::string, "C:", false);
    content.writer.add_bytes(place(kString), Op::suffix, Kind::string, ".exe", false);
    content.writer.add_bytes(place(kString, 0, true), Op::contains, Kind::string, "Temp", false);
    const auto loaded = content.load();
    Event e = event();
    CHECK(match(*loaded, e).instances.size() == 1);
    e.inputs[kString].bytes = "C:\\Temp\\cmd.exe";
    CHECK(match(*loaded, e).instances.empty());
    e.inputs[kString].bytes = "C:\\x.dll";
    CHECK(match(*loaded, e).instances.empty());
}

TEST_CASE("an instance without criteria matches every event of its type") {
    Content content;
    content.instance(1);
    content.instance(2, 0, 0, kFieldCount, kTemplate + 1);
    const auto loaded = content.load({SensorTemplate{kTemplate, kVersion, field_types()},
                                      SensorTemplate{kTemplate + 1, kVersion, field_types()}});
    CHECK(match(*loaded, event()).instances == std::vector<uint32_t>{1});
    Event other = event();
    other.id = kTemplate + 1;
    CHECK(match(*loaded, other).instances == std::vector<uint32_t>{2});
    Event wrong_version = event();
    wrong_version.version = 2;
    CHECK(fuzz::run_match(*loaded, plan_for(*loaded), wrong_version).status ==
          RINGWARD_MATCH_E_UNKNOWN_TEMPLATE);
}

TEST_CASE("exclusions: an instance matches when no exclusion holds") {
    // process cmd.exe, except when the parent is explorer.exe, or when the
    // user is root and the process is elevated.
    Content content;
    content.instance(1, 0, 2);
    BlobWriter& w = content.writer;
    w.add_bytes(place(kString), Op::suffix, Kind::string, "cmd.exe", true);
    w.add_bytes(place(kString2, 1), Op::suffix, Kind::string, "explorer.exe", true);
    w.add_scalar(place(kUint, 2), Op::eq, Kind::uint64, 0);
    w.add_scalar(place(kBool, 2), Op::eq, Kind::boolean, 1);
    const auto loaded = content.load();
    Event e = event();
    e.inputs[kString2].bytes = "C:\\Windows\\services.exe";
    CHECK(match(*loaded, e).instances.size() == 1);
    e.inputs[kString2].bytes = "C:\\Windows\\Explorer.EXE";
    CHECK(match(*loaded, e).instances.empty());  // exclusion 1 holds
    e.inputs[kString2].bytes = "x";
    e.inputs[kUint].number = 0;
    CHECK(match(*loaded, e).instances.empty());  // exclusion 2: both hold
    e.inputs[kBool].number = 0;
    CHECK(match(*loaded, e).instances.size() == 1);  // exclusion 2: one fails
    e.inputs[kUint].present = false;
    e.inputs[kBool].number = 1;
    CHECK(match(*loaded, e).instances.size() == 1);  // absent: uid == 0 fails
    e.inputs[kString].bytes = "x.exe";
    CHECK(match(*loaded, e).instances.empty());  // its own criterion fails
}

TEST_CASE("a negated exclusion criterion: an absent input can exclude") {
    Content content;
    content.instance(1, 0, 1);
    content.writer.add_valueless(place(kString2, 1, true), Op::exists, Kind::string);
    const auto loaded = content.load();
    Event e = event();
    CHECK(match(*loaded, e).instances.size() == 1);
    e.inputs[kString2].present = false;
    CHECK(match(*loaded, e).instances.empty());
}

TEST_CASE("rules: a rule matches when any of its instances does, listed once") {
    Content content;
    content.instance(1, 30);
    content.writer.add_bytes(place(kString), Op::suffix, Kind::string, "cmd.exe", false);
    content.instance(2, 20);
    content.writer.add_bytes(place(kString), Op::suffix, Kind::string, "nothing", false);
    content.instance(3, 30);
    content.writer.add_scalar(place(kUint), Op::eq, Kind::uint64, 1000);
    content.instance(4, 10);
    content.writer.add_valueless(place(kEnum), Op::exists, Kind::enumeration);
    content.instance(5);  // in no rule
    const auto loaded = content.load();
    const Verdict v = match(*loaded, event());
    CHECK(v.instances == std::vector<uint32_t>{1, 3, 4, 5});
    CHECK(v.rules == std::set<uint32_t>{10, 30});
    CHECK(v.evaluated == 5);
}

TEST_CASE("output arrays too small: truncated, and every match still counted") {
    Content content;
    for (uint32_t id = 1; id <= 6; ++id) {
        content.instance(id, 100 - id);
    }
    const auto loaded = content.load();
    const ringward_match_plan plan = plan_for(*loaded);
    std::vector<ringward_input> inputs(kFieldCount);
    for (uint16_t f = 0; f < kFieldCount; ++f) {
        inputs[f].type = field_types()[f];
        inputs[f].present = 0;
    }
    const ringward_event e{kTemplate, kVersion, inputs.data(), inputs.size()};
    uint32_t instances[2] = {};
    uint32_t rules[3] = {};
    ringward_match_result r{};
    r.instances = instances;
    r.instance_capacity = 2;
    r.rules = rules;
    r.rule_capacity = 3;
    std::vector<uint64_t> scratch(plan.scratch_bytes / 8 + 1);
    REQUIRE(ringward_match(&loaded->loaded, &plan, &e, scratch.data(), plan.scratch_bytes, &r) ==
            RINGWARD_MATCH_OK);
    CHECK(r.instance_count == 2);
    CHECK(r.instances_matched == 6);
    CHECK(r.instances_truncated == 1);
    CHECK(instances[0] == 1);
    CHECK(instances[1] == 2);
    CHECK(r.rule_count == 3);
    CHECK(r.rules_truncated == 1);
    // The first three rules seen (99, 98, 97), kept ascending.
    CHECK(rules[0] == 97);
    CHECK(rules[1] == 98);
    CHECK(rules[2] == 99);
    CHECK(r.steps <= plan.max_steps);
}

TEST_CASE("regex case folding is ASCII only, where RE2 folds U+212A") {
    // docs/regex.md, "Where ringward differs from RE2": the one place the
    // reference (RE2) is not asked, so the verdict is checked here alone.
    for (const bool negate : {false, true}) {
        Content content;
        content.instance(1, 4);
        regex({"k", "s"}, true)(content.writer, place(kString, 0, negate));
        const auto loaded = content.load();
        const ringward_match_plan plan = plan_for(*loaded);
        for (const char* value : {"\xe2\x84\xaa", "\xc5\xbf"}) {  // KELVIN SIGN, LONG S
            Event e = event();
            e.inputs[kString].bytes = value;
            const Verdict v = fuzz::run_match(*loaded, plan, e);
            CHECK(v.evaluated == 1);
            CHECK(v.instances == (negate ? std::vector<uint32_t>{1} : std::vector<uint32_t>{}));
            CHECK(v.steps <= plan.max_steps);
        }
        Event e = event();
        e.inputs[kString].bytes = "K";
        CHECK(match(*loaded, e).instances ==
              (negate ? std::vector<uint32_t>{} : std::vector<uint32_t>{1}));
    }
}

TEST_CASE("regex in exclusions: any-of, absent and negated") {
    // cmd.exe, except when the parent is under Program Files or an Agent
    // folder (instance 1); instance 2 excludes a parent that is not on C:,
    // an absent parent included.
    Content content;
    content.instance(1, 5, 1);
    regex({R"(\\cmd\.exe$)"}, true)(content.writer, place(kString));
    regex({R"(^C:\\Program Files\\)", R"(\\Agent\\)"})(content.writer, place(kString2, 1));
    content.instance(2, 6, 1);
    regex({R"(\\cmd\.exe$)"}, true)(content.writer, place(kString));
    regex({R"(^C:)"})(content.writer, place(kString2, 1, true));
    const auto loaded = content.load();
    Event e = event();
    CHECK(match(*loaded, e).instances == std::vector<uint32_t>{1, 2});
    e.inputs[kString2].bytes = "C:\\Program Files\\Office\\winword.exe";
    CHECK(match(*loaded, e).instances == std::vector<uint32_t>{2});  // the first pattern
    e.inputs[kString2].bytes = "D:\\Agent\\agent.exe";
    CHECK(match(*loaded, e).instances.empty());  // the second pattern; not on C:
    e.inputs[kString2].present = false;
    // Absent: the regex's base result is false, so exclusion 1 does not
    // hold and the negated one of instance 2 does.
    const Verdict v = match(*loaded, e);
    CHECK(v.instances == std::vector<uint32_t>{1});
    CHECK(v.rules == std::set<uint32_t>{5});
    CHECK(v.evaluated == 2);
    e.inputs[kString].bytes = "C:\\Windows\\CMD.EXE.bak";
    CHECK(match(*loaded, e).instances.empty());  // its own criterion fails
}

TEST_CASE("contains finds its operand at every offset, in either case, and nothing else") {
    // The search skips ahead a word at a time to the operand's first byte:
    // operands starting with a letter (both cases), with '@' and '`' (which
    // differ from a letter's case only in bit 5), a NUL and a byte over 0x7f;
    // each placed at every offset of values up to three words long, among
    // bytes that look like its first one.
    const std::vector<std::string> operands = {"a",  "Ab",  "@x",    "`",
                                               "zZ", "e.e", "\x80z", std::string("\0q", 2)};
    Content content;
    uint32_t id = 1;
    const auto has_nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
    for (const std::string& operand : operands) {
        content.instance(id++);
        content.writer.add_bytes(place(kBytes), Op::contains, Kind::bytes, operand, false);
        for (const bool fold : {false, true}) {
            if (!has_nul(operand)) {
                content.instance(id++);
                content.writer.add_bytes(place(kString), Op::contains, Kind::string, operand, fold);
            }
        }
    }
    const auto loaded = content.load();
    const std::string fillers[] = {std::string(24, '@'), std::string(24, 'A'), std::string(24, 'a'),
                                   std::string(24, '`'), std::string(24, '\x80')};
    size_t found = 0;
    for (const std::string& operand : operands) {
        for (const std::string& filler : fillers) {
            for (size_t size = 0; size <= 24; ++size) {
                for (size_t at = 0; at + operand.size() <= size; ++at) {
                    std::string value = filler.substr(0, size);
                    for (const bool upper : {false, true}) {
                        std::string needle = operand;
                        for (char& ch : needle) {
                            if (upper && ch >= 'a' && ch <= 'z') {
                                ch = static_cast<char>(ch - 'a' + 'A');
                            }
                        }
                        value.replace(at, needle.size(), needle);
                        Event e = event();
                        e.inputs[kBytes].bytes = value;
                        e.inputs[kString].bytes = has_nul(value) ? "" : value;
                        found += match(*loaded, e).instances.size();
                    }
                }
                Event e = event();
                e.inputs[kBytes].bytes = filler.substr(0, size);
                e.inputs[kString].bytes = filler.substr(0, size);
                CHECK(match(*loaded, e).instances.size() <= 3);
            }
        }
    }
    CHECK(found > 1000);
}

TEST_CASE("a glob of stars and literal bytes agrees with the reference on every short value") {
    // Such globs take a direct path (runs found in order, leftmost first);
    // these patterns hold runs that overlap, repeat and straddle each other,
    // and every value over the alphabet up to six bytes is tried in both
    // cases, so a run taken too early or too late, or a prefix and suffix
    // that overlap, would show.
    const std::vector<std::string> patterns = {"",      "*",       "**",      "a",       "*a",
                                               "a*",    "*a*",     "ab*",     "*ba",     "a*a",
                                               "*aa*",  "*ab*ba*", "a*b*a",   "*a*a*a",  "ab*ab",
                                               "*abA*", "x**a*",   "*b*b*b*", "aba*aba", "*a?b*"};
    Content content;
    uint32_t id = 1;
    for (const std::string& pattern : patterns) {
        for (const bool fold : {false, true}) {
            content.instance(id++);
            content.writer.add_bytes(place(kString), Op::glob, Kind::string, pattern, fold);
        }
    }
    const auto loaded = content.load();
    const std::string alphabet = "abAx";
    size_t found = 0;
    size_t values = 0;
    for (size_t size = 0; size <= 6; ++size) {
        size_t combinations = 1;
        for (size_t i = 0; i < size; ++i) {
            combinations *= alphabet.size();
        }
        for (size_t c = 0; c < combinations; ++c) {
            std::string value;
            for (size_t i = 0, rest = c; i < size; ++i, rest /= alphabet.size()) {
                value += alphabet[rest % alphabet.size()];
            }
            Event e = event();
            e.inputs[kString].bytes = value;
            found += match(*loaded, e).instances.size();
            ++values;
        }
    }
    CHECK(values == 5461);
    CHECK(found > 10000);
}
