/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "rs-oauth.h"

G_BEGIN_DECLS

/* What rs-oauth.c shares with the sign-in flows, rs-oauth-browser.c and
 * rs-oauth-device.c. */

struct _RsOAuth
{
  GObject parent_instance;

  RsOAuthProvider *provider;

  /* Held across a refresh, so that threads wanting a token wait for the
   * one refresh instead of each making their own. */
  GMutex refresh_lock;
  /* Guards the fields below. */
  GMutex lock;
  char *access_token;
  gint64 expires_at;    /* monotonic time */
  gint64 lifetime;      /* microseconds */
  char *refresh_token;
  gboolean from_environment;
  char *account;
};

/* Wipes a secret from memory and frees it. */
void        rs_oauth_wipe             (char        **secret);

/* An application/x-www-form-urlencoded body, wiped when freed: it may
 * carry a code, a verifier or a refresh token. */
GString    *rs_oauth_form_new         (RsOAuth      *self,
                                       const char   *grant_type);
void        rs_oauth_form_add         (GString      *form,
                                       const char   *name,
                                       const char   *value);
void        rs_oauth_form_free        (GString      *form);
typedef GString RsOAuthForm;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsOAuthForm, rs_oauth_form_free)

/* POSTs @form to @url and returns the JSON object of the answer, whatever
 * its HTTP status; blocks. */
JsonObject *rs_oauth_post_form        (RsOAuth       *self,
                                       const char    *url,
                                       GString       *form,
                                       GCancellable  *cancellable,
                                       GError       **error);
const char *rs_oauth_json_string      (JsonObject    *object,
                                       const char    *member);
gint64      rs_oauth_json_seconds     (JsonObject    *object,
                                       const char    *member,
                                       gint64         fallback);
/* Sets @error from the answer's `error`; FALSE when it is no error. */
gboolean    rs_oauth_answer_error     (RsOAuth       *self,
                                       JsonObject    *answer,
                                       GError       **error);
/* Takes the tokens of an answer; @interactive: a sign-in, whose refresh
 * token must be kept. */
gboolean    rs_oauth_take_tokens      (RsOAuth       *self,
                                       JsonObject    *answer,
                                       gboolean       interactive,
                                       GCancellable  *cancellable,
                                       GError       **error);
gboolean    rs_oauth_check_client_id  (RsOAuth       *self,
                                       GError       **error);

G_END_DECLS
