/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define RS_TYPE_TEMPLATE_WINDOW (rs_template_window_get_type ())
G_DECLARE_FINAL_TYPE (RsTemplateWindow, rs_template_window, RS, TEMPLATE_WINDOW, AdwWindow)

RsTemplateWindow *rs_template_window_new          (GtkWindow        *parent);
guint             rs_template_window_get_n_unknown (RsTemplateWindow *self,
                                                    const char       *language);
void              rs_template_window_set_text     (RsTemplateWindow *self,
                                                   const char       *language,
                                                   const char       *subject,
                                                   const char       *body);
char             *rs_template_dup_subject         (GSettings        *settings,
                                                   const char       *language);
char             *rs_template_dup_body            (GSettings        *settings,
                                                   const char       *language);

G_END_DECLS
