/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window-send"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-window-send-private.h"

/* The summary that asks before a round is sent: where it goes, how fast,
 * who is skipped and why, second reports to allow, and the password when
 * the keyring has none. */

static GArray *allowed_second_ids (AdwMessageDialog *dialog);

static void
send_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          user_data)
{
  RsWindow *self = user_data;
  SendSetup *setup = g_object_get_data (G_OBJECT (dialog), "rs-send-setup");
  GtkEditable *password = g_object_get_data (G_OBJECT (dialog), "rs-password");

  /* GTK 4.8's password entry and text view fail when their window is
   * destroyed while they have the focus, as after Enter or Tab in them. */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);

  if (password != NULL)
    {
      g_autofree char *typed = NULL;

      if (g_str_equal (response, "send"))
        typed = g_strdup (gtk_editable_get_text (password));
      gtk_editable_set_text (password, "");
      if (typed != NULL)
        {
          rs_window_send_clear_password (setup);
          setup->password = g_steal_pointer (&typed);
        }
    }

  if (!g_str_equal (response, "send") || !rs_window_is_idle (self))
    return;

  setup->allow_second_ids = allowed_second_ids (dialog);
  rs_window_send_start (self, setup);
}

static const char *
describe_skip (RsSendSkip skip)
{
  switch (skip)
    {
    case RS_SEND_SKIP_NOT_FOUND:
      return _("no longer in the database");
    case RS_SEND_SKIP_SENDING:
      return _("being sent right now by another send");
    case RS_SEND_SKIP_UNKNOWN:
      return _("interrupted while sending: check your Sent folder, then mark them");
    case RS_SEND_SKIP_SENT:
      return _("already sent");
    case RS_SEND_SKIP_FAILED:
      return _("sending failed before: use Retry Failed");
    case RS_SEND_SKIP_PROBLEM:
      return _("data in the master file keeps them from being sent");
    case RS_SEND_SKIP_NO_ADDRESS:
      return _("no valid e-mail address");
    case RS_SEND_SKIP_NO_REPORT:
      return _("no report: make the reports first");
    case RS_SEND_SKIP_REPORT_OUTDATED:
      return _("the report is out of date: make the reports again");
    case RS_SEND_SKIP_CHANGED:
      return _("changed while sending was prepared");
    case RS_SEND_SKIP_SECOND_REPORT:
      return _("their address has a report of this round already");
    case RS_SEND_SKIP_NONE:
    default:
      return "";
    }
}

#define N_EXAMPLES 2
#define EXAMPLE_CHARS 40

/* A name, or else the address, cut short: the summary keeps its size. */
static void
append_example (GString          *examples,
                const RsSendItem *item)
{
  const char *name = item->person;

  if (name == NULL || name[0] == '\0')
    name = item->email;
  if (name == NULL || name[0] == '\0')
    return;

  if (examples->len > 0)
    g_string_append (examples, ", ");
  if (g_utf8_strlen (name, -1) > EXAMPLE_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (name, 0, EXAMPLE_CHARS - 1);

      g_string_append_printf (examples, "%s…", cut);
    }
  else
    {
      g_string_append (examples, name);
    }
}

/* One line a reason, with a few names: the summary keeps its size however
 * many are skipped. */
static char *
describe_skipped (RsSendPlan *plan)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (RsSendSkip skip = RS_SEND_SKIP_NOT_FOUND; skip <= RS_SEND_SKIP_SECOND_REPORT; skip++)
    {
      g_autoptr(GString) examples = g_string_new (NULL);
      guint count = 0;

      for (guint i = 0; i < plan->skipped->len; i++)
        {
          RsSendItem *item = g_ptr_array_index (plan->skipped, i);

          if (item->skip != skip)
            continue;
          if (count < N_EXAMPLES)
            append_example (examples, item);
          count++;
        }
      if (count == 0)
        continue;

      if (count > N_EXAMPLES && examples->len > 0)
        g_string_append (examples, ", …");
      if (examples->len > 0)
        /* Translators: how many were skipped, why, and some of their names */
        g_string_append_printf (text, _("\n• %u: %s (%s)"), count, describe_skip (skip),
                                examples->str);
      else
        /* Translators: how many were skipped, and why */
        g_string_append_printf (text, _("\n• %u: %s"), count, describe_skip (skip));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Every skipped respondent with the reason, a line each, for the list. */
static GtkStringList *
list_skipped (RsSendPlan *plan)
{
  GtkStringList *lines = gtk_string_list_new (NULL);

  for (guint i = 0; i < plan->skipped->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->skipped, i);
      g_autofree char *line = NULL;

      /* Translators: person, company, e-mail address and why they are skipped */
      line = g_strdup_printf (_("%s (%s) <%s>: %s"),
                              item->person ? item->person : "",
                              item->company ? item->company : "",
                              item->email ? item->email : "",
                              item->reason ? item->reason : describe_skip (item->skip));
      gtk_string_list_append (lines, line);
    }

  return lines;
}

static void
skipped_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "caption");
  gtk_list_item_set_child (item, label);
}

static void
skipped_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item)
{
  GtkStringObject *line = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);

  gtk_label_set_label (GTK_LABEL (label), gtk_string_object_get_string (line));
  gtk_widget_set_tooltip_text (label, gtk_string_object_get_string (line));
}

static char *
describe_rate (guint rate,
               guint n)
{
  guint minutes;

  if (rate == 0)
    return g_strdup (_("No limit on messages a minute."));

  minutes = (n + rate - 1) / rate;
  /* Translators: the first %u is messages a minute, the second minutes */
  return g_strdup_printf (ngettext ("At most %u a minute: about %u minute.",
                                    "At most %u a minute: about %u minutes.", minutes),
                          rate, minutes);
}

/* All of them, however many: a list view makes rows only for what shows. */
static GtkWidget *
make_skipped_list (RsSendPlan *plan)
{
  g_autofree char *label = NULL;
  GtkListItemFactory *factory;
  GtkNoSelection *model;
  GtkWidget *box;
  GtkWidget *heading;
  GtkWidget *scrolled;
  GtkWidget *view;
  guint n = plan->skipped->len;

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (skipped_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (skipped_bind_cb), NULL);
  model = gtk_no_selection_new (G_LIST_MODEL (list_skipped (plan)));
  view = gtk_list_view_new (GTK_SELECTION_MODEL (model), factory);
  gtk_widget_add_css_class (view, "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Skipped respondents"), -1);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_size_request (scrolled, -1, 160);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);

  label = g_strdup_printf (ngettext ("The %u Skipped Respondent",
                                     "All %u Skipped Respondents", n), n);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  heading = gtk_label_new (label);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), scrolled);

  return box;
}

/* Send is offered when the round goes to someone and, when the password
 * is asked for here, one was typed: an empty one would only be refused by
 * the server. */
static void
update_send_response (AdwMessageDialog *dialog)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "rs-second-checks");
  GtkEditable *password = g_object_get_data (G_OBJECT (dialog), "rs-password");
  guint n = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "rs-to-send"));

  for (guint i = 0; checks != NULL && i < checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (checks, i)))
      n++;

  adw_message_dialog_set_response_enabled (dialog, "send",
                                           n > 0 && (password == NULL ||
                                                     *gtk_editable_get_text (password) != '\0'));
}

static void
second_toggled_cb (GtkCheckButton   *check,
                   AdwMessageDialog *dialog)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "rs-second-checks");
  guint n = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "rs-to-send"));
  g_autofree char *button = NULL;
  g_autofree char *heading = NULL;

  for (guint i = 0; i < checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (checks, i)))
      n++;

  /* The heading counts those the round goes to, as the button does. */
  heading = g_strdup_printf (ngettext ("Send the Report to %u Respondent?",
                                       "Send the Reports to %u Respondents?", n), n);
  adw_message_dialog_set_heading (dialog, heading);
  button = g_strdup_printf (ngettext ("_Send to %u Respondent", "_Send to %u Respondents", n),
                            n);
  adw_message_dialog_set_response_label (dialog, "send", button);
  update_send_response (dialog);
}

/* Those whose address has a report of this round already: a line for each
 * allowed a second one before, and a check to allow it for each of the
 * others. NULL when there are none. */
static GtkWidget *
make_second_reports (RsSendPlan       *plan,
                     AdwMessageDialog *dialog,
                     guint             n_to_send)
{
  GPtrArray *checks = g_ptr_array_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading;
  GtkWidget *list;
  GtkWidget *scrolled;
  guint n = 0;

  list = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  for (guint i = 0; i < plan->to_send->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->to_send, i);
      g_autofree char *text = NULL;
      GtkWidget *label;

      if (item->second_of == NULL)
        continue;
      /* Translators: person, e-mail address, who has a report there already */
      text = g_strdup_printf (_("%s <%s>: a second report, as allowed (%s has one)"),
                              item->person, item->email, item->second_of);
      label = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (list), label);
      n++;
    }
  for (guint i = 0; i < plan->skipped->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->skipped, i);
      g_autofree char *text = NULL;
      GtkWidget *check;

      if (item->skip != RS_SEND_SKIP_SECOND_REPORT)
        continue;
      /* Translators: person, e-mail address, who has a report there already */
      text = g_strdup_printf (_("Send %s <%s> a second report (%s has one)"),
                              item->person, item->email, item->second_of);
      check = gtk_check_button_new_with_label (text);
      g_object_set_data_full (G_OBJECT (check), "rs-id", g_memdup2 (&item->id, sizeof item->id),
                              g_free);
      g_signal_connect_object (check, "toggled", G_CALLBACK (second_toggled_cb), dialog, 0);
      gtk_box_append (GTK_BOX (list), check);
      g_ptr_array_add (checks, check);
      n++;
    }

  g_object_set_data_full (G_OBJECT (dialog), "rs-second-checks", checks,
                          (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data (G_OBJECT (dialog), "rs-to-send", GUINT_TO_POINTER (n_to_send));
  if (n == 0)
    {
      g_object_unref (g_object_ref_sink (box));
      g_object_unref (g_object_ref_sink (list));
      return NULL;
    }

  heading = gtk_label_new (_("Their Address Has a Report Already"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 160);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_box_append (GTK_BOX (box), scrolled);

  return box;
}

/* The ids whose check was set in the confirmation, or NULL. */
static GArray *
allowed_second_ids (AdwMessageDialog *dialog)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "rs-second-checks");
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (checks, i);

      if (gtk_check_button_get_active (check))
        g_array_append_val (ids, *(gint64 *) g_object_get_data (G_OBJECT (check), "rs-id"));
    }

  return ids;
}

static void
password_activate_cb (GtkPasswordEntry *entry,
                      AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "send"))
    {
      adw_message_dialog_response (dialog, "send");
      gtk_window_close (GTK_WINDOW (dialog));
    }
}

void
rs_window_send_show_confirmation (RsWindow  *self,
                                  SendSetup *setup)
{
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *skipped = NULL;
  g_autofree char *button = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *destination = NULL;
  GtkWidget *dialog;
  GtkWidget *extra;
  GtkWidget *second;
  guint n = setup->plan->to_send->len;

  if (setup->mode == RS_SEND_MODE_LIVE)
    {
      heading = g_strdup_printf (ngettext ("Send the Report to %u Respondent?",
                                           "Send the Reports to %u Respondents?", n), n);
      button = g_strdup_printf (ngettext ("_Send to %u Respondent", "_Send to %u Respondents", n),
                                n);
      destination = g_strdup (_("Each respondent gets their own report. This cannot be undone."));
    }
  else
    {
      heading = g_strdup_printf (ngettext ("Send %u Test Message?", "Send %u Test Messages?",
                                           n), n);
      button = g_strdup (ngettext ("_Send Test Message", "_Send Test Messages", n));
      /* Translators: %s is the test address */
      destination = g_strdup_printf (_("Every message goes to the test address %s; no status "
                                       "changes."),
                                     rs_mail_settings_get_test_address (setup->mail));
    }

  skipped = describe_skipped (setup->plan);
  rate = describe_rate (rs_mail_settings_get_rate_limit (setup->mail), n);
  /* Translators: where, from whom, how fast, and who is skipped */
  body = g_strdup_printf (_("%s\nServer: %s\nFrom: %s\n%s\nSkipped: %u%s"),
                          destination,
                          rs_mail_settings_get_transport (setup->mail) == RS_SEND_TRANSPORT_GRAPH
                          ? "Microsoft Graph" : rs_mail_settings_get_url (setup->mail),
                          rs_mail_settings_get_sender (setup->mail), rate,
                          setup->plan->skipped->len, skipped);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "send", button,
                                    NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "send", n > 0);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              setup->mode == RS_SEND_MODE_LIVE
                                              ? ADW_RESPONSE_DESTRUCTIVE
                                              : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  extra = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  /* Without a password from the keyring, it is asked for now. */
  if (setup->oauth == NULL && rs_mail_settings_get_user (setup->mail) != NULL
      && setup->password == NULL)
    {
      GtkWidget *entry = gtk_password_entry_new ();

      gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
      g_object_set (entry, "placeholder-text", _("Password of the mail server"), NULL);
      /* Typing the password and pressing Enter is a deliberate go. */
      g_signal_connect_object (entry, "activate", G_CALLBACK (password_activate_cb), dialog, 0);
      g_signal_connect_object (entry, "changed", G_CALLBACK (update_send_response), dialog,
                               G_CONNECT_SWAPPED);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Password of the mail server"), -1);
      gtk_box_append (GTK_BOX (extra), entry);
      g_object_set_data (G_OBJECT (dialog), "rs-password", entry);
    }
  second = make_second_reports (setup->plan, ADW_MESSAGE_DIALOG (dialog), n);
  if (second != NULL)
    gtk_box_append (GTK_BOX (extra), second);
  if (setup->plan->skipped->len > 0)
    gtk_box_append (GTK_BOX (extra), make_skipped_list (setup->plan));
  update_send_response (ADW_MESSAGE_DIALOG (dialog));
  if (gtk_widget_get_first_child (extra) != NULL)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), extra);
  else
    g_object_unref (g_object_ref_sink (extra));

  g_object_set_data_full (G_OBJECT (dialog), "rs-send-setup", setup, rs_window_send_setup_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (send_response_cb), self, 0);
  g_set_weak_pointer (&self->send_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}
