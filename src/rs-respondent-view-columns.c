/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-respondent-view"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-scores.h"
#include "rs-respondent-view-private.h"

/* The table's columns: a cell factory for each, the columns that give way
 * in a narrow window, and which column sorts. */

/* Cells */

/* Setting a tooltip asks the X server where the pointer is: only do it
 * when the tooltip really changes. */
static void
set_tooltip (GtkWidget  *widget,
             const char *text)
{
  if (text != NULL && text[0] == '\0')
    text = NULL;

  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

/* Style classes of a cell, one static array each. A cell changes its
 * classes only when they differ: each change has GTK compute its style
 * anew, and GTK 4.8 binds every cell again whenever rows shift. */
static const char *no_classes[] = { NULL };
static const char *warning_classes[] = { "warning", NULL };
static const char *dim_classes[] = { "dim-label", NULL };
static const char *status_classes[][3] = {
  [RS_STATUS_PENDING] = { "status", "status-pending", NULL },
  [RS_STATUS_SENDING] = { "status", "status-sending", NULL },
  [RS_STATUS_SENT] = { "status", "status-sent", NULL },
  [RS_STATUS_FAILED] = { "status", "status-failed", NULL },
  [RS_STATUS_UNKNOWN] = { "status", "status-unknown", NULL },
};

static void
set_cell (GtkInscription  *label,
          const char      *text,
          const char     **classes,
          const char      *tooltip)
{
  if (g_object_get_data (G_OBJECT (label), "rs-classes") != classes)
    {
      gtk_widget_set_css_classes (GTK_WIDGET (label), classes);
      g_object_set_data (G_OBJECT (label), "rs-classes", classes);
    }
  /* The inscription compares the text itself. */
  gtk_inscription_set_text (label, text);
  set_tooltip (GTK_WIDGET (label), tooltip);
}

/* One GtkInscription a cell: unlike a label, it is not measured for its text. */
static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 0);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (label), 4);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (label), 12);
  gtk_list_item_set_child (item, label);
  g_object_set_data (G_OBJECT (label), "rs-classes", no_classes);
  /* For the context menu: which row was clicked. */
  g_object_set_data (G_OBJECT (label), "rs-list-item", item);
}

typedef void (*CellUpdate) (GtkInscription *label,
                            RsRespondent   *respondent);

static void
update_cell (GtkListItem *item)
{
  CellUpdate update = g_object_get_data (G_OBJECT (item), "rs-cell-update");
  RsRow *row = gtk_list_item_get_item (item);

  update (GTK_INSCRIPTION (gtk_list_item_get_child (item)), rs_row_get_respondent (row));
}

/* The respondent changed in place. */
static void
respondent_notify_cb (RsRespondent *respondent,
                      GParamSpec   *pspec,
                      GtkListItem  *item)
{
  update_cell (item);
}

static void
watch_respondent (GtkListItem  *item,
                  RsRespondent *respondent)
{
  RsRespondent *watched = g_object_get_data (G_OBJECT (item), "rs-respondent");

  if (watched == respondent)
    return;

  if (watched != NULL)
    g_signal_handlers_disconnect_by_func (watched, respondent_notify_cb, item);
  /* Changes are notified all at once, frozen: the last property is enough. */
  if (respondent != NULL)
    g_signal_connect_object (respondent, "notify::report-state",
                             G_CALLBACK (respondent_notify_cb), item, 0);
  g_object_set_data_full (G_OBJECT (item), "rs-respondent",
                          respondent ? g_object_ref (respondent) : NULL,
                          respondent ? g_object_unref : NULL);
}

/* The row shows another respondent. */
static void
row_changed_cb (RsRow       *row,
                GtkListItem *item)
{
  watch_respondent (item, rs_row_get_respondent (row));
  update_cell (item);
}

static void
bind_cell (GtkListItem *item,
           CellUpdate   update)
{
  RsRow *row = gtk_list_item_get_item (item);

  g_object_set_data (G_OBJECT (item), "rs-cell-update", update);
  watch_respondent (item, rs_row_get_respondent (row));
  update_cell (item);
  g_signal_connect_object (row, "changed", G_CALLBACK (row_changed_cb), item, 0);
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), row_changed_cb, item);
  watch_respondent (item, NULL);
}

static void
company_update (GtkInscription *label,
                RsRespondent   *respondent)
{
  const char *problem = rs_respondent_get_problem (respondent);
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  if (problem == NULL)
    {
      set_cell (label, rs_respondent_get_company (respondent), no_classes, NULL);
      return;
    }

  /* A sign that reads without colour; the tooltip says why. */
  text = g_strconcat ("⚠ ", rs_respondent_get_company (respondent), NULL);
  /* Translators: the problem found in the master file follows */
  tooltip = g_strdup_printf (_("Cannot be sent: %s"), problem);
  set_cell (label, text, warning_classes, tooltip);
}

static void
person_update (GtkInscription *label,
               RsRespondent   *respondent)
{
  set_cell (label, rs_respondent_get_person (respondent), no_classes, NULL);
}

static void
email_update (GtkInscription *label,
              RsRespondent   *respondent)
{
  set_cell (label, rs_respondent_get_email (respondent), no_classes, NULL);
}

static void
report_update (GtkInscription *label,
               RsRespondent   *respondent)
{
  RsReportState state = rs_respondent_get_report_state (respondent);
  g_autofree char *text = rs_respondent_dup_report_label (respondent);

  const char **classes = dim_classes;

  /* A made report whose file has gone is a problem; the others are states. */
  if (state == RS_REPORT_READY)
    classes = no_classes;
  else if (state == RS_REPORT_MISSING)
    classes = warning_classes;

  /* The reason can be longer than the column is wide. */
  set_cell (label, text, classes, state == RS_REPORT_NOT_POSSIBLE ? text : NULL);
}

static void
status_update (GtkInscription *label,
               RsRespondent   *respondent)
{
  RsStatus status = rs_respondent_get_status (respondent);
  const char *error = rs_respondent_get_error (respondent);
  const char *tooltip = NULL;

  g_return_if_fail ((guint) status < G_N_ELEMENTS (status_classes));

  if (error != NULL && status == RS_STATUS_FAILED)
    tooltip = error;
  else if (status == RS_STATUS_UNKNOWN)
    tooltip = _("Interrupted while sending: check your Sent folder");

  set_cell (label, rs_status_get_label (status), status_classes[status], tooltip);
}

static gboolean
shows_sent_time (RsStatus status)
{
  return status == RS_STATUS_SENT || status == RS_STATUS_UNKNOWN;
}

static void
sent_update (GtkInscription *label,
             RsRespondent   *respondent)
{
  gint64 sent_at = rs_respondent_get_sent_at (respondent);
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *text = NULL;

  /* A mark by hand keeps the time of an earlier send; it is not shown
   * unless the status says sent (or that sending was begun). */
  if (!shows_sent_time (rs_respondent_get_status (respondent)))
    sent_at = 0;

  if (sent_at > 0 && (utc = g_date_time_new_from_unix_utc (sent_at)) != NULL)
    {
      local = g_date_time_to_local (utc);
      text = g_date_time_format (local, "%Y-%m-%d %H:%M");
    }

  set_cell (label, text ? text : "", no_classes, NULL);
}

static void
mode_update (GtkInscription *label,
             RsRespondent   *respondent)
{
  const char *mode = rs_respondent_get_mode (respondent);
  const char *text = "";

  if (!shows_sent_time (rs_respondent_get_status (respondent)))
    mode = NULL;

  if (g_strcmp0 (mode, "test") == 0)
    text = C_("send mode", "Test");
  else if (g_strcmp0 (mode, "live") == 0)
    text = C_("send mode", "Live");

  set_cell (label, text, no_classes, NULL);
}

static void
note_update (GtkInscription *label,
             RsRespondent   *respondent)
{
  const char *note = rs_respondent_get_note (respondent);

  set_cell (label, note, no_classes, note);
}

static void
company_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  bind_cell (item, company_update);
}

static void
person_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  bind_cell (item, person_update);
}

static void
email_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  bind_cell (item, email_update);
}

static void
report_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  bind_cell (item, report_update);
}

static void
status_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  bind_cell (item, status_update);
}

static void
sent_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  bind_cell (item, sent_update);
}

static void
mode_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  bind_cell (item, mode_update);
}

static void
note_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  bind_cell (item, note_update);
}

/* Narrow windows: the less important columns give way, widest first to go
 * the note, then the mode, then when it was sent. */
static gboolean
update_columns_idle (gpointer data)
{
  RsRespondentView *self = data;
  int width = self->allocated_width;

  gboolean narrow = width < 780;

  self->columns_idle = 0;
  gtk_column_view_column_set_visible (self->note_column, width >= 1000);
  gtk_column_view_column_set_visible (self->mode_column, width >= 900);
  gtk_column_view_column_set_visible (self->sent_column, !narrow);

  /* Below that the others share about 580 px, so that the status shows
   * without scrolling; back to their widths when there is room again. */
  if (narrow != self->narrow_columns)
    {
      self->narrow_columns = narrow;
      gtk_column_view_column_set_fixed_width (self->company_column, narrow ? 130 : 200);
      gtk_column_view_column_set_fixed_width (self->person_column, narrow ? 110 : 160);
      gtk_column_view_column_set_fixed_width (self->email_column, narrow ? 140 : 210);
      gtk_column_view_column_set_fixed_width (self->report_column, narrow ? 90 : 110);
    }

  return G_SOURCE_REMOVE;
}

void
rs_respondent_view_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child != NULL)
    gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline,
                        natural_baseline);
}

/* The view allocates its one child itself, to learn its width. */
void
rs_respondent_view_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);

  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child != NULL)
    gtk_widget_allocate (child, width, height, baseline, NULL);

  /* Columns cannot change while the view is being allocated. */
  if (width != self->allocated_width)
    {
      self->allocated_width = width;
      if (self->columns_idle == 0)
        self->columns_idle = g_idle_add (update_columns_idle, self);
    }
}

/* Sorting: the column view keeps which column sorts, and in which
 * direction; the visible list does the sorting. GTK 4.8 cannot say which
 * column that is, so two probe respondents, the first before the second in
 * every column, are compared through it and the column's sorter notes itself. */

typedef struct
{
  RsRespondentView *self;
  RsSortColumn column;
} ColumnSorter;

static int
column_compare (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  ColumnSorter *sorter = user_data;

  sorter->self->probed_column = sorter->column;
  return rs_visible_list_compare (sorter->column, (RsRespondent *) a, (RsRespondent *) b);
}

static void
sort_changed_cb (RsRespondentView *self,
                 GtkSorterChange   change,
                 GtkSorter        *sorter)
{
  GtkOrdering order;

  self->probed_column = RS_SORT_NONE;
  order = gtk_sorter_compare (sorter, self->probe_low, self->probe_high);
  rs_respondent_view_apply_filter_and_sort (self, FALSE, self->probed_column, order == GTK_ORDERING_LARGER);
}

void
rs_respondent_view_setup_sorting (RsRespondentView *self)
{
  const struct {
    GtkColumnViewColumn *column;
    RsSortColumn sort;
  } columns[] = {
    { self->company_column, RS_SORT_COMPANY },
    { self->person_column, RS_SORT_PERSON },
    { self->email_column, RS_SORT_EMAIL },
    { self->report_column, RS_SORT_REPORT },
    { self->status_column, RS_SORT_STATUS },
    { self->sent_column, RS_SORT_SENT },
    { self->mode_column, RS_SORT_MODE },
    { self->note_column, RS_SORT_NOTE },
  };
  RsRespondentData low = {
    .id = 1, .company = "a", .person = "a", .email = "a", .mode = "a", .note = "a",
    .status = RS_STATUS_PENDING, .sent_at = 1, .n_scores = RS_N_SCORES,
  };
  RsRespondentData high = {
    .id = 2, .company = "b", .person = "b", .email = "b", .mode = "b", .note = "b",
    .status = RS_STATUS_UNKNOWN, .sent_at = 2, .n_scores = 0,
  };

  self->probe_low = rs_respondent_new (&low);
  self->probe_high = rs_respondent_new (&high);

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      ColumnSorter *data = g_new0 (ColumnSorter, 1);
      g_autoptr(GtkSorter) sorter = NULL;

      data->self = self;
      data->column = columns[i].sort;
      sorter = GTK_SORTER (gtk_custom_sorter_new (column_compare, data, g_free));
      gtk_column_view_column_set_sorter (columns[i].column, sorter);
    }

  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (sort_changed_cb), self, G_CONNECT_SWAPPED);
}

void
rs_respondent_view_columns_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, cell_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, cell_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, company_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, person_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, email_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, report_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, status_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, sent_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, mode_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, note_bind_cb);
}
