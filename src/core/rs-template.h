/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The values put in for the placeholders; a NULL value becomes empty text.
 * Values are inserted as they are: a value that contains "{name}" stays so. */
typedef struct
{
  const char *name;
  const char *company;
  const char *function;
  const char *email;
  const char *date;
  const char *overall;
} RsTemplateValues;

/* A placeholder-shaped word such as "{naam}" that the template does not know.
 * @offset and @length are in bytes, @char_offset and @char_length in
 * characters (what a GtkTextBuffer counts); the braces are included. */
typedef struct
{
  char *placeholder;
  gsize offset;
  gsize length;
  glong char_offset;
  glong char_length;
} RsTemplateUnknown;

/* Strings returned as const are static. rs_template_find_unknown() returns
 * a GArray of RsTemplateUnknown; g_array_unref() frees their strings too.
 * All functions are thread-safe. */
const char * const *rs_template_get_placeholders     (void);
gboolean            rs_template_is_placeholder       (const char             *name);
const char         *rs_template_default_subject      (const char             *language);
const char         *rs_template_default_body         (const char             *language);
char               *rs_template_expand               (const char             *text,
                                                      const RsTemplateValues *values);
char               *rs_template_expand_table         (const char             *text,
                                                      GHashTable             *values);
GArray             *rs_template_find_unknown         (const char             *text);
char               *rs_template_list_unknown         (const char * const     *texts,
                                                      guint                   n_texts);
/* {date} and {overall} written for the reader of @language ("en", "nl"). */
char               *rs_template_format_date          (const char             *timestamp,
                                                      const char             *language);
char               *rs_template_format_score         (double                  score,
                                                      const char             *language);

G_END_DECLS
