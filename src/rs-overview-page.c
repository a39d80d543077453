/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-overview-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "core/rs-dashboard-draw.h"
#include "core/rs-store-monitor.h"
#include "rs-overview-chart.h"
#include "rs-overview-page.h"

/* The round at a glance: every figure of the dashboard, drawn by the code
 * that draws the dashboard PDF, one section under the other, each with its
 * numbers as text too (for a screen reader and for copying). The figures
 * are computed in a worker on its own connection, again whenever the
 * database changes while the page is shown, and when it is shown after a
 * change; the page keeps showing the last figures meanwhile. */

#define MONITOR_INTERVAL_MS 1000

typedef struct
{
  RsOverviewPage *page;             /* unowned */
  RsDashboardSection section;
  GtkWidget *box;
  GtkWidget *area;
  GtkWidget *text;
  char *shown;                      /* the figures shown, as text */
} Section;

struct _RsOverviewPage
{
  AdwBin parent_instance;

  RsStore *store;
  RsStoreMonitor *monitor;
  GCancellable *cancellable;
  RsDashboard *dashboard;
  gboolean computing;
  gboolean compute_again;
  gboolean outdated;
  RsDashboardStyle style;           /* the colours the charts are drawn in */

  Section sections[RS_DASHBOARD_N_SECTIONS];

  GtkStack *stack;
  AdwStatusPage *error_page;
  GtkBox *sections_box;
  GtkLabel *computed_label;
};

G_DEFINE_FINAL_TYPE (RsOverviewPage, rs_overview_page, ADW_TYPE_BIN)

/* Returns: (transfer none) (nullable): the figures shown */
RsDashboard *
rs_overview_page_get_dashboard (RsOverviewPage *self)
{
  g_return_val_if_fail (RS_IS_OVERVIEW_PAGE (self), NULL);

  return self->dashboard;
}

/* Whether figures are being computed (or are due, the page being shown). */
gboolean
rs_overview_page_get_computing (RsOverviewPage *self)
{
  g_return_val_if_fail (RS_IS_OVERVIEW_PAGE (self), FALSE);

  return self->computing || self->compute_again;
}

static void
get_style (RsOverviewPage   *self,
           RsDashboardStyle *style)
{
  GdkRGBA color;
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  /* The text of the style; the window's own background under it. */
  style->foreground = (RsDashboardRgb) { color.red, color.green, color.blue };
  if (dark)
    {
      style->background = (RsDashboardRgb) { 0x24 / 255.0, 0x24 / 255.0, 0x24 / 255.0 };
      style->accent = (RsDashboardRgb) { 0x78 / 255.0, 0xae / 255.0, 0xed / 255.0 };
    }
  else
    {
      style->background = (RsDashboardRgb) { 0xfa / 255.0, 0xfa / 255.0, 0xfa / 255.0 };
      style->accent = (RsDashboardRgb) { 0x1c / 255.0, 0x71 / 255.0, 0xd8 / 255.0 };
    }
}

static void
show_dashboard (RsOverviewPage *self)
{
  const char *language = rs_dashboard_app_language ();
  g_autofree char *time = NULL;
  g_autofree char *computed = NULL;
  RsDashboardStyle style = { 0 };
  gboolean restyled;

  if (self->dashboard->respondents == 0)
    {
      /* The charts let go of the figures before: they are freed away. */
      for (guint i = 0; i < RS_DASHBOARD_N_SECTIONS; i++)
        rs_overview_chart_keep_figures (RS_OVERVIEW_CHART (self->sections[i].area),
                                        self->dashboard);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  time = g_date_time_format (self->dashboard->computed_at, "%X");
  /* Translators: %s is a time of day */
  computed = g_strdup_printf (_("Figures of every respondent but test entries, as of %s"), time);
  gtk_label_set_label (self->computed_label, computed);

  get_style (self, &style);
  restyled = memcmp (&style, &self->style, sizeof style) != 0;
  self->style = style;
  for (guint i = 0; i < RS_DASHBOARD_N_SECTIONS; i++)
    {
      Section *section = &self->sections[i];
      g_autofree char *text = rs_dashboard_section_describe (self->dashboard, section->section,
                                                             language);

      /* The text has every figure the chart draws: a section whose text is
       * the same is not drawn again (most refreshes change a few counts). */
      if (!restyled && g_strcmp0 (text, section->shown) == 0)
        {
          rs_overview_chart_keep_figures (RS_OVERVIEW_CHART (section->area), self->dashboard);
          continue;
        }

      gtk_label_set_label (GTK_LABEL (section->text), text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (section->area),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      rs_dashboard_section_title (section->section, language),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                      -1);
      rs_overview_chart_set_dashboard (RS_OVERVIEW_CHART (section->area), self->dashboard,
                                       &style);
      g_free (section->shown);
      section->shown = g_steal_pointer (&text);
    }

  gtk_stack_set_visible_child_name (self->stack, "figures");
}

static gpointer
unref_thread (gpointer data)
{
  rs_dashboard_unref (data);

  return NULL;
}

/* Figures of 100,000 respondents take tens of milliseconds to free (every
 * company's name): not in a frame of the main loop. */
static void
unref_in_worker (RsDashboard *dashboard)
{
  g_thread_unref (g_thread_new ("rs-overview-free", unref_thread, dashboard));
}

static void start_compute (RsOverviewPage *self);

static void
compute_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RsOverviewPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDashboard) dashboard = rs_dashboard_compute_finish (result, &error);

  self->computing = FALSE;
  if (dashboard == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The last figures stay; only without any is the error the page. */
      g_warning ("Overview: %s", error->message);
      if (self->dashboard == NULL)
        {
          adw_status_page_set_description (self->error_page, error->message);
          gtk_stack_set_visible_child_name (self->stack, "error");
        }
    }
  else
    {
      RsDashboard *old = g_steal_pointer (&self->dashboard);

      self->dashboard = g_steal_pointer (&dashboard);
      show_dashboard (self);
      /* The charts have let go of it: the last reference. */
      if (old != NULL)
        unref_in_worker (old);
    }

  if (self->compute_again)
    {
      self->compute_again = FALSE;
      start_compute (self);
    }
}

static void
start_compute (RsOverviewPage *self)
{
  if (self->store == NULL)
    return;

  /* Hidden, it computes once it is shown. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->outdated = TRUE;
      return;
    }

  if (self->computing)
    {
      self->compute_again = TRUE;
      return;
    }

  self->computing = TRUE;
  self->outdated = FALSE;
  rs_dashboard_compute_async (self->store, self->cancellable, compute_done_cb,
                              g_object_ref (self));
}

/* Computes the figures again now (when shown). */
void
rs_overview_page_refresh (RsOverviewPage *self)
{
  g_return_if_fail (RS_IS_OVERVIEW_PAGE (self));

  start_compute (self);
}

static void
store_changed_cb (RsOverviewPage *self)
{
  start_compute (self);
}

void
rs_overview_page_set_store (RsOverviewPage *self,
                            RsStore        *store)
{
  g_return_if_fail (RS_IS_OVERVIEW_PAGE (self));
  g_return_if_fail (RS_IS_STORE (store));
  g_return_if_fail (self->store == NULL);

  self->store = g_object_ref (store);
  self->monitor = rs_store_monitor_new (store, MONITOR_INTERVAL_MS);
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
  self->outdated = TRUE;
  start_compute (self);
}

static void
rs_overview_page_map (GtkWidget *widget)
{
  RsOverviewPage *self = RS_OVERVIEW_PAGE (widget);

  GTK_WIDGET_CLASS (rs_overview_page_parent_class)->map (widget);

  if (self->outdated)
    start_compute (self);
}

static void
style_changed_cb (RsOverviewPage *self)
{
  RsDashboardStyle style;

  if (self->dashboard == NULL)
    return;

  get_style (self, &style);
  self->style = style;
  for (guint i = 0; i < RS_DASHBOARD_N_SECTIONS; i++)
    rs_overview_chart_set_dashboard (RS_OVERVIEW_CHART (self->sections[i].area),
                                     self->dashboard, &style);
}

static void
build_sections (RsOverviewPage *self)
{
  const char *language = rs_dashboard_app_language ();

  for (guint i = 0; i < RS_DASHBOARD_N_SECTIONS; i++)
    {
      Section *section = &self->sections[i];
      GtkWidget *heading;
      GtkWidget *expander;

      section->page = self;
      section->section = (RsDashboardSection) i;
      section->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

      heading = gtk_label_new (rs_dashboard_section_title (section->section, language));
      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
      gtk_widget_add_css_class (heading, "heading");
      gtk_accessible_update_property (GTK_ACCESSIBLE (heading),
                                      GTK_ACCESSIBLE_PROPERTY_LEVEL, 2, -1);
      gtk_box_append (GTK_BOX (section->box), heading);

      section->area = rs_overview_chart_new (section->section);
      gtk_box_append (GTK_BOX (section->box), section->area);

      section->text = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (section->text), 0);
      gtk_label_set_wrap (GTK_LABEL (section->text), TRUE);
      gtk_label_set_selectable (GTK_LABEL (section->text), TRUE);
      gtk_widget_add_css_class (section->text, "caption");
      expander = gtk_expander_new_with_mnemonic (_("As _Text"));
      gtk_expander_set_child (GTK_EXPANDER (expander), section->text);
      gtk_box_append (GTK_BOX (section->box), expander);

      gtk_box_append (self->sections_box, section->box);
    }
}

static void
rs_overview_page_dispose (GObject *object)
{
  RsOverviewPage *self = RS_OVERVIEW_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->monitor);
  /* AdwBin drops its child, the template's stack, itself. */

  G_OBJECT_CLASS (rs_overview_page_parent_class)->dispose (object);
}

static void
rs_overview_page_finalize (GObject *object)
{
  RsOverviewPage *self = RS_OVERVIEW_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->dashboard, rs_dashboard_unref);
  for (guint i = 0; i < RS_DASHBOARD_N_SECTIONS; i++)
    g_free (self->sections[i].shown);

  G_OBJECT_CLASS (rs_overview_page_parent_class)->finalize (object);
}

static void
rs_overview_page_class_init (RsOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_overview_page_dispose;
  object_class->finalize = rs_overview_page_finalize;
  widget_class->map = rs_overview_page_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/resiliencescan/ResilienceScan/"
                                               "rs-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RsOverviewPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RsOverviewPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, RsOverviewPage, sections_box);
  gtk_widget_class_bind_template_child (widget_class, RsOverviewPage, computed_label);
}

static void
rs_overview_page_init (RsOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  build_sections (self);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (style_changed_cb), self, G_CONNECT_SWAPPED);
}
