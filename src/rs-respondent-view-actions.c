/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-respondent-view"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-details-window.h"
#include "rs-respondent-view-private.h"

/* What a person does in the table: details, reports, search, the context
 * menu and moving the focus on. */

static AdwToastOverlay *
get_toast_overlay (RsRespondentView *self)
{
  return ADW_TOAST_OVERLAY (gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY));
}

static void
add_toast (RsRespondentView *self,
           AdwToast         *toast)
{
  AdwToastOverlay *overlay = get_toast_overlay (self);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
show_error (RsRespondentView *self,
            const char       *heading,
            const GError     *error)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   heading, error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Tab leaves the table for the next control instead of walking through
 * every row: the table is left out of the focus chain for one move. */
static gboolean
table_key_pressed_cb (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      RsRespondentView      *self)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));
  GtkDirectionType direction;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  if (keyval == GDK_KEY_ISO_Left_Tab || (keyval == GDK_KEY_Tab && (state & GDK_SHIFT_MASK)))
    direction = GTK_DIR_TAB_BACKWARD;
  else if (keyval == GDK_KEY_Tab || keyval == GDK_KEY_KP_Tab)
    direction = GTK_DIR_TAB_FORWARD;
  else
    return FALSE;

  if (root == NULL)
    return FALSE;

  gtk_widget_set_can_focus (GTK_WIDGET (self->column_view), FALSE);
  if (!gtk_widget_child_focus (root, direction))
    {
      gtk_root_set_focus (GTK_ROOT (root), NULL);
      gtk_widget_child_focus (root, direction);
    }
  gtk_widget_set_can_focus (GTK_WIDGET (self->column_view), TRUE);

  return TRUE;
}

/* Try Again after the table could not be read. */
static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);

  rs_respondent_view_update_page (self);
  rs_respondent_view_refresh (self);
}

static void
show_details_for (RsRespondentView *self,
                  RsRespondent     *respondent)
{
  RsDetailsWindow *details;

  details = rs_details_window_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   self->store, rs_respondent_get_id (respondent));
  gtk_window_present (GTK_WINDOW (details));
}

static void
show_details_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  if (gtk_bitset_is_empty (selected) || self->store == NULL)
    return;

  show_details_for (self, rs_respondent_view_respondent_at (self, gtk_bitset_get_minimum (selected)));
}

static void
row_activated_cb (RsRespondentView *self,
                  guint             position,
                  GtkColumnView    *column_view)
{
  if (position < g_list_model_get_n_items (G_LIST_MODEL (self->visible)) && self->store != NULL)
    show_details_for (self, rs_respondent_view_respondent_at (self, position));
}

static RsRespondent *
first_selected (RsRespondentView *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  if (gtk_bitset_is_empty (selected))
    return NULL;

  return g_object_ref (rs_respondent_view_respondent_at (self, gtk_bitset_get_minimum (selected)));
}

static void
launch_uri_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RsRespondentView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_error (self, _("Could Not Open the Report"), error);
}

static void
open_report_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);
  g_autoptr(RsRespondent) respondent = first_selected (self);
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;
  const char *path;

  if (respondent == NULL || (path = rs_respondent_get_report_path (respondent)) == NULL)
    {
      add_toast (self, adw_toast_new (_("There is no report yet: make it first")));
      return;
    }

  file = g_file_new_for_path (path);
  if (g_str_equal (action_name, "respondents.show-in-folder"))
    {
      g_autoptr(GFile) folder = g_file_get_parent (file);

      uri = g_file_get_uri (folder);
    }
  else
    {
      uri = g_file_get_uri (file);
    }

  g_app_info_launch_default_for_uri_async (uri, NULL, self->cancellable, launch_uri_cb,
                                           g_object_ref (self));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
popup_context_menu (RsRespondentView *self,
                    double            x,
                    double            y)
{
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };

  if (self->context_menu_popover == NULL)
    {
      self->context_menu_popover = gtk_popover_menu_new_from_model (self->context_menu);
      gtk_widget_set_parent (self->context_menu_popover, GTK_WIDGET (self));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu_popover), FALSE);
      gtk_widget_set_halign (self->context_menu_popover, GTK_ALIGN_START);
    }

  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu_popover), &rect);
  gtk_popover_popup (GTK_POPOVER (self->context_menu_popover));
}

static guint
position_at (RsRespondentView *self,
             double            x,
             double            y)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);

  for (; picked != NULL; picked = gtk_widget_get_parent (picked))
    {
      GtkListItem *item = g_object_get_data (G_OBJECT (picked), "rs-list-item");

      if (item != NULL)
        return gtk_list_item_get_position (item);
      if (picked == GTK_WIDGET (self->column_view))
        break;
    }

  return GTK_INVALID_LIST_POSITION;
}

static void
context_click_cb (GtkGestureClick  *gesture,
                  int               n_press,
                  double            x,
                  double            y,
                  RsRespondentView *self)
{
  guint position = position_at (self, x, y);

  if (position != GTK_INVALID_LIST_POSITION &&
      !gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);

  popup_context_menu (self, x, y);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
context_menu_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));
  graphene_point_t point = GRAPHENE_POINT_INIT (24, 24);

  if (focus != NULL && gtk_widget_is_ancestor (focus, widget))
    {
      graphene_point_t origin = GRAPHENE_POINT_INIT (0, 0);

      if (!gtk_widget_compute_point (focus, widget, &origin, &point))
        point = GRAPHENE_POINT_INIT (24, 24);
      point.y += gtk_widget_get_height (focus);
    }

  popup_context_menu (self, point.x, point.y);
}

void
rs_respondent_view_actions_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_install_action (widget_class, "respondents.show-details", NULL,
                                   show_details_action);
  gtk_widget_class_install_action (widget_class, "respondents.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "respondents.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "respondents.open-report", NULL,
                                   open_report_action);
  gtk_widget_class_install_action (widget_class, "respondents.show-in-folder", NULL,
                                   open_report_action);
  gtk_widget_class_install_action (widget_class, "respondents.context-menu", NULL,
                                   context_menu_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0,
                                       "respondents.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                       "respondents.context-menu", NULL);
}

void
rs_respondent_view_actions_init (RsRespondentView *self)
{
  GtkEventController *key;
  GtkGesture *click;

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (table_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), key);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (context_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (click));
}
