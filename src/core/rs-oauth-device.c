/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-oauth"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-oauth.h"
#include "rs-oauth-private.h"

/* Signing in with a code entered on another device: the device
 * authorization grant (RFC 8628). */

#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

typedef struct
{
  RsOAuthDeviceCodeFunc prompt;
  gpointer prompt_data;
  char *verification_uri;
  char *user_code;
  char *account;
} DeviceData;

static void
device_data_free (gpointer data)
{
  DeviceData *device = data;

  g_free (device->verification_uri);
  g_free (device->user_code);
  g_free (device->account);
  g_free (device);
}

static gboolean
show_code (gpointer data)
{
  GTask *task = data;
  DeviceData *device = g_task_get_task_data (task);

  if (device->prompt != NULL && !g_task_get_completed (task))
    device->prompt (device->verification_uri, device->user_code, device->prompt_data);

  return G_SOURCE_REMOVE;
}

/* How long a second of the polling interval (and of slow_down's five more)
 * lasts, in microseconds. For tests only, RS_TEST_TIME_SCALE (above 0 and
 * below 1, set in tests/meson.build) shortens it, so that a test of the
 * polling does not wait whole seconds on tests/idp-server.py, which reads
 * the same variable. Nothing else in the app reads it. */
static gint64
provider_second_us (void)
{
  const char *text = g_getenv ("RS_TEST_TIME_SCALE");
  double scale = text != NULL ? g_ascii_strtod (text, NULL) : 1;

  return scale > 0 && scale < 1 ? (gint64) (scale * G_USEC_PER_SEC) : G_USEC_PER_SEC;
}

/* Waits @seconds of the provider's, or less when cancelled. */
static gboolean
pause_for (gint64        seconds,
           GCancellable *cancellable)
{
  gint64 end = g_get_monotonic_time () + seconds * provider_second_us ();

  while (g_get_monotonic_time () < end)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      g_usleep (MIN (100000, end - g_get_monotonic_time ()));
    }

  return !g_cancellable_is_cancelled (cancellable);
}

static void
device_poll (GTask        *task,
             RsOAuth      *self,
             DeviceData   *device,
             GCancellable *cancellable)
{
  const char *name = rs_oauth_provider_get_display_name (self->provider);
  g_autoptr(RsOAuthForm) form = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *device_url = rs_oauth_provider_dup_device_code_url (self->provider);
  g_autofree char *token_url = rs_oauth_provider_dup_token_url (self->provider);
  g_autofree char *device_code = NULL;
  GError *error = NULL;
  gint64 interval;
  gint64 deadline;

  form = rs_oauth_form_new (self, NULL);
  rs_oauth_form_add (form, "scope", rs_oauth_provider_get_scope (self->provider));
  answer = rs_oauth_post_form (self, device_url, form, cancellable, &error);
  if (answer == NULL || rs_oauth_answer_error (self, answer, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  device_code = g_strdup (rs_oauth_json_string (answer, "device_code"));
  device->user_code = g_strdup (rs_oauth_json_string (answer, "user_code"));
  device->verification_uri = g_strdup (rs_oauth_json_string (answer, "verification_uri"));
  if (device->verification_uri == NULL)
    device->verification_uri = g_strdup (rs_oauth_json_string (answer, "verification_url"));
  interval = MAX (1, rs_oauth_json_seconds (answer, "interval", 5));
  deadline = g_get_monotonic_time () + rs_oauth_json_seconds (answer, "expires_in", 900) * G_USEC_PER_SEC;
  if (device_code == NULL || device->user_code == NULL || device->verification_uri == NULL)
    {
      g_task_return_new_error (task, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SERVER,
                               _("%s answered at %s without a code to sign in with."),
                               name, device_url);
      return;
    }

  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT, show_code,
                              g_object_ref (task), g_object_unref);

  for (;;)
    {
      const char *code;

      if (!pause_for (interval, cancellable))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The sign-in was cancelled."));
          return;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_task_return_new_error (task, RS_OAUTH_ERROR, RS_OAUTH_ERROR_EXPIRED,
                                   _("The code to sign in with %s expired before it was "
                                     "entered. Sign in again and enter the new code in "
                                     "time."), name);
          return;
        }

      g_clear_pointer (&form, rs_oauth_form_free);
      g_clear_pointer (&answer, json_object_unref);
      form = rs_oauth_form_new (self, DEVICE_GRANT);
      rs_oauth_form_add (form, "device_code", device_code);
      answer = rs_oauth_post_form (self, token_url, form, cancellable, &error);
      if (answer == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      code = rs_oauth_json_string (answer, "error");
      if (g_strcmp0 (code, "authorization_pending") == 0)
        continue;
      if (g_strcmp0 (code, "slow_down") == 0)
        {
          /* RFC 8628, 3.5: five seconds more, from now on. */
          interval += 5;
          continue;
        }
      break;
    }

  if (!rs_oauth_take_tokens (self, answer, TRUE, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  device->account = rs_oauth_dup_account (self);
  g_task_return_boolean (task, TRUE);
}

static gpointer
device_thread (gpointer data)
{
  g_autoptr(GTask) task = data;

  device_poll (task, g_task_get_source_object (task), g_task_get_task_data (task),
               g_task_get_cancellable (task));

  return NULL;
}

void
rs_oauth_sign_in_device_async (RsOAuth               *self,
                               RsOAuthDeviceCodeFunc  prompt,
                               gpointer               prompt_data,
                               GCancellable          *cancellable,
                               GAsyncReadyCallback    callback,
                               gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  DeviceData *device;

  g_return_if_fail (RS_IS_OAUTH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_oauth_sign_in_device_async);
  device = g_new0 (DeviceData, 1);
  device->prompt = prompt;
  device->prompt_data = prompt_data;
  g_task_set_task_data (task, device, device_data_free);

  if (!rs_oauth_check_client_id (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!rs_oauth_provider_supports_device_code (self->provider))
    {
      g_task_return_new_error (task, RS_OAUTH_ERROR, RS_OAUTH_ERROR_UNSUPPORTED,
                               _("%s does not give access to mail through a code entered on "
                                 "another device. Sign in in the browser instead."),
                               rs_oauth_provider_get_display_name (self->provider));
      return;
    }

  /* Polling takes minutes: a thread of its own, not one of the pool's. */
  g_thread_unref (g_thread_new ("rs-oauth-device", device_thread, g_steal_pointer (&task)));
}

gboolean
rs_oauth_sign_in_device_finish (RsOAuth       *self,
                                GAsyncResult  *result,
                                char         **account,
                                GError       **error)
{
  DeviceData *device;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  device = g_task_get_task_data (G_TASK (result));
  if (account != NULL)
    *account = g_strdup (device->account);
  return TRUE;
}
