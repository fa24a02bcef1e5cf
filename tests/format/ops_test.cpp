// The operator and kind tables against docs/format.md ("Operators", "Value
// kinds", "Where the value lives"), and the names of read errors.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ringward/format.hpp"

namespace {

using ringward::format::Kind;
using ringward::format::kKindCount;
using ringward::format::kOpCount;
using ringward::format::Op;
using ringward::format::ReadError;

// docs/format.md, written out: operator value, name, and the kinds it takes
// (as kind values).
struct OpRow {
    uint8_t value;
    const char* name;
    std::set<uint8_t> kinds;
};
const std::vector<OpRow>& spec_ops() {
    static const std::set<uint8_t> all_but_none = {1, 2, 3, 4, 5, 6, 7};
    // clang-format off
    static const std::vector<OpRow> rows = {
        // Codes of the content model that format 2 does not encode.
        {0,  "wildcard",      {}},
        {1,  "eq",            all_but_none},
        {2,  "ne",            {}},
        {3,  "lt",            {1, 2}},
        {4,  "le",            {1, 2}},
        {5,  "gt",            {1, 2}},
        {6,  "ge",            {1, 2}},
        {7,  "range",         {1, 2}},
        {8,  "in",            {1, 2, 4, 5, 6, 7}},
        {9,  "prefix",        {4, 5}},
        {10, "suffix",        {4, 5}},
        {11, "contains",      {4, 5}},
        {12, "glob",          {4}},
        {13, "regex",         {4}},
        {14, "cidr_contains", {7}},
        {15, "exists",        all_but_none},
        {16, "empty",         {4, 5}},
    };
    // clang-format on
    return rows;
}
const std::vector<const char*> kSpecKinds = {"none",   "int",   "uint", "bool",
                                             "string", "bytes", "enum", "ip"};
const std::set<std::string> kSpecStringOps = {"eq",       "in",   "prefix", "suffix",
                                              "contains", "glob", "regex"};

std::string read_doc() {
    std::ifstream in(RINGWARD_SOURCE_DIR "/docs/format.md");
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The text of the section that starts with `heading`, up to the next heading.
std::string section(const std::string& doc, const std::string& heading) {
    const size_t start = doc.find("\n" + heading + "\n");
    REQUIRE(start != std::string::npos);
    const size_t end = doc.find("\n#", start + heading.size() + 2);
    return doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::vector<std::string> backticked(const std::string& text) {
    std::vector<std::string> names;
    for (size_t open = text.find('`'); open != std::string::npos;) {
        const size_t close = text.find('`', open + 1);
        if (close == std::string::npos) {
            break;
        }
        names.push_back(text.substr(open + 1, close - open - 1));
        open = text.find('`', close + 1);
    }
    return names;
}

// The rows of the markdown tables in `text` whose first cell is a number,
// as trimmed cells.
std::vector<std::vector<std::string>> numbered_rows(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] != '|') {
            continue;
        }
        std::vector<std::string> cells;
        size_t start = 1;
        for (size_t bar = line.find('|', start); bar != std::string::npos;
             bar = line.find('|', start)) {
            const std::string cell = line.substr(start, bar - start);
            const size_t first = cell.find_first_not_of(' ');
            const size_t last = cell.find_last_not_of(' ');
            cells.push_back(first == std::string::npos ? std::string()
                                                       : cell.substr(first, last - first + 1));
            start = bar + 1;
        }
        if (!cells.empty() && !cells[0].empty() &&
            cells[0].find_first_not_of("0123456789") == std::string::npos) {
            rows.push_back(cells);
        }
    }
    return rows;
}

TEST_CASE("the operator table in docs/format.md is the one these tests hold") {
    const std::string ops = section(read_doc(), "### Operators");
    std::vector<OpRow> documented;
    for (const std::vector<std::string>& cells : numbered_rows(ops)) {
        REQUIRE(cells.size() == 3);
        OpRow r{static_cast<uint8_t>(std::stoi(cells[0])), nullptr, {}};
        REQUIRE(r.value < spec_ops().size());
        const std::vector<std::string> op_name = backticked(cells[1]);
        REQUIRE(op_name.size() == 1);
        const std::string& name = op_name[0];
        const std::string& kinds = cells[2];
        INFO("operator row " << name);
        CHECK(name == spec_ops().at(r.value).name);
        std::set<uint8_t> listed;
        for (const std::string& kind : backticked(kinds)) {
            for (uint8_t k = 0; k < kSpecKinds.size(); ++k) {
                if (kind == kSpecKinds[k]) {
                    listed.insert(k);
                }
            }
        }
        if (kinds.rfind("all but", 0) == 0) {
            std::set<uint8_t> all;
            for (uint8_t k = 1; k < kSpecKinds.size(); ++k) {
                all.insert(k);
            }
            for (const uint8_t excluded : listed) {
                all.erase(excluded);
            }
            listed = all;
        }
        CHECK(listed == spec_ops().at(r.value).kinds);
        documented.push_back(r);
    }
    CHECK(documented.size() == kOpCount);

    const size_t sentence = ops.find("The string operators");
    REQUIRE(sentence != std::string::npos);
    const std::string text = ops.substr(sentence, ops.find('.', sentence) - sentence);
    const std::vector<std::string> names = backticked(text);
    CHECK(std::set<std::string>(names.begin(), names.end()) == kSpecStringOps);
}

TEST_CASE("the kind table in docs/format.md is the one these tests hold") {
    const std::string kinds = section(read_doc(), "### Value kinds");
    size_t rows = 0;
    for (const std::vector<std::string>& cells : numbered_rows(kinds)) {
        REQUIRE(cells.size() >= 2);
        const auto value = static_cast<size_t>(std::stoi(cells[0]));
        REQUIRE(value < kSpecKinds.size());
        CHECK(backticked(cells[1]) == std::vector<std::string>{kSpecKinds[value]});
        ++rows;
    }
    CHECK(rows == kKindCount);
}

TEST_CASE("op_takes_kind for every operator and kind") {
    for (const OpRow& op : spec_ops()) {
        for (uint8_t kind = 0; kind < kKindCount; ++kind) {
            INFO(op.name << " x " << kSpecKinds[kind]);
            CHECK(ringward::format::op_takes_kind(static_cast<Op>(op.value),
                                                  static_cast<Kind>(kind)) ==
                  (op.kinds.count(kind) == 1));
        }
    }
    // Values outside either enumeration pair with nothing.
    for (unsigned value = 0; value < 256; ++value) {
        INFO("value " << value);
        const auto v = static_cast<uint8_t>(value);
        if (value >= kKindCount) {
            for (uint8_t op = 0; op < kOpCount; ++op) {
                CHECK_FALSE(
                    ringward::format::op_takes_kind(static_cast<Op>(op), static_cast<Kind>(v)));
            }
        }
        if (value >= kOpCount) {
            for (uint8_t kind = 0; kind < kKindCount; ++kind) {
                CHECK_FALSE(
                    ringward::format::op_takes_kind(static_cast<Op>(v), static_cast<Kind>(kind)));
            }
        }
    }
}

TEST_CASE("op_is_string_match is the spec's list of string operators") {
    for (const OpRow& op : spec_ops()) {
        INFO(op.name);
        CHECK(ringward::format::op_is_string_match(static_cast<Op>(op.value)) ==
              (kSpecStringOps.count(op.name) == 1));
    }
    for (unsigned value = kOpCount; value < 256; ++value) {
        CHECK_FALSE(ringward::format::op_is_string_match(static_cast<Op>(value)));
    }
}

TEST_CASE("op_kind_uses_pool follows 'Where the value lives' for every valid pair") {
    // Inline: scalars and ranges of int and uint, bool, single ip values.
    // Pool: every set, and every single string, bytes or enum value.
    const std::set<std::pair<uint8_t, uint8_t>> pooled = [] {
        std::set<std::pair<uint8_t, uint8_t>> pairs;
        for (const uint8_t kind :
             {uint8_t{1}, uint8_t{2}, uint8_t{4}, uint8_t{5}, uint8_t{6}, uint8_t{7}}) {
            pairs.insert({8, kind});
        }
        for (const uint8_t op : {uint8_t{1}, uint8_t{2}, uint8_t{9}, uint8_t{10}, uint8_t{11},
                                 uint8_t{12}, uint8_t{13}}) {
            for (const uint8_t kind : {uint8_t{4}, uint8_t{5}, uint8_t{6}}) {
                pairs.insert({op, kind});
            }
        }
        return pairs;
    }();
    size_t valid_pairs = 0;
    for (const OpRow& op : spec_ops()) {
        for (const uint8_t kind : op.kinds) {
            INFO(op.name << " x " << kSpecKinds[kind]);
            CHECK(ringward::format::op_kind_uses_pool(static_cast<Op>(op.value),
                                                      static_cast<Kind>(kind)) ==
                  (pooled.count({op.value, kind}) == 1));
            ++valid_pairs;
        }
    }
    // eq 7, lt le gt ge range 5 * 2, in 6, prefix suffix contains 3 * 2, glob
    // regex 2 * 1, cidr_contains 1, exists 7, empty 2
    CHECK(valid_pairs == 41);
}

TEST_CASE("op_takes_field_ref: eq, prefix, suffix, contains on string and bytes") {
    for (uint8_t op = 0; op < kOpCount; ++op) {
        for (uint8_t kind = 0; kind < kKindCount; ++kind) {
            INFO(spec_ops().at(op).name << " x " << kSpecKinds[kind]);
            const bool expected =
                (op == 1 || op == 9 || op == 10 || op == 11) && (kind == 4 || kind == 5);
            CHECK(ringward::format::op_takes_field_ref(static_cast<Op>(op),
                                                       static_cast<Kind>(kind)) == expected);
        }
    }
}

TEST_CASE("the encoding table's any-of is the string operators but eq") {
    for (const OpRow& op : spec_ops()) {
        for (const uint8_t kind : op.kinds) {
            INFO(op.name << " x " << kSpecKinds[kind]);
            const bool expected = op.value >= 9 && op.value <= 13;
            CHECK(ringward::format::encoding(static_cast<Op>(op.value), static_cast<Kind>(kind))
                      .any_of == expected);
        }
    }
}

TEST_CASE("op_name and kind_name") {
    for (const OpRow& op : spec_ops()) {
        CHECK(std::string(ringward::format::op_name(static_cast<Op>(op.value))) == op.name);
    }
    for (uint8_t kind = 0; kind < kKindCount; ++kind) {
        CHECK(std::string(ringward::format::kind_name(static_cast<Kind>(kind))) ==
              kSpecKinds[kind]);
    }
    for (unsigned value = kOpCount; value < 256; ++value) {
        CHECK(std::string(ringward::format::op_name(static_cast<Op>(value))) == "?");
    }
    for (unsigned value = kKindCount; value < 256; ++value) {
        CHECK(std::string(ringward::format::kind_name(static_cast<Kind>(value))) == "?");
    }
}

TEST_CASE("operator and kind values equal the enumerators") {
    CHECK(static_cast<uint8_t>(Op::wildcard) == 0);
    CHECK(static_cast<uint8_t>(Op::in) == 8);
    CHECK(static_cast<uint8_t>(Op::cidr_contains) == 14);
    CHECK(static_cast<uint8_t>(Op::exists) == 15);
    CHECK(static_cast<uint8_t>(Op::empty) == 16);
    CHECK(kOpCount == spec_ops().size());
    CHECK(static_cast<uint8_t>(Kind::none) == 0);
    CHECK(static_cast<uint8_t>(Kind::boolean) == 3);
    CHECK(static_cast<uint8_t>(Kind::enumeration) == 6);
    CHECK(static_cast<uint8_t>(Kind::ip) == 7);
    CHECK(kKindCount == kSpecKinds.size());
}

TEST_CASE("read error numbers, names and messages") {
    struct Row {
        unsigned number;
        ReadError error;
        const char* name;
        const char* message;
    };
    const Row rows[] = {
#define RINGWARD_READ_ERROR(number, id, name, message) {number, ReadError::id, name, message},
#include "ringward/read_errors.def"
#undef RINGWARD_READ_ERROR
    };
    REQUIRE(std::size(rows) == 57);
    std::set<std::string> names;
    for (size_t i = 0; i < std::size(rows); ++i) {
        const Row& row = rows[i];
        INFO(row.name);
        // Format 1's 1-46, then format 2's from 50, ascending without a
        // hole: a number is never reused.
        CHECK(row.number == (i < 46 ? i + 1 : i + 4));
        CHECK(static_cast<unsigned>(row.error) == row.number);
        CHECK(std::string(ringward::format::read_error_name(row.error)) == row.name);
        CHECK(std::string(ringward::format::read_error_message(row.error)) == row.message);
        CHECK(std::string(row.name).rfind("blob-", 0) == 0);
        CHECK(std::string(row.message).size() > 10);
        names.insert(row.name);
    }
    CHECK(names.size() == std::size(rows));
    CHECK(std::string(ringward::format::read_error_name(ReadError::ok)) == "ok");
    CHECK(std::string(ringward::format::read_error_message(ReadError::ok)).empty());
    for (const unsigned unused : {47u, 48u, 49u, 61u, 0xffffu}) {
        INFO(unused);
        CHECK(std::string(ringward::format::read_error_name(static_cast<ReadError>(unused))) ==
              "?");
        CHECK(std::string(ringward::format::read_error_message(static_cast<ReadError>(unused))) ==
              "?");
    }
}

TEST_CASE("a few names pinned, since other tools and logs match on them") {
    CHECK(std::string(ringward::format::read_error_name(ReadError::too_large)) == "blob-too-large");
    CHECK(std::string(ringward::format::read_error_name(ReadError::bad_magic)) == "blob-bad-magic");
    CHECK(std::string(ringward::format::read_error_name(ReadError::criterion_run_past_table)) ==
          "blob-criterion-run-past-table");
    CHECK(std::string(ringward::format::read_error_name(ReadError::set_padding)) ==
          "blob-set-padding");
    CHECK(static_cast<unsigned>(ReadError::set_padding) == 45);
    CHECK(static_cast<unsigned>(ReadError::reference_out_of_pool) == 31);
    CHECK(static_cast<unsigned>(ReadError::field_count_zero) == 50);
    CHECK(std::string(ringward::format::read_error_name(ReadError::exclusion_empty)) ==
          "blob-exclusion-empty");
}

}  // namespace
