/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where and as whom to sign in with OAuth 2.0: the identity provider's
 * endpoints, the app's registration (client ID, Google's client secret) and
 * the scopes of the route mail goes by. Set up in one thread, then only read:
 * a reference may be handed to worker threads. */

typedef enum
{
  RS_OAUTH_PROVIDER_MICROSOFT,
  RS_OAUTH_PROVIDER_GOOGLE,
} RsOAuthProviderKind;

/* What the token is for: sending over SMTP (XOAUTH2) or Microsoft Graph. */
typedef enum
{
  RS_OAUTH_ROUTE_SMTP,
  RS_OAUTH_ROUTE_GRAPH,
} RsOAuthRoute;

#define RS_OAUTH_MICROSOFT_AUTHORITY "https://login.microsoftonline.com"
#define RS_OAUTH_MICROSOFT_TENANT "organizations"
#define RS_OAUTH_GOOGLE_AUTHORITY "https://accounts.google.com"
#define RS_OAUTH_GOOGLE_TOKEN_URL "https://oauth2.googleapis.com/token"
#define RS_OAUTH_GOOGLE_DEVICE_CODE_URL "https://oauth2.googleapis.com/device/code"

#define RS_TYPE_OAUTH_PROVIDER (rs_oauth_provider_get_type ())
G_DECLARE_FINAL_TYPE (RsOAuthProvider, rs_oauth_provider, RS, OAUTH_PROVIDER, GObject)

RsOAuthProvider     *rs_oauth_provider_new                 (RsOAuthProviderKind  kind);
/* "microsoft" or "google"; %FALSE for any other name. */
gboolean             rs_oauth_provider_kind_from_name      (const char          *name,
                                                            RsOAuthProviderKind *kind);
const char          *rs_oauth_provider_kind_to_name        (RsOAuthProviderKind  kind);

RsOAuthProviderKind  rs_oauth_provider_get_kind            (RsOAuthProvider     *self);
/* "microsoft" or "google": how the provider is named in the keyring. */
const char          *rs_oauth_provider_get_name            (RsOAuthProvider     *self);
/* "Microsoft 365" or "Google", for messages. */
const char          *rs_oauth_provider_get_display_name    (RsOAuthProvider     *self);

/* Empty text is the same as %NULL: the default. */
void                 rs_oauth_provider_set_client_id       (RsOAuthProvider     *self,
                                                            const char          *client_id);
void                 rs_oauth_provider_set_client_secret   (RsOAuthProvider     *self,
                                                            const char          *client_secret);
void                 rs_oauth_provider_set_tenant          (RsOAuthProvider     *self,
                                                            const char          *tenant);
/* Replaces https://login.microsoftonline.com (Microsoft) or
 * https://accounts.google.com (Google, for the authorize address). */
void                 rs_oauth_provider_set_authority       (RsOAuthProvider     *self,
                                                            const char          *authority);
void                 rs_oauth_provider_set_token_url       (RsOAuthProvider     *self,
                                                            const char          *url);
void                 rs_oauth_provider_set_device_code_url (RsOAuthProvider     *self,
                                                            const char          *url);
void                 rs_oauth_provider_set_route           (RsOAuthProvider     *self,
                                                            RsOAuthRoute         route);
/* PEM file of certificates trusted for the provider's HTTPS endpoints. */
void                 rs_oauth_provider_set_ca_file         (RsOAuthProvider     *self,
                                                            const char          *ca_file);

const char          *rs_oauth_provider_get_client_id       (RsOAuthProvider     *self);
const char          *rs_oauth_provider_get_client_secret   (RsOAuthProvider     *self);
const char          *rs_oauth_provider_get_tenant          (RsOAuthProvider     *self);
const char          *rs_oauth_provider_get_authority       (RsOAuthProvider     *self);
RsOAuthRoute         rs_oauth_provider_get_route           (RsOAuthProvider     *self);
const char          *rs_oauth_provider_get_ca_file         (RsOAuthProvider     *self);

/* The endpoints, with the overrides applied. Free with g_free(). */
char                *rs_oauth_provider_dup_authorize_url   (RsOAuthProvider     *self);
char                *rs_oauth_provider_dup_token_url       (RsOAuthProvider     *self);
char                *rs_oauth_provider_dup_device_code_url (RsOAuthProvider     *self);
/* The scopes asked for, separated by spaces. */
const char          *rs_oauth_provider_get_scope           (RsOAuthProvider     *self);
/* Whether the provider grants mail scopes through the device authorization
 * grant: Google does not. */
gboolean             rs_oauth_provider_supports_device_code (RsOAuthProvider    *self);
/* The loopback redirect address for @port: http://localhost:PORT/ for
 * Microsoft (what an app registered with http://localhost may use),
 * http://127.0.0.1:PORT/ for Google. */
char                *rs_oauth_provider_dup_redirect_uri    (RsOAuthProvider     *self,
                                                            guint16              port);

G_END_DECLS
