/* The wire encoding of one event (docs/event-wire.md): how a sensor's user
 * space hands an event to a ringward evaluator it cannot share memory with,
 * such as the kernel module's /dev/ringward-eval.
 *
 * Kernel-safe like the reader: ringward_event_decode allocates nothing,
 * recurses nowhere, and reads only inside [data, data + size), every bound
 * compared as `len <= size - off`. The event it produces points into the
 * caller's buffer and the caller's input array: both must outlive it.
 */
#ifndef RINGWARD_EVENT_WIRE_H
#define RINGWARD_EVENT_WIRE_H

#include "ringward/match.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RINGWARD_EVENT_WIRE_VERSION 1u
/* magic "RWEV", u16 version, u16 reserved, u32 template type id, u32 its
   version, u32 input count, u32 reserved */
#define RINGWARD_EVENT_WIRE_HEADER_BYTES 24u
/* u8 type, u8 present, u16 reserved, u32 value length */
#define RINGWARD_EVENT_WIRE_INPUT_HEADER_BYTES 8u

/* RINGWARD_EVENT_OK, or why the event was refused; the diagnostic code is
   RW0880 + the number (event_status.def). */
typedef enum ringward_event_status {
    RINGWARD_EVENT_OK = 0,
#define RINGWARD_EVENT_STATUS(number, ID, id, name, message) RINGWARD_EVENT_E_##ID = number,
#include "ringward/event_status.def"
#undef RINGWARD_EVENT_STATUS
} ringward_event_status;

/* "event-ok", "event-truncated", ...; "?" outside the enumeration. */
RINGWARD_NODISCARD const char* ringward_event_status_name(ringward_event_status status);
/* The status's one-line explanation; "" for RINGWARD_EVENT_OK and unknown. */
RINGWARD_NODISCARD const char* ringward_event_status_message(ringward_event_status status);

/* Decodes the event in data[0, size) into *event, its inputs into
   inputs[0, input_count). A string, bytes or enum input's data points into
   `data`; an absent input has only its type set.

   Returns RINGWARD_EVENT_OK, or a refusal (1-10) with *error_offset set to
   the byte offset of the field at fault (for TRUNCATED, the start of the
   structure that does not fit); on a refusal *event and inputs[0,
   input_capacity) are zeroed. Work is linear in size.
   Contract: event and error_offset are not NULL; data is not NULL when
   size > 0; inputs is not NULL when input_capacity > 0. */
RINGWARD_NODISCARD ringward_event_status ringward_event_decode(const uint8_t* data, size_t size,
                                                               ringward_input* inputs,
                                                               size_t input_capacity,
                                                               ringward_event* event,
                                                               size_t* error_offset);

#ifdef __cplusplus
}
#endif

#endif /* RINGWARD_EVENT_WIRE_H */
