/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "core/rs-mail-settings.h"
#include "core/rs-oauth.h"
#include "core/rs-send-job.h"
#include "rs-window-private.h"

G_BEGIN_DECLS

/* What the send flow's parts share: the plan and the sending
 * (rs-window-send.c) and the confirmation that asks before it
 * (rs-window-send-confirm.c). */

typedef enum
{
  SEND_TEST,       /* a sample: the selected, or one respondent, to the test address */
  SEND_SELECTED,   /* the selected respondents, for real */
  SEND_EVERYONE,   /* everyone pending, for real */
  SEND_RETRY,      /* everyone whose sending failed, for real */
} SendScope;

typedef struct
{
  SendScope scope;
  RsSendMode mode;
  GArray *ids;
  RsMailSettings *mail;
  /* From the keyring (freed with rs_secret_free_password()) or typed */
  char *password;
  gboolean password_from_keyring;
  /* With Microsoft 365 or Google instead of a password; the token is wiped
   * when freed */
  RsOAuth *oauth;
  char *access_token;
  RsSendOptions options;
  RsSendPlan *plan;
  /* Those a person allowed a second report at the confirmation */
  GArray *allow_second_ids;
} SendSetup;

void rs_window_send_clear_password    (SendSetup *setup);
void rs_window_send_setup_free        (gpointer   data);
void rs_window_send_start             (RsWindow  *self,
                                       SendSetup *setup);
void rs_window_send_show_confirmation (RsWindow  *self,
                                       SendSetup *setup);

G_END_DECLS
