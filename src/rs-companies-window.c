/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-companies-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-store-monitor.h"
#include "rs-companies-window.h"

/* Every company with the names its respondents wrote, the names proposed
 * as one company with Merge and Keep Apart, and Split for a merged one.
 * Reading and every change run in a worker thread on its own connection;
 * the window follows the database, so an import elsewhere shows here, and
 * a merge here shows in the main window. */

#define MONITOR_INTERVAL_MS 500
/* A proposal's row with its two lines of names, in pixels */
#define PROPOSAL_ROW_HEIGHT 80

struct _RsCompaniesWindow
{
  AdwWindow parent_instance;

  RsStore *store;
  RsStoreMonitor *monitor;
  GCancellable *cancellable;
  /* What the lists show: their rows are its companies and proposals */
  RsCompanies *data;
  gboolean loading;
  gboolean reload_again;
  /* A merge, split or keep-apart under way */
  gboolean busy;

  AdwToastOverlay *toasts;
  AdwWindowTitle *window_title;
  GtkStack *stack;
  AdwStatusPage *error_page;
  GtkWidget *proposals_box;
  GtkScrolledWindow *proposal_scroller;
  GtkListView *proposal_list;
  GtkStringList *proposal_model;
  GtkListView *company_list;
  GtkStringList *company_model;
};

G_DEFINE_FINAL_TYPE (RsCompaniesWindow, rs_companies_window, ADW_TYPE_WINDOW)

const RsCompanies *
rs_companies_window_get_companies (RsCompaniesWindow *self)
{
  g_return_val_if_fail (RS_IS_COMPANIES_WINDOW (self), NULL);

  return self->data;
}

gboolean
rs_companies_window_get_busy (RsCompaniesWindow *self)
{
  g_return_val_if_fail (RS_IS_COMPANIES_WINDOW (self), FALSE);

  return self->busy || self->loading;
}

static void
update_actions (RsCompaniesWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "companies.merge", !self->busy);
  gtk_widget_action_set_enabled (widget, "companies.keep-apart", !self->busy);
  gtk_widget_action_set_enabled (widget, "companies.split", !self->busy);
}

static void
replace_strings (GtkStringList *model,
                 GPtrArray     *strings)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

  g_ptr_array_add (strings, NULL);
  gtk_string_list_splice (model, 0, n, (const char * const *) strings->pdata);
}

static void
show_companies (RsCompaniesWindow *self,
                RsCompanies       *companies)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *counted = NULL;
  g_autofree char *proposed = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *focus;

  g_clear_pointer (&self->data, rs_companies_free);
  self->data = companies;

  /* The rows are made anew and the one with the button just pressed may
   * go: the window keeps the keyboard (Escape, Tab), not a row no longer
   * in it. */
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus != NULL && (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->proposal_list)) ||
                        gtk_widget_is_ancestor (focus, GTK_WIDGET (self->company_list))))
    gtk_window_set_focus (GTK_WINDOW (self), NULL);

  for (guint i = 0; i < companies->companies->len; i++)
    g_ptr_array_add (names, ((RsCompany *) g_ptr_array_index (companies->companies, i))->name);
  for (guint i = 0; i < companies->proposals->len; i++)
    {
      RsCompanyProposal *proposal = g_ptr_array_index (companies->proposals, i);

      g_ptr_array_add (pairs, g_strconcat (proposal->first->name, "\n", proposal->second->name,
                                           NULL));
    }
  /* The rows are bound again: a row reads its company by position. */
  replace_strings (self->company_model, names);
  replace_strings (self->proposal_model, pairs);

  counted = g_strdup_printf (ngettext ("%u company", "%u companies", companies->companies->len),
                             companies->companies->len);
  proposed = g_strdup_printf (ngettext ("%u proposal", "%u proposals",
                                        companies->proposals->len),
                              companies->proposals->len);
  /* Translators: “12 companies · 2 proposals” */
  subtitle = g_strdup_printf (C_("companies subtitle", "%s · %s"), counted, proposed);
  adw_window_title_set_subtitle (self->window_title, subtitle);

  /* Up to three proposals in full; the companies below keep the rest. */
  gtk_scrolled_window_set_min_content_height (self->proposal_scroller,
                                              MIN (companies->proposals->len, 3) *
                                              PROPOSAL_ROW_HEIGHT);
  gtk_widget_set_visible (self->proposals_box, companies->proposals->len > 0);
  gtk_stack_set_visible_child_name (self->stack,
                                    companies->companies->len > 0 ? "companies" : "empty");

}

static gpointer
load_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  return rs_companies_load (store, error);
}

static void start_load (RsCompaniesWindow *self);

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RsCompaniesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  RsCompanies *companies;

  self->loading = FALSE;
  companies = rs_store_run_finish (RS_STORE (object), result, &error);
  if (companies == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else if (self->data != NULL && rs_companies_equal (self->data, companies) &&
           g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "error") != 0)
    {
      /* A report run or a send changes nothing here: the rows, and a
       * button about to be pressed, stay. */
      rs_companies_free (companies);
    }
  else
    {
      show_companies (self, companies);
    }

  if (self->reload_again)
    {
      self->reload_again = FALSE;
      start_load (self);
    }
}

static void
start_load (RsCompaniesWindow *self)
{
  if (self->loading)
    {
      self->reload_again = TRUE;
      return;
    }

  self->loading = TRUE;
  rs_store_run_async (self->store, load_job, NULL, NULL, (GDestroyNotify) rs_companies_free,
                      self->cancellable, load_done_cb, g_object_ref (self));
}

static void
store_changed_cb (RsCompaniesWindow *self)
{
  start_load (self);
}

/* Merge, keep apart, split */

typedef enum
{
  CHANGE_MERGE,
  CHANGE_KEEP_APART,
  CHANGE_SPLIT,
} ChangeKind;

typedef struct
{
  ChangeKind kind;
  char *name;
  char *other;
} Change;

static void
change_free (gpointer data)
{
  Change *change = data;

  g_free (change->name);
  g_free (change->other);
  g_free (change);
}

/* Returns the sentence the window shows when it is done. */
static gpointer
change_job (RsStore       *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  Change *change = data;
  g_autofree char *name = NULL;

  switch (change->kind)
    {
    case CHANGE_MERGE:
      {
        const char *others[] = { change->other, NULL };

        name = rs_company_merge (store, change->name, others, error);
        if (name == NULL)
          return NULL;
        /* Translators: the merged company */
        return g_strdup_printf (_("Merged into “%s”; its reports are outdated"), name);
      }

    case CHANGE_SPLIT:
      name = rs_company_split (store, change->name, error);
      if (name == NULL)
        return NULL;
      /* Translators: the company that was split */
      return g_strdup_printf (_("“%s” is split into its names again"), name);

    case CHANGE_KEEP_APART:
    default:
      if (!rs_company_keep_apart (store, change->name, change->other, error))
        return NULL;
      /* Translators: two companies */
      return g_strdup_printf (_("“%s” and “%s” are kept apart"), change->name, change->other);
    }
}

static void
change_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RsCompaniesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *done = NULL;

  self->busy = FALSE;
  update_actions (self);

  done = rs_store_run_finish (RS_STORE (object), result, &error);
  if (done == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
    }
  else
    {
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (done));
    }

  start_load (self);
}

static void
start_change (RsCompaniesWindow *self,
              ChangeKind         kind,
              const char        *name,
              const char        *other)
{
  Change *change;

  if (self->busy)
    return;

  change = g_new0 (Change, 1);
  change->kind = kind;
  change->name = g_strdup (name);
  change->other = g_strdup (other);
  self->busy = TRUE;
  update_actions (self);
  rs_store_run_async (self->store, change_job, change, change_free, g_free, self->cancellable,
                      change_done_cb, g_object_ref (self));
}

static void
merge_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  const char *name;
  const char *other;

  g_variant_get (parameter, "(&s&s)", &name, &other);
  start_change (RS_COMPANIES_WINDOW (widget), CHANGE_MERGE, name, other);
}

static void
keep_apart_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  const char *name;
  const char *other;

  g_variant_get (parameter, "(&s&s)", &name, &other);
  start_change (RS_COMPANIES_WINDOW (widget), CHANGE_KEEP_APART, name, other);
}

static void
split_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  start_change (RS_COMPANIES_WINDOW (widget), CHANGE_SPLIT,
                g_variant_get_string (parameter, NULL), NULL);
}

/* Rows */

static GtkWidget *
make_row (GtkWidget **title,
          GtkWidget **subtitle)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  *title = gtk_label_new (NULL);
  *subtitle = gtk_label_new (NULL);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_label_set_xalign (GTK_LABEL (*title), 0);
  gtk_label_set_wrap (GTK_LABEL (*title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (*title), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (*subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (*subtitle), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (*subtitle), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (*subtitle, "dim-label");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (labels), *title);
  gtk_box_append (GTK_BOX (labels), *subtitle);
  gtk_box_append (GTK_BOX (box), labels);

  return box;
}

static GtkWidget *
make_button (GtkWidget  *box,
             const char *label)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), button);

  return button;
}

static void
setup_proposal_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  GtkWidget *title;
  GtkWidget *subtitle;
  GtkWidget *box = make_row (&title, &subtitle);
  GtkWidget *merge;

  gtk_widget_add_css_class (title, "heading");
  merge = make_button (box, _("_Merge"));
  gtk_widget_add_css_class (merge, "suggested-action");
  make_button (box, _("_Keep Apart"));
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_child (item, box);
}

static void
set_action (GtkWidget  *button,
            const char *action,
            GVariant   *target)
{
  /* The target first: a name without one does not fit the action. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), NULL);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
}

static const char *
describe_reason (RsCompanyReason reason)
{
  if (reason == RS_COMPANY_SAME_KEY)
    /* Translators: why two companies are proposed as one */
    return _("The same name without case, accents, punctuation and legal form");

  /* Translators: why two companies are proposed as one */
  return _("Names a letter or two apart");
}

static void
bind_proposal_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  RsCompaniesWindow *self = user_data;
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *labels = gtk_widget_get_first_child (box);
  GtkWidget *title = gtk_widget_get_first_child (labels);
  GtkWidget *subtitle = gtk_widget_get_last_child (labels);
  GtkWidget *merge = gtk_widget_get_next_sibling (labels);
  GtkWidget *apart = gtk_widget_get_last_child (box);
  guint position = gtk_list_item_get_position (item);
  RsCompanyProposal *proposal;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *details = NULL;
  g_autofree char *merge_tip = NULL;
  g_autofree char *apart_tip = NULL;

  if (self->data == NULL || position >= self->data->proposals->len)
    return;

  proposal = g_ptr_array_index (self->data->proposals, position);
  first = rs_company_describe_variants (proposal->first);
  second = rs_company_describe_variants (proposal->second);
  /* Translators: two companies proposed as one */
  heading = g_strdup_printf (_("%s and %s"), proposal->first->name, proposal->second->name);
  /* Translators: why they are proposed, then the names each company's
   * respondents wrote, with how many wrote them */
  details = g_strdup_printf (_("%s. Written as %s; and as %s"), describe_reason (proposal->reason),
                             first, second);
  gtk_label_set_label (GTK_LABEL (title), heading);
  gtk_label_set_label (GTK_LABEL (subtitle), details);

  /* Translators: a tooltip; the company merged, then the one it goes into */
  merge_tip = g_strdup_printf (_("Merge “%s” into “%s”"), proposal->second->name,
                               proposal->first->name);
  /* Translators: a tooltip, with two companies */
  apart_tip = g_strdup_printf (_("Keep “%s” and “%s” as two companies"), proposal->first->name,
                               proposal->second->name);
  gtk_widget_set_tooltip_text (merge, merge_tip);
  gtk_widget_set_tooltip_text (apart, apart_tip);
  set_action (merge, "companies.merge",
              g_variant_new ("(ss)", proposal->first->name, proposal->second->name));
  set_action (apart, "companies.keep-apart",
              g_variant_new ("(ss)", proposal->first->name, proposal->second->name));
}

static void
setup_company_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *title;
  GtkWidget *subtitle;
  GtkWidget *box = make_row (&title, &subtitle);

  make_button (box, _("_Split"));
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_child (item, box);
}

static void
bind_company_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  RsCompaniesWindow *self = user_data;
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *labels = gtk_widget_get_first_child (box);
  GtkWidget *title = gtk_widget_get_first_child (labels);
  GtkWidget *subtitle = gtk_widget_get_last_child (labels);
  GtkWidget *split = gtk_widget_get_last_child (box);
  guint position = gtk_list_item_get_position (item);
  g_autofree char *respondents = NULL;
  g_autofree char *details = NULL;
  RsCompany *company;

  if (self->data == NULL || position >= self->data->companies->len)
    return;

  company = g_ptr_array_index (self->data->companies, position);
  respondents = g_strdup_printf (ngettext ("%u respondent", "%u respondents",
                                           company->respondents),
                                 company->respondents);
  if (company->merged || company->variants->len > 1)
    {
      g_autofree char *variants = rs_company_describe_variants (company);

      if (company->merged)
        /* Translators: respondents, then the names merged into the company */
        details = g_strdup_printf (_("%s · merged: %s"), respondents, variants);
      else
        /* Translators: respondents, then the ways they wrote the company's name */
        details = g_strdup_printf (_("%s · written as: %s"), respondents, variants);
    }
  gtk_label_set_label (GTK_LABEL (title), company->name);
  gtk_label_set_label (GTK_LABEL (subtitle), details != NULL ? details : respondents);

  gtk_widget_set_visible (split, company->merged);
  if (company->merged)
    {
      g_autofree char *tip = NULL;

      /* Translators: a tooltip, with a merged company */
      tip = g_strdup_printf (_("Make each name of “%s” a company of its own again"),
                             company->name);
      gtk_widget_set_tooltip_text (split, tip);
      set_action (split, "companies.split", g_variant_new_string (company->name));
    }
  else
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (split), NULL);
    }
}

/**
 * rs_companies_window_new:
 *
 * The Companies window of @store, over @parent.
 */
RsCompaniesWindow *
rs_companies_window_new (GtkWindow *parent,
                         RsStore   *store)
{
  RsCompaniesWindow *self;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  /* Not modal: the table of respondents is worked on next to it. */
  self = g_object_new (RS_TYPE_COMPANIES_WINDOW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->store = g_object_ref (store);
  self->monitor = rs_store_monitor_new (store, MONITOR_INTERVAL_MS);
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
  start_load (self);

  return self;
}

static void
rs_companies_window_dispose (GObject *object)
{
  RsCompaniesWindow *self = RS_COMPANIES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->monitor);
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_COMPANIES_WINDOW);

  G_OBJECT_CLASS (rs_companies_window_parent_class)->dispose (object);
}

static void
rs_companies_window_finalize (GObject *object)
{
  RsCompaniesWindow *self = RS_COMPANIES_WINDOW (object);

  g_clear_pointer (&self->data, rs_companies_free);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (rs_companies_window_parent_class)->finalize (object);
}

static void
rs_companies_window_class_init (RsCompaniesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_companies_window_dispose;
  object_class->finalize = rs_companies_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rs-companies-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RsCompaniesWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, RsCompaniesWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, RsCompaniesWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RsCompaniesWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, RsCompaniesWindow, proposals_box);
  gtk_widget_class_bind_template_child (widget_class, RsCompaniesWindow, proposal_scroller);
  gtk_widget_class_bind_template_child (widget_class, RsCompaniesWindow, proposal_list);
  gtk_widget_class_bind_template_child (widget_class, RsCompaniesWindow, proposal_model);
  gtk_widget_class_bind_template_child (widget_class, RsCompaniesWindow, company_list);
  gtk_widget_class_bind_template_child (widget_class, RsCompaniesWindow, company_model);

  gtk_widget_class_install_action (widget_class, "companies.merge", "(ss)", merge_action);
  gtk_widget_class_install_action (widget_class, "companies.keep-apart", "(ss)",
                                   keep_apart_action);
  gtk_widget_class_install_action (widget_class, "companies.split", "s", split_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rs_companies_window_init (RsCompaniesWindow *self)
{
  g_autoptr(GtkListItemFactory) proposal_factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) company_factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->stack, "loading");

  g_signal_connect (proposal_factory, "setup", G_CALLBACK (setup_proposal_cb), self);
  g_signal_connect (proposal_factory, "bind", G_CALLBACK (bind_proposal_cb), self);
  gtk_list_view_set_factory (self->proposal_list, proposal_factory);
  g_signal_connect (company_factory, "setup", G_CALLBACK (setup_company_cb), self);
  g_signal_connect (company_factory, "bind", G_CALLBACK (bind_company_cb), self);
  gtk_list_view_set_factory (self->company_list, company_factory);
}
