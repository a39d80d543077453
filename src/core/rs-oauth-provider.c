/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-oauth-provider"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-oauth-provider.h"

struct _RsOAuthProvider
{
  GObject parent_instance;

  RsOAuthProviderKind kind;
  RsOAuthRoute route;
  char *client_id;
  char *client_secret;
  char *tenant;
  char *authority;
  char *token_url;
  char *device_code_url;
  char *ca_file;
};

G_DEFINE_FINAL_TYPE (RsOAuthProvider, rs_oauth_provider, G_TYPE_OBJECT)

static void
rs_oauth_provider_finalize (GObject *object)
{
  RsOAuthProvider *self = RS_OAUTH_PROVIDER (object);

  g_free (self->client_id);
  g_free (self->client_secret);
  g_free (self->tenant);
  g_free (self->authority);
  g_free (self->token_url);
  g_free (self->device_code_url);
  g_free (self->ca_file);

  G_OBJECT_CLASS (rs_oauth_provider_parent_class)->finalize (object);
}

static void
rs_oauth_provider_class_init (RsOAuthProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rs_oauth_provider_finalize;
}

static void
rs_oauth_provider_init (RsOAuthProvider *self)
{
}

RsOAuthProvider *
rs_oauth_provider_new (RsOAuthProviderKind kind)
{
  RsOAuthProvider *self = g_object_new (RS_TYPE_OAUTH_PROVIDER, NULL);

  self->kind = kind;

  return self;
}

gboolean
rs_oauth_provider_kind_from_name (const char          *name,
                                  RsOAuthProviderKind *kind)
{
  if (g_strcmp0 (name, "microsoft") == 0)
    *kind = RS_OAUTH_PROVIDER_MICROSOFT;
  else if (g_strcmp0 (name, "google") == 0)
    *kind = RS_OAUTH_PROVIDER_GOOGLE;
  else
    return FALSE;

  return TRUE;
}

const char *
rs_oauth_provider_kind_to_name (RsOAuthProviderKind kind)
{
  return kind == RS_OAUTH_PROVIDER_GOOGLE ? "google" : "microsoft";
}

RsOAuthProviderKind
rs_oauth_provider_get_kind (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), RS_OAUTH_PROVIDER_MICROSOFT);

  return self->kind;
}

const char *
rs_oauth_provider_get_name (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);

  return rs_oauth_provider_kind_to_name (self->kind);
}

const char *
rs_oauth_provider_get_display_name (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);

  return self->kind == RS_OAUTH_PROVIDER_GOOGLE ? _("Google") : _("Microsoft 365");
}

static void
set_text (char       **field,
          const char  *value)
{
  g_free (*field);
  *field = value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
}

/* An address given without a trailing slash or with one means the same. */
static void
set_url (char       **field,
         const char  *value)
{
  set_text (field, value);
  if (*field != NULL)
    {
      gsize len = strlen (*field);

      while (len > 0 && (*field)[len - 1] == '/')
        (*field)[--len] = '\0';
    }
}

void
rs_oauth_provider_set_client_id (RsOAuthProvider *self,
                                 const char      *client_id)
{
  g_return_if_fail (RS_IS_OAUTH_PROVIDER (self));
  set_text (&self->client_id, client_id);
}

void
rs_oauth_provider_set_client_secret (RsOAuthProvider *self,
                                     const char      *client_secret)
{
  g_return_if_fail (RS_IS_OAUTH_PROVIDER (self));
  set_text (&self->client_secret, client_secret);
}

void
rs_oauth_provider_set_tenant (RsOAuthProvider *self,
                              const char      *tenant)
{
  g_return_if_fail (RS_IS_OAUTH_PROVIDER (self));
  set_text (&self->tenant, tenant);
}

void
rs_oauth_provider_set_authority (RsOAuthProvider *self,
                                 const char      *authority)
{
  g_return_if_fail (RS_IS_OAUTH_PROVIDER (self));
  set_url (&self->authority, authority);
}

void
rs_oauth_provider_set_token_url (RsOAuthProvider *self,
                                 const char      *url)
{
  g_return_if_fail (RS_IS_OAUTH_PROVIDER (self));
  set_text (&self->token_url, url);
}

void
rs_oauth_provider_set_device_code_url (RsOAuthProvider *self,
                                       const char      *url)
{
  g_return_if_fail (RS_IS_OAUTH_PROVIDER (self));
  set_text (&self->device_code_url, url);
}

void
rs_oauth_provider_set_route (RsOAuthProvider *self,
                             RsOAuthRoute     route)
{
  g_return_if_fail (RS_IS_OAUTH_PROVIDER (self));
  self->route = route;
}

void
rs_oauth_provider_set_ca_file (RsOAuthProvider *self,
                               const char      *ca_file)
{
  g_return_if_fail (RS_IS_OAUTH_PROVIDER (self));
  set_text (&self->ca_file, ca_file);
}

const char *
rs_oauth_provider_get_client_id (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);
  return self->client_id;
}

const char *
rs_oauth_provider_get_client_secret (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);
  return self->client_secret;
}

const char *
rs_oauth_provider_get_tenant (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);
  return self->tenant != NULL ? self->tenant : RS_OAUTH_MICROSOFT_TENANT;
}

const char *
rs_oauth_provider_get_authority (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);

  if (self->authority != NULL)
    return self->authority;
  return self->kind == RS_OAUTH_PROVIDER_GOOGLE ? RS_OAUTH_GOOGLE_AUTHORITY
                                                : RS_OAUTH_MICROSOFT_AUTHORITY;
}

RsOAuthRoute
rs_oauth_provider_get_route (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), RS_OAUTH_ROUTE_SMTP);
  return self->route;
}

const char *
rs_oauth_provider_get_ca_file (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);
  return self->ca_file;
}

static char *
microsoft_endpoint (RsOAuthProvider *self,
                    const char      *name)
{
  g_autofree char *tenant = g_uri_escape_string (rs_oauth_provider_get_tenant (self), NULL,
                                                 FALSE);

  return g_strdup_printf ("%s/%s/oauth2/v2.0/%s", rs_oauth_provider_get_authority (self),
                          tenant, name);
}

char *
rs_oauth_provider_dup_authorize_url (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);

  if (self->kind == RS_OAUTH_PROVIDER_GOOGLE)
    return g_strdup_printf ("%s/o/oauth2/v2/auth", rs_oauth_provider_get_authority (self));
  return microsoft_endpoint (self, "authorize");
}

char *
rs_oauth_provider_dup_token_url (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);

  if (self->token_url != NULL)
    return g_strdup (self->token_url);
  if (self->kind == RS_OAUTH_PROVIDER_GOOGLE)
    return g_strdup (RS_OAUTH_GOOGLE_TOKEN_URL);
  return microsoft_endpoint (self, "token");
}

char *
rs_oauth_provider_dup_device_code_url (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);

  if (self->device_code_url != NULL)
    return g_strdup (self->device_code_url);
  if (self->kind == RS_OAUTH_PROVIDER_GOOGLE)
    return g_strdup (RS_OAUTH_GOOGLE_DEVICE_CODE_URL);
  return microsoft_endpoint (self, "devicecode");
}

const char *
rs_oauth_provider_get_scope (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);

  if (self->kind == RS_OAUTH_PROVIDER_GOOGLE)
    return "https://mail.google.com/ openid email";
  if (self->route == RS_OAUTH_ROUTE_GRAPH)
    /* User.Read: GET /me, for the account and Test. */
    return "https://graph.microsoft.com/Mail.Send https://graph.microsoft.com/User.Read "
           "offline_access openid email";
  return "https://outlook.office.com/SMTP.Send offline_access openid email";
}

gboolean
rs_oauth_provider_supports_device_code (RsOAuthProvider *self)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), FALSE);

  return self->kind == RS_OAUTH_PROVIDER_MICROSOFT;
}

char *
rs_oauth_provider_dup_redirect_uri (RsOAuthProvider *self,
                                    guint16          port)
{
  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (self), NULL);

  if (self->kind == RS_OAUTH_PROVIDER_GOOGLE)
    return g_strdup_printf ("http://127.0.0.1:%u/", port);
  return g_strdup_printf ("http://localhost:%u/", port);
}
