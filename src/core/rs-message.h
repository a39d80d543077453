/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RS_MESSAGE_ERROR (rs_message_error_quark ())

typedef enum
{
  RS_MESSAGE_ERROR_INVALID_ADDRESS,
  RS_MESSAGE_ERROR_LINE_BREAK,
  RS_MESSAGE_ERROR_INVALID_TEXT,
} RsMessageError;

/* One e-mail, with every input checked when it is given: what is refused
 * never gets into a message. Not thread-safe; use it from one thread. */
typedef struct _RsMessage RsMessage;

GQuark      rs_message_error_quark        (void);
gboolean    rs_message_address_is_valid   (const char  *address);

/* Copies every string; nullable: from_name, reply_to ("" counts as none).
 * Dated now (local time, with offset); the Message-ID is made here too. */
RsMessage  *rs_message_new                (const char  *from_address,
                                           const char  *from_name,
                                           const char  *to_address,
                                           const char  *reply_to,
                                           const char  *subject,
                                           const char  *body,
                                           GError     **error);
void        rs_message_free               (RsMessage   *self);

/* A new id for rs_message_set_message_id(), unique across processes, in
 * the domain of @from_address; without angle brackets. */
char       *rs_message_new_message_id     (const char  *from_address);

/* Each refuses a value with a line break, NUL or invalid UTF-8 and then
 * leaves the message as it was. @message_id may come with or without
 * angle brackets; @to_name and @language may be NULL or "" for none;
 * @language is a tag such as "en" or "nl", sent as Content-Language. */
gboolean    rs_message_set_message_id     (RsMessage   *self,
                                           const char  *message_id,
                                           GError     **error);
gboolean    rs_message_set_to_name        (RsMessage   *self,
                                           const char  *to_name,
                                           GError     **error);
gboolean    rs_message_set_language       (RsMessage   *self,
                                           const char  *language,
                                           GError     **error);

/* Copies the name, takes a reference on @content. @file_name_length may be
 * -1; a NUL inside the given length is refused like a line break. */
gboolean    rs_message_attach             (RsMessage   *self,
                                           const char  *file_name,
                                           gssize       file_name_length,
                                           GBytes      *content,
                                           const char  *mime_type,
                                           GError     **error);

/* (transfer full) The complete message with CRLF line ends, not
 * dot-stuffed: that is the SMTP layer's job. */
GBytes     *rs_message_to_bytes           (RsMessage   *self,
                                           GError     **error);

/* (transfer none) Valid as long as @self. The id is without angle
 * brackets; the envelope addresses are bare, blanks around them dropped. */
const char *rs_message_get_message_id     (RsMessage   *self);
const char *rs_message_get_envelope_from  (RsMessage   *self);
const char *rs_message_get_envelope_to    (RsMessage   *self);
GDateTime  *rs_message_get_date           (RsMessage   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsMessage, rs_message_free)

G_END_DECLS
