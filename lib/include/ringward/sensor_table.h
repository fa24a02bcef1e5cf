/*
 * The agent's side of keeping the sensor's own table and the manifests that
 * content is validated against from drifting apart: the table, written as a
 * manifest. Hosted (it formats text), so it is not in the kernel-safe core;
 * an agent links it with ringward::loader.
 */
#ifndef RINGWARD_SENSOR_TABLE_H
#define RINGWARD_SENSOR_TABLE_H

#include "ringward/loader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes the sensor's table as a ringward.v1.SensorManifest in protobuf text
   format, which `ringward validate --manifests` reads. Returns the length of
   the whole text (not counting a NUL); writes at most `capacity` bytes,
   NUL-terminated when there is room. Call with capacity 0 to learn the size.
   An input type the manifest schema does not name is written as its number,
   which the manifest check then reports (RW0605) instead of it vanishing. */
size_t ringward_write_manifest(const ringward_template_support* templates, size_t count,
                               uint64_t sensor_version, char* buffer, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif /* RINGWARD_SENSOR_TABLE_H */
