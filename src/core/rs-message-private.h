/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rs-message.h"

G_BEGIN_DECLS

/* What rs-message.c (checking what is given) and rs-message-writer.c
 * (writing it out as RFC 5322 bytes) share. */

typedef struct
{
  char *file_name;
  char *mime_type;
  GBytes *content;
} Attachment;

struct _RsMessage
{
  char *from_address;
  char *from_name;
  char *to_address;
  char *to_name;
  char *language;
  char *reply_to;
  char *subject;
  char *body;
  char *message_id;
  GDateTime *date;
  GPtrArray *attachments;
};

G_END_DECLS
