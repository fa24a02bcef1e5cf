// The content tests' fixture: a registry, two sensor builds, content with
// three rules, and a case that passes. Shared by the content tests' own
// tests and the CLI's code walk, which writes them to files.
#pragma once

#include <string>

namespace ringward::test::content_tests {

inline const std::string kRegistry = R"(template_types {
  id: 1
  version: 1
  name: "proc"
  fields { name: "path" type: TYPE_STRING operators: [OP_EQ, OP_SUFFIX, OP_CONTAINS, OP_GLOB] wildcard_allowed: true case_insensitive_allowed: true }
  fields { name: "pid" type: TYPE_UINT operators: [OP_EQ, OP_GT, OP_GE] wildcard_allowed: true }
  fields { name: "user" type: TYPE_STRING operators: [OP_EQ, OP_GLOB] wildcard_allowed: true case_insensitive_allowed: true }
  fields { name: "level" type: TYPE_ENUM operators: [OP_EQ] wildcard_allowed: true enum_members { name: "LOW" } enum_members { name: "HIGH" } }
}
template_types {
  id: 2
  version: 1
  name: "net"
  fields { name: "ip" type: TYPE_IP operators: [OP_CIDR_CONTAINS] wildcard_allowed: true }
}
)";

// Build 1.0.0 supplies proc; 2.0.0 proc and net.
inline const std::string kManifestOld = R"(sensor_version: "1.0.0"
template_types { id: 1 version: 1 input_types: [TYPE_STRING, TYPE_UINT, TYPE_STRING, TYPE_ENUM] }
)";
inline const std::string kManifestNew = R"(sensor_version: "2.0.0"
template_types { id: 1 version: 1 input_types: [TYPE_STRING, TYPE_UINT, TYPE_STRING, TYPE_ENUM] }
template_types { id: 2 version: 1 input_types: [TYPE_IP] }
)";

// Rule 1 "shell": one instance. Rule 2 "broad": instance 2 decides alone,
// and instance 3 is narrower than it, so 3's criteria never matter. Rule 3
// "any_user": a glob that holds on every value.
inline const std::string kContent = R"(channel: 5
content_version: 1
sensor_range { min: "1.0.0" max: "2.0.0" }
rules { id: 1 name: "shell" }
rules { id: 2 name: "broad" }
rules { id: 3 name: "any_user" }
instances {
  id: 1
  rule: 1
  template_type { id: 1 version: 1 }
  criteria { field: "path" op: OP_SUFFIX case_insensitive: true values { string: "\\cmd.exe" } }
  criteria { field: "pid" op: OP_GT values { uint: 100 } }
}
instances {
  id: 2
  rule: 2
  template_type { id: 1 version: 1 }
  criteria { field: "path" op: OP_CONTAINS values { string: "temp" } }
}
instances {
  id: 3
  rule: 2
  template_type { id: 1 version: 1 }
  criteria { field: "path" op: OP_CONTAINS values { string: "temp\\x" } }
}
instances {
  id: 4
  rule: 3
  template_type { id: 1 version: 1 }
  criteria { field: "path" op: OP_EQ values { string: "a.exe" } }
  criteria { field: "user" op: OP_GLOB values { string: "*" } }
}
)";

inline const std::string kShellCase = R"(cases {
  name: "shell"
  event {
    template_type_name: "proc"
    fields { field: "path" string: "C:\\Windows\\CMD.EXE" }
    fields { field: "pid" uint: 4242 }
  }
  fires { rule_name: "shell" }
  does_not_fire { rule: 2 }
}
)";

}  // namespace ringward::test::content_tests
