/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-respondent"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-respondent.h"
#include "rs-scores.h"

struct _RsRespondent
{
  GObject parent_instance;

  gint64 id;
  char *company;
  char *person;
  char *email;
  char *function;
  char *problem;
  RsStatus status;
  gint64 sent_at;
  char *mode;
  char *note;
  char *error;
  char *report_path;
  char *report_problem;
  gboolean report_outdated;
  /* A report was made, and its file is not there any more. */
  gboolean report_gone;
  guint n_scores;
  gint64 updated_at;
  char *search_key;
  /* Made when first sorted by, for the text columns. */
  char *sort_keys[RS_SORT_NOTE + 1];
};

G_DEFINE_FINAL_TYPE (RsRespondent, rs_respondent, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_COMPANY,
  PROP_PERSON,
  PROP_EMAIL,
  PROP_STATUS,
  PROP_SENT_AT,
  PROP_MODE,
  PROP_NOTE,
  PROP_PROBLEM,
  PROP_REPORT_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * rs_respondent_fold_for_search:
 *
 * Returns: @text case-folded and without accents, for matching what people
 *   type against names however they were written.
 */
char *
rs_respondent_fold_for_search (const char *text)
{
  g_autofree char *decomposed = NULL;
  GString *folded;

  if (text == NULL)
    return g_strdup ("");

  for (const char *p = text; ; p++)
    {
      if (*p == '\0')
        return g_ascii_strdown (text, -1);
      if ((guchar) *p >= 0x80)
        break;
    }

  decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFKD);
  if (decomposed == NULL)
    return g_utf8_casefold (text, -1);

  folded = g_string_sized_new (strlen (decomposed));
  for (const char *p = decomposed; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((guchar) *p < 0x80)
        g_string_append_c (folded, g_ascii_tolower (*p));
      else if (g_unichar_type (c) != G_UNICODE_NON_SPACING_MARK)
        {
          char buffer[6 * 3];
          g_autofree char *one = NULL;
          int len = g_unichar_to_utf8 (c, buffer);

          one = g_utf8_casefold (buffer, len);
          g_string_append (folded, one);
        }
    }

  return g_string_free (folded, FALSE);
}

static char *
build_search_key (RsRespondent *self)
{
  g_autofree char *joined = g_strjoin ("\n", self->company, self->person, self->email, NULL);

  return rs_respondent_fold_for_search (joined);
}

RsRespondent *
rs_respondent_new (const RsRespondentData *data)
{
  RsRespondent *self = g_object_new (RS_TYPE_RESPONDENT, NULL);

  self->id = data->id;
  self->company = g_strdup (data->company ? data->company : "");
  self->person = g_strdup (data->person ? data->person : "");
  self->email = g_strdup (data->email ? data->email : "");
  self->function = g_strdup (data->function ? data->function : "");
  self->problem = g_strdup (data->problem);
  self->status = data->status;
  self->sent_at = data->sent_at;
  self->mode = g_strdup (data->mode);
  self->note = g_strdup (data->note ? data->note : "");
  self->error = g_strdup (data->error);
  self->report_path = g_strdup (data->report_path);
  self->report_problem = g_strdup (data->report_problem);
  self->report_outdated = data->report_outdated;
  /* Looked at once, in the loading thread: sorting and drawing the table
   * never touch the disk. */
  self->report_gone = data->report_path != NULL &&
                      !g_file_test (data->report_path, G_FILE_TEST_EXISTS);
  self->n_scores = data->n_scores;
  self->updated_at = data->updated_at;
  self->search_key = build_search_key (self);
  /* Made here, in the loading thread, so that sorting is only comparing. */
  rs_respondent_get_sort_key (self, RS_SORT_COMPANY);
  rs_respondent_get_sort_key (self, RS_SORT_PERSON);
  rs_respondent_get_sort_key (self, RS_SORT_EMAIL);

  return self;
}

#define SWAP_STRING(field) \
  G_STMT_START { \
    if (g_strcmp0 (self->field, other->field) != 0) \
      { \
        char *tmp = self->field; \
        self->field = other->field; \
        other->field = tmp; \
        changed = TRUE; \
      } \
  } G_STMT_END

#define COPY_VALUE(field) \
  G_STMT_START { \
    if (self->field != other->field) \
      { \
        self->field = other->field; \
        changed = TRUE; \
      } \
  } G_STMT_END

/**
 * rs_respondent_update_from:
 * @other: the same respondent, read again; its values may be taken
 *
 * Returns: whether anything changed; listeners were told.
 */
gboolean
rs_respondent_update_from (RsRespondent *self,
                           RsRespondent *other)
{
  gboolean changed = FALSE;

  g_return_val_if_fail (RS_IS_RESPONDENT (self), FALSE);
  g_return_val_if_fail (RS_IS_RESPONDENT (other), FALSE);
  g_return_val_if_fail (self->id == other->id, FALSE);

  SWAP_STRING (company);
  SWAP_STRING (person);
  SWAP_STRING (email);
  SWAP_STRING (function);
  SWAP_STRING (problem);
  SWAP_STRING (mode);
  SWAP_STRING (note);
  SWAP_STRING (error);
  SWAP_STRING (report_path);
  SWAP_STRING (report_problem);
  SWAP_STRING (search_key);
  COPY_VALUE (status);
  COPY_VALUE (sent_at);
  COPY_VALUE (report_outdated);
  COPY_VALUE (report_gone);
  COPY_VALUE (n_scores);
  COPY_VALUE (updated_at);

  if (changed)
    {
      for (guint i = 0; i < G_N_ELEMENTS (self->sort_keys); i++)
        g_clear_pointer (&self->sort_keys[i], g_free);

      g_object_freeze_notify (G_OBJECT (self));
      for (guint i = PROP_COMPANY; i < N_PROPS; i++)
        g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
      g_object_thaw_notify (G_OBJECT (self));
    }

  return changed;
}

#undef SWAP_STRING
#undef COPY_VALUE

gint64
rs_respondent_get_id (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), 0);
  return self->id;
}

const char *
rs_respondent_get_company (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), NULL);
  return self->company;
}

const char *
rs_respondent_get_person (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), NULL);
  return self->person;
}

const char *
rs_respondent_get_email (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), NULL);
  return self->email;
}

const char *
rs_respondent_get_function (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), NULL);
  return self->function;
}

/* Returns: (nullable): why the respondent cannot be sent to, from the import */
const char *
rs_respondent_get_problem (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), NULL);
  return self->problem;
}

RsStatus
rs_respondent_get_status (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), RS_STATUS_PENDING);
  return self->status;
}

/* Returns: seconds since 1970 (UTC), or 0 when never sent */
gint64
rs_respondent_get_sent_at (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), 0);
  return self->sent_at;
}

/* Returns: (nullable): "test", "live" or %NULL */
const char *
rs_respondent_get_mode (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), NULL);
  return self->mode;
}

const char *
rs_respondent_get_note (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), NULL);
  return self->note;
}

const char *
rs_respondent_get_error (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), NULL);
  return self->error;
}

const char *
rs_respondent_get_report_path (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), NULL);
  return self->report_path;
}

RsReportState
rs_respondent_get_report_state (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), RS_REPORT_NOT_MADE);

  if (self->n_scores < RS_REPORT_MIN_SCORES)
    return RS_REPORT_NOT_POSSIBLE;
  if (self->report_path == NULL)
    return RS_REPORT_NOT_MADE;
  if (self->report_gone)
    return RS_REPORT_MISSING;
  if (self->report_outdated)
    return RS_REPORT_OUTDATED;

  return RS_REPORT_READY;
}

/* The Report column's text, with the reason when there can be no report. */
char *
rs_respondent_dup_report_label (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), NULL);

  switch (rs_respondent_get_report_state (self))
    {
    case RS_REPORT_READY:
      return g_strdup (_("Ready"));
    case RS_REPORT_OUTDATED:
      return g_strdup (_("Outdated"));
    case RS_REPORT_NOT_POSSIBLE:
      /* Translators: no report can be made; the number of scores follows */
      return g_strdup_printf (_("Not possible: insufficient data (%u of %u scores)"),
                              self->n_scores, RS_N_SCORES);
    case RS_REPORT_MISSING:
      /* Translators: a report was made, and its file has gone since */
      return g_strdup (_("Missing"));
    case RS_REPORT_NOT_MADE:
    default:
      return g_strdup (_("Not made yet"));
    }
}

/* Case-folded, accent-free company, person and e-mail address. */
const char *
rs_respondent_get_search_key (RsRespondent *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT (self), NULL);
  return self->search_key;
}

/**
 * rs_respondent_get_sort_key:
 * @column: a text column
 *
 * Returns: (transfer none): the column's text, case-folded and without
 *   accents, for ordering with strcmp(); made on first use
 */
const char *
rs_respondent_get_sort_key (RsRespondent *self,
                            RsSortColumn  column)
{
  const char *text;

  g_return_val_if_fail (RS_IS_RESPONDENT (self), "");
  g_return_val_if_fail (column <= RS_SORT_NOTE, "");

  if (self->sort_keys[column] != NULL)
    return self->sort_keys[column];

  switch (column)
    {
    case RS_SORT_COMPANY:
      text = self->company;
      break;
    case RS_SORT_PERSON:
      text = self->person;
      break;
    case RS_SORT_EMAIL:
      text = self->email;
      break;
    case RS_SORT_MODE:
      text = self->mode;
      break;
    case RS_SORT_NOTE:
      text = self->note;
      break;
    case RS_SORT_NONE:
    case RS_SORT_REPORT:
    case RS_SORT_STATUS:
    case RS_SORT_SENT:
    default:
      text = "";
      break;
    }

  self->sort_keys[column] = rs_respondent_fold_for_search (text ? text : "");
  return self->sort_keys[column];
}

/* Unknown or failed status, data that keeps the report from being sent, or,
 * until sent, no report possible or a report whose file has gone. */
gboolean
rs_respondent_needs_attention (RsRespondent *self)
{
  RsReportState report;

  g_return_val_if_fail (RS_IS_RESPONDENT (self), FALSE);

  if (self->status == RS_STATUS_UNKNOWN || self->status == RS_STATUS_FAILED ||
      self->problem != NULL)
    return TRUE;

  if (self->status == RS_STATUS_SENT)
    return FALSE;

  report = rs_respondent_get_report_state (self);
  return report == RS_REPORT_NOT_POSSIBLE || report == RS_REPORT_MISSING;
}

static void
rs_respondent_finalize (GObject *object)
{
  RsRespondent *self = (RsRespondent *)object;

  g_free (self->company);
  g_free (self->person);
  g_free (self->email);
  g_free (self->function);
  g_free (self->problem);
  g_free (self->mode);
  g_free (self->note);
  g_free (self->error);
  g_free (self->report_path);
  g_free (self->report_problem);
  g_free (self->search_key);
  for (guint i = 0; i < G_N_ELEMENTS (self->sort_keys); i++)
    g_free (self->sort_keys[i]);

  G_OBJECT_CLASS (rs_respondent_parent_class)->finalize (object);
}

static void
rs_respondent_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RsRespondent *self = RS_RESPONDENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_COMPANY:
      g_value_set_string (value, self->company);
      break;
    case PROP_PERSON:
      g_value_set_string (value, self->person);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case PROP_SENT_AT:
      g_value_set_int64 (value, self->sent_at);
      break;
    case PROP_MODE:
      g_value_set_string (value, self->mode ? self->mode : "");
      break;
    case PROP_NOTE:
      g_value_set_string (value, self->note);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    case PROP_REPORT_STATE:
      g_value_set_int (value, rs_respondent_get_report_state (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_respondent_class_init (RsRespondentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = rs_respondent_finalize;
  object_class->get_property = rs_respondent_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_COMPANY] = g_param_spec_string ("company", NULL, NULL, NULL, flags);
  properties[PROP_PERSON] = g_param_spec_string ("person", NULL, NULL, NULL, flags);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] = g_param_spec_int ("status", NULL, NULL, 0, RS_STATUS_UNKNOWN, 0,
                                              flags);
  properties[PROP_SENT_AT] = g_param_spec_int64 ("sent-at", NULL, NULL, 0, G_MAXINT64, 0,
                                                 flags);
  properties[PROP_MODE] = g_param_spec_string ("mode", NULL, NULL, NULL, flags);
  properties[PROP_NOTE] = g_param_spec_string ("note", NULL, NULL, NULL, flags);
  properties[PROP_PROBLEM] = g_param_spec_string ("problem", NULL, NULL, NULL, flags);
  properties[PROP_REPORT_STATE] = g_param_spec_int ("report-state", NULL, NULL, 0,
                                                    RS_REPORT_NOT_POSSIBLE, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rs_respondent_init (RsRespondent *self)
{
}
