/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-message"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rs-master.h"
#include "rs-message-private.h"

/* One e-mail as bytes for SMTP: RFC 5322 headers, RFC 2047 encoded words,
 * quoted-printable and base64 bodies (RFC 2045), RFC 2231 file names. Every
 * input is checked when it is given, because libcurl passes the envelope
 * and the data on as they are. */

G_DEFINE_QUARK (rs-message-error-quark, rs_message_error)

#define MAX_SHOWN_VALUE 100

typedef enum
{
  FIELD_FROM_ADDRESS,
  FIELD_FROM_NAME,
  FIELD_TO_ADDRESS,
  FIELD_REPLY_TO,
  FIELD_SUBJECT,
  FIELD_BODY,
  FIELD_FILE_NAME,
  FIELD_MIME_TYPE,
  FIELD_TO_NAME,
  FIELD_LANGUAGE,
  FIELD_MESSAGE_ID,
} Field;

static const char *
field_label (Field field)
{
  switch (field)
    {
    case FIELD_FROM_ADDRESS:
      return _("Sender address");
    case FIELD_FROM_NAME:
      return _("Sender name");
    case FIELD_TO_ADDRESS:
      return _("Recipient address");
    case FIELD_REPLY_TO:
      return _("Reply-to address");
    case FIELD_SUBJECT:
      return _("Subject");
    case FIELD_BODY:
      return _("Message text");
    case FIELD_FILE_NAME:
      return _("Attachment file name");
    case FIELD_MIME_TYPE:
      return _("Attachment type");
    case FIELD_TO_NAME:
      return _("Recipient name");
    case FIELD_LANGUAGE:
      return _("Message language");
    case FIELD_MESSAGE_ID:
      return _("Message-ID");
    default:
      g_assert_not_reached ();
    }
}

/* A value as it can be shown in an error message: line breaks and other
 * control characters made visible, long values shortened. */
static char *
describe_value (const char *text,
                gsize       length)
{
  g_autoptr(GString) shown = g_string_sized_new (length + 8);
  g_autofree char *valid = NULL;

  for (gsize i = 0; i < length; i++)
    {
      guchar c = text[i];

      if (c == '\r')
        g_string_append (shown, "\\r");
      else if (c == '\n')
        g_string_append (shown, "\\n");
      else if (c == '\0')
        g_string_append (shown, "\\0");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (shown, "\\x%02x", c);
      else
        g_string_append_c (shown, c);
    }

  valid = g_utf8_make_valid (shown->str, shown->len);
  if (g_utf8_strlen (valid, -1) > MAX_SHOWN_VALUE)
    {
      g_autofree char *start = g_utf8_substring (valid, 0, MAX_SHOWN_VALUE);

      return g_strconcat (start, "…", NULL);
    }

  return g_steal_pointer (&valid);
}

static gboolean
check_text (Field        field,
            const char  *text,
            gssize       length,
            gboolean     single_line,
            GError     **error)
{
  gsize n = length < 0 ? strlen (text) : (gsize) length;

  if (single_line && (memchr (text, '\r', n) != NULL || memchr (text, '\n', n) != NULL
                      || memchr (text, '\0', n) != NULL))
    {
      g_autofree char *shown = describe_value (text, n);

      g_set_error (error, RS_MESSAGE_ERROR, RS_MESSAGE_ERROR_LINE_BREAK,
                   /* Translators: the first %s is a field such as "Subject" */
                   _("%s “%s” contains a line break or a NUL character, which could add "
                     "hidden headers to the e-mail. Remove it and try again."),
                   field_label (field), shown);
      return FALSE;
    }

  if (!g_utf8_validate (text, n, NULL))
    {
      g_autofree char *shown = describe_value (text, n);

      g_set_error (error, RS_MESSAGE_ERROR, RS_MESSAGE_ERROR_INVALID_TEXT,
                   /* Translators: the first %s is a field such as "Subject" */
                   _("%s “%s” is not valid UTF-8 text. Correct the text and try again."),
                   field_label (field), shown);
      return FALSE;
    }

  return TRUE;
}

/**
 * rs_message_address_is_valid:
 *
 * Whether @address is a single bare address that can go into the SMTP
 * envelope: one `@`, a sane local part and a dotted domain, no spaces, no
 * display name, at most 254 characters. The same rule as the import uses.
 */
gboolean
rs_message_address_is_valid (const char *address)
{
  return rs_master_email_is_valid (address);
}

/* Checks an address and returns it without the blanks around it. */
static char *
check_address (Field        field,
               const char  *address,
               GError     **error)
{
  g_autofree char *trimmed = NULL;

  if (!check_text (field, address, -1, TRUE, error))
    return NULL;

  trimmed = g_strstrip (g_strdup (address));
  if (*trimmed == '\0')
    {
      g_set_error (error, RS_MESSAGE_ERROR, RS_MESSAGE_ERROR_INVALID_ADDRESS,
                   /* Translators: %s is a field such as "Recipient address" */
                   _("%s is empty. Enter an e-mail address such as name@example.com."),
                   field_label (field));
      return NULL;
    }

  if (!rs_message_address_is_valid (trimmed))
    {
      g_autofree char *shown = describe_value (trimmed, strlen (trimmed));

      g_set_error (error, RS_MESSAGE_ERROR, RS_MESSAGE_ERROR_INVALID_ADDRESS,
                   /* Translators: the first %s is a field such as "Recipient address" */
                   _("%s “%s” is not a valid e-mail address. Enter one address such as "
                     "name@example.com, without spaces or a name around it."),
                   field_label (field), shown);
      return NULL;
    }

  /* An international domain goes into the headers and the envelope in its
   * ASCII form, which every server takes (RFC 5890). */
  {
    char *at = strrchr (trimmed, '@');

    if (!g_str_is_ascii (at + 1))
      {
        g_autofree char *ascii = g_hostname_to_ascii (at + 1);
        g_autofree char *local = g_strndup (trimmed, at - trimmed);

        g_free (trimmed);
        trimmed = g_strconcat (local, "@", ascii, NULL);
      }
  }

  return g_steal_pointer (&trimmed);
}

/**
 * rs_message_new_message_id:
 * @from_address: a valid bare address; its domain ends the id
 *
 * A new Message-ID, without angle brackets, unique across processes. The
 * id rs_message_new() gives a message; a caller that must send the same
 * message again under the same id keeps one of these and gives it back
 * with rs_message_set_message_id().
 *
 * Returns: (transfer full): the id.
 */
char *
rs_message_new_message_id (const char *from_address)
{
  static gint counter;
  g_autofree char *domain = NULL;

  g_return_val_if_fail (from_address != NULL && strchr (from_address, '@') != NULL, NULL);

  domain = g_strstrip (g_ascii_strdown (strrchr (from_address, '@') + 1, -1));
  /* An international domain in its ASCII form: a Message-ID is ASCII. */
  if (!g_str_is_ascii (domain))
    {
      char *ascii = g_hostname_to_ascii (domain);

      g_free (domain);
      domain = ascii != NULL ? ascii : g_strdup ("localhost");
    }

  /* The counter keeps two ids of one process apart even if the random
   * numbers repeat; time and randomness keep processes apart. */
  return g_strdup_printf ("%" G_GINT64_MODIFIER "x.%08x%08x.%x@%s",
                          g_get_real_time (), g_random_int (), g_random_int (),
                          (guint) g_atomic_int_add (&counter, 1), domain);
}

static void
attachment_free (gpointer data)
{
  Attachment *attachment = data;

  g_free (attachment->file_name);
  g_free (attachment->mime_type);
  g_bytes_unref (attachment->content);
  g_free (attachment);
}

/**
 * rs_message_new:
 * @from_address: the sender's bare address
 * @from_name: (nullable): the sender's display name
 * @to_address: the recipient's bare address
 * @reply_to: (nullable): a bare address for replies
 * @subject: the subject, one line
 * @body: the text, any line ends
 * @error: return location for an #RS_MESSAGE_ERROR
 *
 * Checks every value and makes a message dated now, in local time. An
 * empty @from_name or @reply_to counts as none. Blanks around addresses
 * are dropped. A line break or NUL in an address, the name or the subject
 * is refused, as is text that is not UTF-8.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set.
 */
RsMessage *
rs_message_new (const char  *from_address,
                const char  *from_name,
                const char  *to_address,
                const char  *reply_to,
                const char  *subject,
                const char  *body,
                GError     **error)
{
  g_autoptr(RsMessage) self = NULL;

  g_return_val_if_fail (from_address != NULL, NULL);
  g_return_val_if_fail (to_address != NULL, NULL);
  g_return_val_if_fail (subject != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (RsMessage, 1);
  self->attachments = g_ptr_array_new_with_free_func (attachment_free);

  if (!(self->from_address = check_address (FIELD_FROM_ADDRESS, from_address, error)))
    return NULL;
  if (!(self->to_address = check_address (FIELD_TO_ADDRESS, to_address, error)))
    return NULL;
  if (reply_to != NULL && *reply_to != '\0'
      && !(self->reply_to = check_address (FIELD_REPLY_TO, reply_to, error)))
    return NULL;

  if (from_name != NULL && *from_name != '\0')
    {
      if (!check_text (FIELD_FROM_NAME, from_name, -1, TRUE, error))
        return NULL;
      self->from_name = g_strdup (from_name);
    }

  if (!check_text (FIELD_SUBJECT, subject, -1, TRUE, error)
      || !check_text (FIELD_BODY, body, -1, FALSE, error))
    return NULL;

  self->subject = g_strdup (subject);
  self->body = g_strdup (body);
  self->date = g_date_time_new_now_local ();
  self->message_id = rs_message_new_message_id (self->from_address);

  return g_steal_pointer (&self);
}

void
rs_message_free (RsMessage *self)
{
  if (self == NULL)
    return;

  g_free (self->from_address);
  g_free (self->from_name);
  g_free (self->to_address);
  g_free (self->to_name);
  g_free (self->language);
  g_free (self->reply_to);
  g_free (self->subject);
  g_free (self->body);
  g_free (self->message_id);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_free (self);
}

/**
 * rs_message_set_to_name:
 * @to_name: (nullable): the recipient's name as people read it; %NULL or ""
 *   for none
 *
 * The display name of the To header. Refused, leaving the message as it
 * was, when it has a line break or NUL in it or is not UTF-8.
 *
 * Returns: %TRUE, or %FALSE with @error set.
 */
gboolean
rs_message_set_to_name (RsMessage   *self,
                        const char  *to_name,
                        GError     **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (to_name != NULL && *to_name != '\0'
      && !check_text (FIELD_TO_NAME, to_name, -1, TRUE, error))
    return FALSE;

  g_free (self->to_name);
  self->to_name = to_name != NULL && *to_name != '\0' ? g_strdup (to_name) : NULL;

  return TRUE;
}

/* A BCP 47 tag as Content-Language wants it (RFC 3282): subtags of one to
 * eight letters or digits joined by hyphens, the first of letters. */
static gboolean
is_language_tag (const char *tag)
{
  gsize subtag = 0;
  gboolean first = TRUE;

  if (*tag == '\0' || strlen (tag) > 35)
    return FALSE;

  for (const char *p = tag; ; p++)
    {
      if (*p == '-' || *p == '\0')
        {
          if (subtag == 0 || subtag > 8)
            return FALSE;
          if (*p == '\0')
            return TRUE;
          subtag = 0;
          first = FALSE;
          continue;
        }
      if (!(first ? g_ascii_isalpha (*p) : g_ascii_isalnum (*p)))
        return FALSE;
      subtag++;
    }
}

/**
 * rs_message_set_language:
 * @language: (nullable): a language tag such as "en" or "nl"; %NULL or ""
 *   for none
 *
 * The language of the text and the report, sent as Content-Language so
 * that a mail program can offer to translate or read it aloud in the
 * right language.
 *
 * Returns: %TRUE, or %FALSE with @error set and the message as it was.
 */
gboolean
rs_message_set_language (RsMessage   *self,
                         const char  *language,
                         GError     **error)
{
  g_autofree char *tag = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (language != NULL && *language != '\0')
    {
      if (!check_text (FIELD_LANGUAGE, language, -1, TRUE, error))
        return FALSE;

      tag = g_strstrip (g_ascii_strdown (language, -1));
      if (!is_language_tag (tag))
        {
          g_autofree char *shown = describe_value (language, strlen (language));

          g_set_error (error, RS_MESSAGE_ERROR, RS_MESSAGE_ERROR_INVALID_TEXT,
                       _("Message language “%s” is not a language code such as “en” or "
                         "“nl”."),
                       shown);
          return FALSE;
        }
    }

  g_free (self->language);
  self->language = g_steal_pointer (&tag);

  return TRUE;
}

static gboolean
is_dot_atom_text (const char *text,
                  gsize       length)
{
  if (length == 0 || text[0] == '.' || text[length - 1] == '.')
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '.' ? text[i + 1] == '.'
                         : !g_ascii_isalnum (text[i])
                           && strchr ("!#$%&'*+-/=?^_`{|}~", text[i]) == NULL)
        return FALSE;
    }

  return TRUE;
}

/**
 * rs_message_set_message_id:
 * @message_id: an id such as rs_message_new_message_id() makes, with or
 *   without angle brackets
 *
 * Gives the message the id it had before, so that a message sent again is
 * known as the same message (a provider can then drop the second copy).
 * The id must be `left@right`, both dot-atoms (RFC 5322), at most 250
 * characters.
 *
 * Returns: %TRUE, or %FALSE with @error set and the id as it was.
 */
gboolean
rs_message_set_message_id (RsMessage   *self,
                           const char  *message_id,
                           GError     **error)
{
  g_autofree char *id = NULL;
  const char *at;
  gsize length;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (message_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_text (FIELD_MESSAGE_ID, message_id, -1, TRUE, error))
    return FALSE;

  id = g_strstrip (g_strdup (message_id));
  length = strlen (id);
  if (length >= 2 && id[0] == '<' && id[length - 1] == '>')
    {
      memmove (id, id + 1, length - 2);
      id[length - 2] = '\0';
      length -= 2;
    }

  at = strchr (id, '@');
  if (length > 250 || at == NULL || !is_dot_atom_text (id, at - id)
      || !is_dot_atom_text (at + 1, length - (at + 1 - id)))
    {
      g_autofree char *shown = describe_value (message_id, strlen (message_id));

      g_set_error (error, RS_MESSAGE_ERROR, RS_MESSAGE_ERROR_INVALID_TEXT,
                   _("Message-ID “%s” is not a message id such as "
                     "“1a2b3c.4d5e@example.com”."),
                   shown);
      return FALSE;
    }

  g_free (self->message_id);
  self->message_id = g_steal_pointer (&id);

  return TRUE;
}

static gboolean
is_mime_type (const char *text)
{
  const char *slash = strchr (text, '/');

  if (slash == NULL || slash == text || slash[1] == '\0' || strchr (slash + 1, '/') != NULL)
    return FALSE;

  for (const char *p = text; *p; p++)
    if (p != slash && !g_ascii_isalnum (*p) && strchr ("!#$&^_.+-", *p) == NULL)
      return FALSE;

  return TRUE;
}

/**
 * rs_message_attach:
 * @file_name: the name the recipient sees, UTF-8, without folders
 * @file_name_length: its length in bytes, or -1 when NUL-terminated
 * @content: the file's bytes; a reference is taken
 * @mime_type: (nullable): such as "application/pdf"; %NULL for
 *   application/octet-stream
 *
 * Adds an attachment. A file name with a line break or NUL in it is
 * refused and the message is left as it was.
 *
 * Returns: %TRUE, or %FALSE with @error set.
 */
gboolean
rs_message_attach (RsMessage   *self,
                   const char  *file_name,
                   gssize       file_name_length,
                   GBytes      *content,
                   const char  *mime_type,
                   GError     **error)
{
  Attachment *attachment;
  gsize length;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (file_name != NULL, FALSE);
  g_return_val_if_fail (content != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  length = file_name_length < 0 ? strlen (file_name) : (gsize) file_name_length;
  if (!check_text (FIELD_FILE_NAME, file_name, length, TRUE, error))
    return FALSE;

  if (length == 0 || memchr (file_name, '/', length) != NULL)
    {
      g_autofree char *shown = describe_value (file_name, length);

      g_set_error (error, RS_MESSAGE_ERROR, RS_MESSAGE_ERROR_INVALID_TEXT,
                   _("Attachment file name “%s” is not a file name. Give the attachment a "
                     "name without folders."),
                   shown);
      return FALSE;
    }

  if (mime_type == NULL)
    mime_type = "application/octet-stream";
  if (!check_text (FIELD_MIME_TYPE, mime_type, -1, TRUE, error))
    return FALSE;
  if (!is_mime_type (mime_type))
    {
      g_set_error (error, RS_MESSAGE_ERROR, RS_MESSAGE_ERROR_INVALID_TEXT,
                   _("Attachment type “%s” is not a MIME type such as application/pdf."),
                   mime_type);
      return FALSE;
    }

  attachment = g_new0 (Attachment, 1);
  attachment->file_name = g_strndup (file_name, length);
  attachment->mime_type = g_ascii_strdown (mime_type, -1);
  attachment->content = g_bytes_ref (content);
  g_ptr_array_add (self->attachments, attachment);

  return TRUE;
}

/**
 * rs_message_get_message_id:
 *
 * Returns: (transfer none): the Message-ID without angle brackets.
 */
const char *
rs_message_get_message_id (RsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->message_id;
}

/**
 * rs_message_get_envelope_from:
 *
 * Returns: (transfer none): the bare sender address for SMTP MAIL FROM.
 */
const char *
rs_message_get_envelope_from (RsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->from_address;
}

/**
 * rs_message_get_envelope_to:
 *
 * Returns: (transfer none): the bare recipient address for SMTP RCPT TO.
 */
const char *
rs_message_get_envelope_to (RsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->to_address;
}

/**
 * rs_message_get_date:
 *
 * Returns: (transfer none): the time in the Date header.
 */
GDateTime *
rs_message_get_date (RsMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->date;
}
