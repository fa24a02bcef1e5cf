// Reading what the CLI prints as JSON (inspect, validate --format json and
// sarif) back into a document the tests can walk.
#pragma once

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <catch2/catch.hpp>

#include <string>

namespace ringward::test {

inline google::protobuf::Struct parse_json(const std::string& text) {
    google::protobuf::Struct document;
    INFO(text.substr(0, 2000));
    REQUIRE(google::protobuf::util::JsonStringToMessage(text, &document).ok());
    return document;
}

}  // namespace ringward::test
