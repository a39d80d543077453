/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-mail-settings"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "rs-mail-settings.h"
#include "rs-message.h"
#include "rs-secret.h"
#include "rs-template.h"

struct _RsMailSettings
{
  GObject parent_instance;

  /* As set; the address used is worked out from it and the security. */
  char *url_setting;
  char *url;
  char *host;
  RsMailSecurity security;
  char *user;
  char *ca_file;
  char *pinned_key;
  char *from_address;
  char *from_name;
  char *reply_to;
  char *test_address;
  guint rate_limit;
  char *subject[2];
  char *body[2];
  RsMailAuth auth;
  char *oauth_client_id;
  char *oauth_client_secret;
  char *oauth_tenant;
  char *oauth_account;
  char *oauth_authority;
  char *oauth_token_url;
  char *oauth_device_code_url;
  char *graph_url;
  RsSendTransport transport;
  gboolean keep_copy;
};

G_DEFINE_FINAL_TYPE (RsMailSettings, rs_mail_settings, G_TYPE_OBJECT)
G_DEFINE_QUARK (rs-mail-settings-error-quark, rs_mail_settings_error)

static const char *languages[] = { "en", "nl" };
static const char *security_names[] = { "starttls", "tls", "none" };
static const char *auth_names[] = { "password", "microsoft", "google" };

#define DEFAULT_RATE_LIMIT 30

static guint
language_index (const char *language)
{
  return g_strcmp0 (language, "nl") == 0 ? 1 : 0;
}

static void
set_text (char       **field,
          const char  *value)
{
  g_autofree char *copy = g_strdup (value);

  if (copy != NULL)
    g_strstrip (copy);
  g_free (*field);
  *field = copy != NULL && copy[0] != '\0' ? g_steal_pointer (&copy) : NULL;
}

/* One rule: smtps:// is TLS on connect; for smtp:// the security choice
 * decides, TLS on connect turning it into smtps://. */
static void
update_url (RsMailSettings *self)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *url = NULL;
  const char *setting = self->url_setting;

  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->host, g_free);
  /* The provider's own server, with STARTTLS on port 587. */
  if (setting == NULL && self->auth == RS_MAIL_AUTH_MICROSOFT)
    setting = RS_MAIL_MICROSOFT_SMTP_URL;
  else if (setting == NULL && self->auth == RS_MAIL_AUTH_GOOGLE)
    setting = RS_MAIL_GOOGLE_SMTP_URL;
  if (setting == NULL)
    return;

  if (strstr (setting, "://") == NULL)
    url = g_strconcat (self->security == RS_MAIL_SECURITY_TLS ? "smtps://" : "smtp://",
                       setting, NULL);
  else if (self->security == RS_MAIL_SECURITY_TLS
           && g_ascii_strncasecmp (setting, "smtp://", 7) == 0)
    url = g_strconcat ("smtps://", setting + 7, NULL);
  else
    url = g_strdup (setting);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_host (uri) != NULL && g_uri_get_host (uri)[0] != '\0')
    self->host = g_ascii_strdown (g_uri_get_host (uri), -1);
  self->url = g_steal_pointer (&url);
}

static gboolean
is_smtps (RsMailSettings *self)
{
  return self->url != NULL && g_ascii_strncasecmp (self->url, "smtps://", 8) == 0;
}

static void
rs_mail_settings_finalize (GObject *object)
{
  RsMailSettings *self = (RsMailSettings *)object;

  g_free (self->url_setting);
  g_free (self->url);
  g_free (self->host);
  g_free (self->user);
  g_free (self->ca_file);
  g_free (self->pinned_key);
  g_free (self->from_address);
  g_free (self->from_name);
  g_free (self->reply_to);
  g_free (self->test_address);
  for (guint i = 0; i < G_N_ELEMENTS (self->subject); i++)
    {
      g_free (self->subject[i]);
      g_free (self->body[i]);
    }
  g_free (self->oauth_client_id);
  g_free (self->oauth_client_secret);
  g_free (self->oauth_tenant);
  g_free (self->oauth_account);
  g_free (self->oauth_authority);
  g_free (self->oauth_token_url);
  g_free (self->oauth_device_code_url);
  g_free (self->graph_url);

  G_OBJECT_CLASS (rs_mail_settings_parent_class)->finalize (object);
}

static void
rs_mail_settings_class_init (RsMailSettingsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rs_mail_settings_finalize;
}

static void
rs_mail_settings_init (RsMailSettings *self)
{
  self->security = RS_MAIL_SECURITY_STARTTLS;
  self->rate_limit = DEFAULT_RATE_LIMIT;
  self->transport = RS_SEND_TRANSPORT_GRAPH;
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    rs_mail_settings_set_template (self, languages[i], NULL, NULL);
}

RsMailSettings *
rs_mail_settings_new (void)
{
  return g_object_new (RS_TYPE_MAIL_SETTINGS, NULL);
}

/* An older schema installed next to a newer program lacks the new keys. */
static gboolean
has_key (GSettings  *settings,
         const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  return g_settings_schema_has_key (schema, key);
}

static char *
get_string (GSettings  *settings,
            const char *key)
{
  if (!has_key (settings, key))
    return NULL;

  return g_settings_get_string (settings, key);
}

RsMailSettings *
rs_mail_settings_new_from_gsettings (GSettings *settings)
{
  RsMailSettings *self;
  g_autofree char *security = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = rs_mail_settings_new ();

#define TAKE(setter, key) \
  G_STMT_START { \
    g_autofree char *value_ = get_string (settings, key); \
    setter (self, value_); \
  } G_STMT_END

  security = get_string (settings, "smtp-security");
  self->security = rs_mail_settings_security_from_string (security);
  TAKE (rs_mail_settings_set_url, "smtp-url");
  TAKE (rs_mail_settings_set_user, "smtp-user");
  TAKE (rs_mail_settings_set_ca_file, "smtp-ca-file");
  TAKE (rs_mail_settings_set_pinned_key, "smtp-pinned-key");
  TAKE (rs_mail_settings_set_from_address, "from-address");
  TAKE (rs_mail_settings_set_from_name, "from-name");
  TAKE (rs_mail_settings_set_reply_to, "reply-to");
  TAKE (rs_mail_settings_set_test_address, "test-address");
  TAKE (rs_mail_settings_set_oauth_client_id, "oauth-client-id");
  TAKE (rs_mail_settings_set_oauth_client_secret, "oauth-client-secret");
  TAKE (rs_mail_settings_set_oauth_tenant, "oauth-tenant");
  TAKE (rs_mail_settings_set_oauth_account, "oauth-account");
  TAKE (rs_mail_settings_set_oauth_authority, "oauth-authority");
  TAKE (rs_mail_settings_set_oauth_token_url, "oauth-token-url");
  TAKE (rs_mail_settings_set_oauth_device_code_url, "oauth-device-code-url");
  TAKE (rs_mail_settings_set_graph_url, "graph-url");
#undef TAKE

  {
    g_autofree char *auth = get_string (settings, "auth-kind");
    g_autofree char *transport = get_string (settings, "mail-transport");

    rs_mail_settings_set_auth (self, rs_mail_settings_auth_from_string (auth));
    if (g_strcmp0 (transport, "smtp") == 0)
      self->transport = RS_SEND_TRANSPORT_SMTP;
  }
  if (has_key (settings, "keep-copy"))
    self->keep_copy = g_settings_get_boolean (settings, "keep-copy");

  self->rate_limit = g_settings_get_uint (settings, "rate-limit");
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *subject_key = g_strconcat ("template-subject-", languages[i], NULL);
      g_autofree char *body_key = g_strconcat ("template-body-", languages[i], NULL);
      g_autofree char *subject = get_string (settings, subject_key);
      g_autofree char *body = get_string (settings, body_key);

      rs_mail_settings_set_template (self, languages[i], subject, body);
    }

  return self;
}

RsMailSecurity
rs_mail_settings_security_from_string (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (security_names); i++)
    if (g_strcmp0 (text, security_names[i]) == 0)
      return (RsMailSecurity) i;

  return RS_MAIL_SECURITY_STARTTLS;
}

const char *
rs_mail_settings_security_to_string (RsMailSecurity security)
{
  g_return_val_if_fail (security < G_N_ELEMENTS (security_names), NULL);

  return security_names[security];
}

RsMailAuth
rs_mail_settings_auth_from_string (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (auth_names); i++)
    if (g_strcmp0 (text, auth_names[i]) == 0)
      return (RsMailAuth) i;

  return RS_MAIL_AUTH_PASSWORD;
}

const char *
rs_mail_settings_auth_to_string (RsMailAuth auth)
{
  g_return_val_if_fail (auth < G_N_ELEMENTS (auth_names), NULL);

  return auth_names[auth];
}

void
rs_mail_settings_set_auth (RsMailSettings *self,
                           RsMailAuth      auth)
{
  g_return_if_fail (RS_IS_MAIL_SETTINGS (self));
  g_return_if_fail (auth <= RS_MAIL_AUTH_GOOGLE);

  self->auth = auth;
  update_url (self);
}

void
rs_mail_settings_set_transport (RsMailSettings  *self,
                                RsSendTransport  transport)
{
  g_return_if_fail (RS_IS_MAIL_SETTINGS (self));

  self->transport = transport;
}

void
rs_mail_settings_set_keep_copy (RsMailSettings *self,
                                gboolean        keep_copy)
{
  g_return_if_fail (RS_IS_MAIL_SETTINGS (self));

  self->keep_copy = keep_copy;
}

void
rs_mail_settings_set_url (RsMailSettings *self,
                          const char     *url)
{
  g_return_if_fail (RS_IS_MAIL_SETTINGS (self));

  set_text (&self->url_setting, url);
  update_url (self);
}

void
rs_mail_settings_set_security (RsMailSettings *self,
                               RsMailSecurity  security)
{
  g_return_if_fail (RS_IS_MAIL_SETTINGS (self));
  g_return_if_fail (security <= RS_MAIL_SECURITY_NONE);

  self->security = security;
  update_url (self);
}

#define TEXT_SETTER(name) \
  void \
  rs_mail_settings_set_##name (RsMailSettings *self, \
                               const char     *value) \
  { \
    g_return_if_fail (RS_IS_MAIL_SETTINGS (self)); \
    set_text (&self->name, value); \
  }

TEXT_SETTER (user)
TEXT_SETTER (ca_file)
TEXT_SETTER (pinned_key)
TEXT_SETTER (from_name)
TEXT_SETTER (reply_to)
TEXT_SETTER (test_address)
TEXT_SETTER (oauth_client_id)
TEXT_SETTER (oauth_client_secret)
TEXT_SETTER (oauth_tenant)
TEXT_SETTER (oauth_account)
TEXT_SETTER (oauth_authority)
TEXT_SETTER (oauth_token_url)
TEXT_SETTER (oauth_device_code_url)
TEXT_SETTER (graph_url)
#undef TEXT_SETTER

void
rs_mail_settings_set_from_address (RsMailSettings *self,
                                   const char     *address)
{
  g_return_if_fail (RS_IS_MAIL_SETTINGS (self));

  set_text (&self->from_address, address);
}

void
rs_mail_settings_set_rate_limit (RsMailSettings *self,
                                 guint           per_minute)
{
  g_return_if_fail (RS_IS_MAIL_SETTINGS (self));

  self->rate_limit = per_minute;
}

void
rs_mail_settings_set_template (RsMailSettings *self,
                               const char     *language,
                               const char     *subject,
                               const char     *body)
{
  guint i = language_index (language);

  g_return_if_fail (RS_IS_MAIL_SETTINGS (self));

  g_free (self->subject[i]);
  g_free (self->body[i]);
  self->subject[i] = g_strdup (subject != NULL && subject[0] != '\0'
                               ? subject : rs_template_default_subject (languages[i]));
  self->body[i] = g_strdup (body != NULL && body[0] != '\0'
                            ? body : rs_template_default_body (languages[i]));
}

const char *
rs_mail_settings_get_url (RsMailSettings *self)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), NULL);

  return self->url;
}

const char *
rs_mail_settings_get_host (RsMailSettings *self)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), NULL);

  return self->host;
}

RsMailSecurity
rs_mail_settings_get_security (RsMailSettings *self)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), RS_MAIL_SECURITY_STARTTLS);

  return is_smtps (self) ? RS_MAIL_SECURITY_TLS : self->security;
}

/* Whether an smtp:// connection must be upgraded with STARTTLS. */
gboolean
rs_mail_settings_get_starttls (RsMailSettings *self)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), TRUE);

  return !is_smtps (self) && self->security != RS_MAIL_SECURITY_NONE;
}

#define TEXT_GETTER(name) \
  const char * \
  rs_mail_settings_get_##name (RsMailSettings *self) \
  { \
    g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), NULL); \
    return self->name; \
  }

TEXT_GETTER (user)
TEXT_GETTER (ca_file)
TEXT_GETTER (pinned_key)
TEXT_GETTER (from_address)
TEXT_GETTER (from_name)
TEXT_GETTER (reply_to)
TEXT_GETTER (test_address)
TEXT_GETTER (oauth_client_id)
TEXT_GETTER (oauth_client_secret)
TEXT_GETTER (oauth_tenant)
TEXT_GETTER (oauth_account)
TEXT_GETTER (graph_url)
#undef TEXT_GETTER

RsMailAuth
rs_mail_settings_get_auth (RsMailSettings *self)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), RS_MAIL_AUTH_PASSWORD);

  return self->auth;
}

RsSendTransport
rs_mail_settings_get_transport (RsMailSettings *self)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), RS_SEND_TRANSPORT_SMTP);

  return self->auth == RS_MAIL_AUTH_MICROSOFT ? self->transport : RS_SEND_TRANSPORT_SMTP;
}

gboolean
rs_mail_settings_get_keep_copy (RsMailSettings *self)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), FALSE);

  return self->keep_copy;
}

const char *
rs_mail_settings_get_sender (RsMailSettings *self)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), NULL);

  if (self->from_address != NULL || self->auth == RS_MAIL_AUTH_PASSWORD)
    return self->from_address;
  return self->oauth_account;
}

RsOAuthProvider *
rs_mail_settings_new_oauth_provider (RsMailSettings *self)
{
  RsOAuthProvider *provider;

  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), NULL);

  if (self->auth == RS_MAIL_AUTH_PASSWORD)
    return NULL;

  provider = rs_oauth_provider_new (self->auth == RS_MAIL_AUTH_MICROSOFT
                                    ? RS_OAUTH_PROVIDER_MICROSOFT : RS_OAUTH_PROVIDER_GOOGLE);
  rs_oauth_provider_set_client_id (provider, self->oauth_client_id);
  rs_oauth_provider_set_client_secret (provider, self->oauth_client_secret);
  rs_oauth_provider_set_tenant (provider, self->oauth_tenant);
  rs_oauth_provider_set_authority (provider, self->oauth_authority);
  rs_oauth_provider_set_token_url (provider, self->oauth_token_url);
  rs_oauth_provider_set_device_code_url (provider, self->oauth_device_code_url);
  rs_oauth_provider_set_ca_file (provider, self->ca_file);
  rs_oauth_provider_set_route (provider,
                               rs_mail_settings_get_transport (self) == RS_SEND_TRANSPORT_GRAPH
                               ? RS_OAUTH_ROUTE_GRAPH : RS_OAUTH_ROUTE_SMTP);

  return provider;
}

guint
rs_mail_settings_get_rate_limit (RsMailSettings *self)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), 0);

  return self->rate_limit;
}

const char *
rs_mail_settings_get_subject (RsMailSettings *self,
                              const char     *language)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), NULL);

  return self->subject[language_index (language)];
}

const char *
rs_mail_settings_get_body (RsMailSettings *self,
                           const char     *language)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), NULL);

  return self->body[language_index (language)];
}

static gboolean
check_address (const char  *address,
               const char  *setting,
               gboolean     required,
               GError     **error)
{
  if (address == NULL)
    {
      if (!required)
        return TRUE;
      g_set_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_MISSING,
                   /* Translators: %s is the name of a setting, such as “From Address” */
                   _("Set the %s in Preferences → E-mail."), setting);
      return FALSE;
    }

  if (!rs_message_address_is_valid (address))
    {
      g_set_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_INVALID,
                   /* Translators: the address, then the name of the setting */
                   _("“%s” is not an e-mail address. Correct the %s in Preferences → "
                     "E-mail."), address, setting);
      return FALSE;
    }

  return TRUE;
}

/* A host name or an address: letters, digits, dots, hyphens and, for an
 * IPv6 address, colons and brackets. No space: "exa mple.com" is a typo. */
static gboolean
host_is_plausible (const char *host)
{
  if (host == NULL || host[0] == '\0')
    return FALSE;

  for (const char *p = host; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr (".-_:[]", *p) == NULL && !((guchar) *p & 0x80))
      return FALSE;

  return TRUE;
}

gboolean
rs_mail_settings_validate_server (RsMailSettings  *self,
                                  GError         **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme = NULL;

  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->url == NULL)
    {
      g_set_error_literal (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_MISSING,
                           _("Set the mail server in Preferences → E-mail."));
      return FALSE;
    }

  /* A user name or password in the address is never repeated in a
   * message, whatever else is wrong with it. */
  if (strchr (self->url_setting != NULL ? self->url_setting : self->url, '@') != NULL)
    {
      g_set_error_literal (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_INVALID,
                           _("The mail server address must not hold a user name or password. "
                             "Enter it as smtp://HOST:PORT, and the user name and password in "
                             "their own fields in Preferences → E-mail."));
      return FALSE;
    }

  uri = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL)
    scheme = g_uri_get_scheme (uri);
  if (uri == NULL || self->host == NULL
      || (g_ascii_strcasecmp (scheme, "smtp") != 0 && g_ascii_strcasecmp (scheme, "smtps") != 0)
      || g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL
      || g_uri_get_fragment (uri) != NULL
      || (g_uri_get_path (uri)[0] != '\0' && !g_str_equal (g_uri_get_path (uri), "/"))
      || !host_is_plausible (self->host))
    {
      g_set_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_INVALID,
                   _("The mail server “%s” is not valid. Enter it as smtp://HOST:PORT or "
                     "smtps://HOST:PORT in Preferences → E-mail."), self->url_setting);
      return FALSE;
    }

  if (!is_smtps (self) && self->security == RS_MAIL_SECURITY_NONE
      && !rs_mailer_host_is_loopback (self->host))
    {
      g_set_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_INSECURE,
                   _("Mail to the server %s would be sent unencrypted, which is allowed only "
                     "to this computer. Choose STARTTLS or TLS as the Security in Preferences "
                     "→ E-mail."), self->host);
      return FALSE;
    }

  if (self->ca_file != NULL && g_access (self->ca_file, R_OK) != 0)
    {
      g_set_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_INVALID,
                   _("The CA file “%s” cannot be read. Choose another CA file in Preferences "
                     "→ E-mail."), self->ca_file);
      return FALSE;
    }

  if (self->pinned_key != NULL && !g_str_has_prefix (self->pinned_key, "sha256//"))
    {
      g_set_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_INVALID,
                   _("The trusted certificate is not valid. Forget it in Preferences → "
                     "E-mail and test the connection again."));
      return FALSE;
    }

  return TRUE;
}

/* The client ID, and a server that XOAUTH2 may be sent to: encrypted, also
 * to this computer. The From address may wait for the signed-in account. */
static gboolean
validate_oauth (RsMailSettings  *self,
                GError         **error)
{
  if (self->oauth_client_id == NULL)
    {
      g_set_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_MISSING,
                   /* Translators: %s is Microsoft 365 or Google */
                   _("Set the Client ID of the app's registration with %s in Preferences → "
                     "E-mail."),
                   self->auth == RS_MAIL_AUTH_MICROSOFT ? "Microsoft 365" : "Google");
      return FALSE;
    }

  if (rs_mail_settings_get_transport (self) == RS_SEND_TRANSPORT_GRAPH)
    {
      if (self->ca_file != NULL && g_access (self->ca_file, R_OK) != 0)
        {
          g_set_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_INVALID,
                       _("The CA file “%s” cannot be read. Choose another CA file in "
                         "Preferences → E-mail."), self->ca_file);
          return FALSE;
        }
      return TRUE;
    }

  if (!rs_mail_settings_validate_server (self, error))
    return FALSE;
  if (!rs_mail_settings_get_starttls (self) && !is_smtps (self))
    {
      g_set_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_INSECURE,
                   _("Signing in to the mail server %s with %s needs an encrypted "
                     "connection. Choose STARTTLS or TLS as the Security in Preferences → "
                     "E-mail."), self->host,
                   self->auth == RS_MAIL_AUTH_MICROSOFT ? "Microsoft 365" : "Google");
      return FALSE;
    }

  return TRUE;
}

gboolean
rs_mail_settings_validate (RsMailSettings  *self,
                           RsSendMode       mode,
                           GError         **error)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->auth != RS_MAIL_AUTH_PASSWORD)
    return validate_oauth (self, error)
           && check_address (rs_mail_settings_get_sender (self), _("From Address"), FALSE,
                             error)
           && check_address (self->reply_to, _("Reply-To Address"), FALSE, error)
           && check_address (self->test_address, _("Test Address"),
                             mode == RS_SEND_MODE_TEST, error);

  return rs_mail_settings_validate_server (self, error)
         && check_address (self->from_address, _("From Address"), TRUE, error)
         && check_address (self->reply_to, _("Reply-To Address"), FALSE, error)
         && check_address (self->test_address, _("Test Address"), mode == RS_SEND_MODE_TEST,
                           error);
}

void
rs_mail_settings_fill_mailer_config (RsMailSettings *self,
                                     RsMailerConfig *out)
{
  g_return_if_fail (RS_IS_MAIL_SETTINGS (self));
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  out->url = self->url;
  out->starttls_required = rs_mail_settings_get_starttls (self);
  out->user = self->auth == RS_MAIL_AUTH_PASSWORD ? self->user : self->oauth_account;
  out->ca_file = self->ca_file;
  out->pinned_key = self->pinned_key;
  out->connect_timeout_s = RS_MAIL_CONNECT_TIMEOUT_S;
  out->timeout_s = RS_MAIL_TIMEOUT_S;
  out->keep_copy = self->keep_copy;
}

void
rs_mail_settings_fill_send_options (RsMailSettings *self,
                                    RsSendMode      mode,
                                    RsSendOptions  *out)
{
  g_return_if_fail (RS_IS_MAIL_SETTINGS (self));
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  out->mode = mode;
  if (mode == RS_SEND_MODE_TEST)
    out->test_address = self->test_address;
  rs_mail_settings_fill_mailer_config (self, &out->mailer);
  out->from_address = rs_mail_settings_get_sender (self);
  out->from_name = self->from_name;
  out->reply_to = self->reply_to;
  out->subject_en = self->subject[0];
  out->body_en = self->body[0];
  out->subject_nl = self->subject[1];
  out->body_nl = self->body[1];
  out->rate_per_minute = self->rate_limit;
  out->transport = rs_mail_settings_get_transport (self);
  out->graph.url = self->graph_url;
  out->graph.ca_file = self->ca_file;
  out->graph.connect_timeout_s = RS_MAIL_CONNECT_TIMEOUT_S;
  out->graph.timeout_s = RS_MAIL_TIMEOUT_S;
}

char *
rs_mail_settings_lookup_password (RsMailSettings  *self,
                                  GCancellable    *cancellable,
                                  GError         **error)
{
  g_return_val_if_fail (RS_IS_MAIL_SETTINGS (self), NULL);

  if (self->host == NULL || self->user == NULL || self->auth != RS_MAIL_AUTH_PASSWORD)
    return NULL;

  return rs_secret_lookup (self->url, self->user, cancellable, error);
}
