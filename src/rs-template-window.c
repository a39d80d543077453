/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-template-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-template.h"
#include "rs-template-window.h"

/* The e-mail text for English and for Dutch respondents. Placeholders the
 * template does not know are underlined and named before anything is sent;
 * they would go out as written. Texts are saved as they are typed; the
 * default text is kept as an empty setting, so it follows new versions. */

static const char *languages[] = { "en", "nl" };

struct _RsTemplateWindow
{
  AdwWindow parent_instance;

  GSettings *settings;
  gboolean loading;

  GtkStack *stack;
  GtkLabel *help_label;
  AdwEntryRow *subject_en;
  GtkTextView *body_en;
  GtkLabel *warning_en;
  AdwEntryRow *subject_nl;
  GtkTextView *body_nl;
  GtkLabel *warning_nl;
  guint n_unknown[2];
};

G_DEFINE_FINAL_TYPE (RsTemplateWindow, rs_template_window, ADW_TYPE_WINDOW)

static char *
dup_setting (GSettings  *settings,
             const char *kind,
             const char *language)
{
  g_autofree char *key = g_strdup_printf ("template-%s-%s", kind, language);

  return g_settings_get_string (settings, key);
}

/* The subject for @language: the saved one, or the default text. */
char *
rs_template_dup_subject (GSettings  *settings,
                         const char *language)
{
  g_autofree char *saved = dup_setting (settings, "subject", language);

  if (saved[0] == '\0')
    return g_strdup (rs_template_default_subject (language));

  return g_steal_pointer (&saved);
}

/* The message text for @language: the saved one, or the default text. */
char *
rs_template_dup_body (GSettings  *settings,
                      const char *language)
{
  g_autofree char *saved = dup_setting (settings, "body", language);

  if (saved[0] == '\0')
    return g_strdup (rs_template_default_body (language));

  return g_steal_pointer (&saved);
}

static guint
language_index (const char *language)
{
  return g_strcmp0 (language, "nl") == 0 ? 1 : 0;
}

static void
widgets_for (RsTemplateWindow  *self,
             guint              index,
             AdwEntryRow      **subject,
             GtkTextView      **body,
             GtkLabel         **warning)
{
  *subject = index ? self->subject_nl : self->subject_en;
  *body = index ? self->body_nl : self->body_en;
  *warning = index ? self->warning_nl : self->warning_en;
}

static char *
buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static guint
mark_unknown (GtkTextBuffer *buffer,
              const char    *text,
              GString       *names)
{
  g_autoptr(GArray) unknown = rs_template_find_unknown (text);

  for (guint i = 0; i < unknown->len; i++)
    {
      RsTemplateUnknown *found = &g_array_index (unknown, RsTemplateUnknown, i);

      if (buffer != NULL)
        {
          GtkTextIter start, end;

          gtk_text_buffer_get_iter_at_offset (buffer, &start, found->char_offset);
          gtk_text_buffer_get_iter_at_offset (buffer, &end,
                                              found->char_offset + found->char_length);
          gtk_text_buffer_apply_tag_by_name (buffer, "unknown", &start, &end);
        }
      if (strstr (names->str, found->placeholder) == NULL)
        g_string_append_printf (names, "%s%s", names->len ? ", " : "", found->placeholder);
    }

  return unknown->len;
}

static void
check_and_save (RsTemplateWindow *self,
                guint             index)
{
  const char *language = languages[index];
  AdwEntryRow *subject_row;
  GtkTextView *body_view;
  GtkLabel *warning;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *body = NULL;
  g_autofree char *subject_key = g_strdup_printf ("template-subject-%s", language);
  g_autofree char *body_key = g_strdup_printf ("template-body-%s", language);
  g_autoptr(GString) names = g_string_new (NULL);
  const char *subject;
  guint n;

  widgets_for (self, index, &subject_row, &body_view, &warning);
  buffer = gtk_text_view_get_buffer (body_view);
  subject = gtk_editable_get_text (GTK_EDITABLE (subject_row));
  body = buffer_text (buffer);

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag_by_name (buffer, "unknown", &start, &end);
  n = mark_unknown (NULL, subject, names) + mark_unknown (buffer, body, names);
  self->n_unknown[index] = n;

  if (n > 0)
    {
      g_autofree char *text = NULL;

      /* Translators: a list of {words} follows */
      text = g_strdup_printf (ngettext ("Unknown placeholder, sent as written: %s",
                                        "Unknown placeholders, sent as written: %s", n),
                              names->str);
      gtk_label_set_label (warning, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (warning), n > 0);

  if (self->loading)
    return;

  /* The default text is saved as "", so that it follows new versions. */
  g_settings_set_string (self->settings, subject_key,
                         g_str_equal (subject, rs_template_default_subject (language))
                         ? "" : subject);
  g_settings_set_string (self->settings, body_key,
                         g_str_equal (body, rs_template_default_body (language)) ? "" : body);
}

static void
text_changed_cb (RsTemplateWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    check_and_save (self, i);
}

/* Puts @subject and @body in the editor of @language, and saves them. */
void
rs_template_window_set_text (RsTemplateWindow *self,
                             const char       *language,
                             const char       *subject,
                             const char       *body)
{
  guint index = language_index (language);
  AdwEntryRow *subject_row;
  GtkTextView *body_view;
  GtkLabel *warning;

  g_return_if_fail (RS_IS_TEMPLATE_WINDOW (self));

  widgets_for (self, index, &subject_row, &body_view, &warning);
  gtk_editable_set_text (GTK_EDITABLE (subject_row), subject);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (body_view), body, -1);
  check_and_save (self, index);
}

/* How many unknown placeholders the text of @language has. */
guint
rs_template_window_get_n_unknown (RsTemplateWindow *self,
                                  const char       *language)
{
  g_return_val_if_fail (RS_IS_TEMPLATE_WINDOW (self), 0);

  return self->n_unknown[language_index (language)];
}

static void
put_back_default (RsTemplateWindow *self,
                  const char       *language)
{
  rs_template_window_set_text (self, language, rs_template_default_subject (language),
                               rs_template_default_body (language));
}

static void
reset_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   gpointer          user_data)
{
  RsTemplateWindow *self = user_data;

  if (g_str_equal (response, "replace"))
    put_back_default (self, g_object_get_data (G_OBJECT (dialog), "language"));
}

/* Whether the text of @language is the default one: then nothing is lost. */
static gboolean
is_default_text (RsTemplateWindow *self,
                 const char       *language)
{
  AdwEntryRow *subject_row;
  GtkTextView *body_view;
  GtkLabel *warning;
  g_autofree char *body = NULL;

  widgets_for (self, language_index (language), &subject_row, &body_view, &warning);
  body = buffer_text (gtk_text_view_get_buffer (body_view));

  return g_str_equal (gtk_editable_get_text (GTK_EDITABLE (subject_row)),
                      rs_template_default_subject (language)) &&
         g_str_equal (body, rs_template_default_body (language));
}

static void
reset_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  RsTemplateWindow *self = RS_TEMPLATE_WINDOW (widget);
  const char *language = gtk_stack_get_visible_child_name (self->stack);
  GtkWidget *dialog;

  if (is_default_text (self, language))
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Replace the Text With the Default?"),
                                   NULL);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               g_str_equal (language, "nl")
                               ? _("The Dutch subject and message as they are now will be "
                                   "lost.")
                               : _("The English subject and message as they are now will be "
                                   "lost."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "replace", _("_Replace"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "replace",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "language", g_strdup (language), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (reset_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

RsTemplateWindow *
rs_template_window_new (GtkWindow *parent)
{
  return g_object_new (RS_TYPE_TEMPLATE_WINDOW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
}

static void
rs_template_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_TEMPLATE_WINDOW);

  G_OBJECT_CLASS (rs_template_window_parent_class)->dispose (object);
}

static void
rs_template_window_finalize (GObject *object)
{
  RsTemplateWindow *self = (RsTemplateWindow *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (rs_template_window_parent_class)->finalize (object);
}

static void
rs_template_window_class_init (RsTemplateWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_template_window_dispose;
  object_class->finalize = rs_template_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rs-template-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RsTemplateWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RsTemplateWindow, help_label);
  gtk_widget_class_bind_template_child (widget_class, RsTemplateWindow, subject_en);
  gtk_widget_class_bind_template_child (widget_class, RsTemplateWindow, body_en);
  gtk_widget_class_bind_template_child (widget_class, RsTemplateWindow, warning_en);
  gtk_widget_class_bind_template_child (widget_class, RsTemplateWindow, subject_nl);
  gtk_widget_class_bind_template_child (widget_class, RsTemplateWindow, body_nl);
  gtk_widget_class_bind_template_child (widget_class, RsTemplateWindow, warning_nl);
  gtk_widget_class_bind_template_callback (widget_class, text_changed_cb);

  gtk_widget_class_install_action (widget_class, "template.reset", NULL, reset_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rs_template_window_init (RsTemplateWindow *self)
{
  g_autoptr(GString) placeholders = g_string_new (NULL);
  const char * const *names = rs_template_get_placeholders ();
  g_autofree char *help = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APP_ID);

  for (guint i = 0; names[i] != NULL; i++)
    g_string_append_printf (placeholders, "%s{%s}", i ? ", " : "", names[i]);
  /* Translators: the list of {placeholders} follows */
  help = g_strdup_printf (_("The language of each respondent decides which text they get. "
                            "These placeholders are filled in for each of them: %s."),
                          placeholders->str);
  gtk_label_set_label (self->help_label, help);

  self->loading = TRUE;
  /* Tags first: setting one text checks both. */
  gtk_text_buffer_create_tag (gtk_text_view_get_buffer (self->body_en), "unknown",
                              "underline", PANGO_UNDERLINE_ERROR, NULL);
  gtk_text_buffer_create_tag (gtk_text_view_get_buffer (self->body_nl), "unknown",
                              "underline", PANGO_UNDERLINE_ERROR, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *subject = rs_template_dup_subject (self->settings, languages[i]);
      g_autofree char *body = rs_template_dup_body (self->settings, languages[i]);
      AdwEntryRow *subject_row;
      GtkTextView *body_view;
      GtkLabel *warning;
      GtkTextBuffer *buffer;

      widgets_for (self, i, &subject_row, &body_view, &warning);
      buffer = gtk_text_view_get_buffer (body_view);
      gtk_editable_set_text (GTK_EDITABLE (subject_row), subject);
      gtk_text_buffer_set_text (buffer, body, -1);
      g_signal_connect_object (buffer, "changed", G_CALLBACK (text_changed_cb), self,
                               G_CONNECT_SWAPPED);
      check_and_save (self, i);
    }
  self->loading = FALSE;
}
