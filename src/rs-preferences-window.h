/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RS_TYPE_PREFERENCES_WINDOW (rs_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (RsPreferencesWindow, rs_preferences_window, RS, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

RsPreferencesWindow *rs_preferences_window_new (GtkWindow *parent);
/* Shows the E-mail page and starts signing in, as Sign In does. */
void                 rs_preferences_window_sign_in (RsPreferencesWindow *self);

G_END_DECLS
