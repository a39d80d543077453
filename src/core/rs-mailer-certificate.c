/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-mailer"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-mailer-private.h"

void
rs_mailer_certificate_free (RsMailerCertificate *certificate)
{
  if (certificate == NULL)
    return;

  g_free (certificate->subject);
  g_free (certificate->issuer);
  g_free (certificate->fingerprint);
  g_free (certificate->pin);
  g_free (certificate);
}

/* One DER element at *@p: its whole encoding starts at *@p, its content at
 * *@content; *@p moves past it. */
static gboolean
der_next (const guint8  **p,
          const guint8   *end,
          guint8         *tag,
          const guint8  **content,
          gsize          *length)
{
  const guint8 *q = *p;
  gsize n;

  if (end - q < 2)
    return FALSE;
  *tag = *q++;
  n = *q++;
  if (n & 0x80)
    {
      guint bytes = n & 0x7f;

      if (bytes == 0 || bytes > 4 || (gsize) (end - q) < bytes)
        return FALSE;
      for (n = 0; bytes > 0; bytes--)
        n = (n << 8) | *q++;
    }
  if ((gsize) (end - q) < n)
    return FALSE;

  *content = q;
  *length = n;
  *p = q + n;
  return TRUE;
}

/* The SubjectPublicKeyInfo of an X.509 certificate, as encoded. */
static gboolean
find_public_key (const guint8  *der,
                 gsize          length,
                 const guint8 **spki,
                 gsize         *spki_length)
{
  const guint8 *p = der;
  const guint8 *content;
  const guint8 *tbs_end;
  gsize n;
  guint8 tag;

  /* Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { ... } ... } */
  if (!der_next (&p, der + length, &tag, &content, &n) || tag != 0x30)
    return FALSE;
  p = content;
  if (!der_next (&p, content + n, &tag, &content, &n) || tag != 0x30)
    return FALSE;
  p = content;
  tbs_end = content + n;

  /* [0] version (optional), serialNumber, signature, issuer, validity,
   * subject, then subjectPublicKeyInfo. */
  if (p < tbs_end && *p == 0xa0 && !der_next (&p, tbs_end, &tag, &content, &n))
    return FALSE;
  for (guint i = 0; i < 5; i++)
    if (!der_next (&p, tbs_end, &tag, &content, &n))
      return FALSE;

  *spki = p;
  if (!der_next (&p, tbs_end, &tag, &content, &n) || tag != 0x30)
    return FALSE;
  *spki_length = p - *spki;

  return TRUE;
}

char *
rs_mailer_certificate_pin_from_der (const guint8 *der,
                                    gsize         length)
{
  g_autoptr(GChecksum) checksum = NULL;
  const guint8 *spki;
  gsize spki_length;
  guint8 digest[32];
  gsize digest_length = sizeof digest;
  g_autofree char *encoded = NULL;

  g_return_val_if_fail (der != NULL || length == 0, NULL);

  if (!find_public_key (der, length, &spki, &spki_length))
    return NULL;

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, spki, spki_length);
  g_checksum_get_digest (checksum, digest, &digest_length);
  encoded = g_base64_encode (digest, digest_length);

  return g_strconcat ("sha256//", encoded, NULL);
}

char *
rs_mailer_certificate_fingerprint_from_der (const guint8 *der,
                                            gsize         length)
{
  g_autofree char *hex = NULL;
  GString *text;

  g_return_val_if_fail (der != NULL || length == 0, NULL);

  if (length == 0)
    return NULL;

  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, length);
  text = g_string_sized_new (96);
  for (guint i = 0; hex[i] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (text, ':');
      g_string_append_c (text, g_ascii_toupper (hex[i]));
      g_string_append_c (text, g_ascii_toupper (hex[i + 1]));
    }

  return g_string_free (text, FALSE);
}

static guint8 *
pem_to_der (const char *pem,
            gsize      *length)
{
  const char *begin = strstr (pem, "-----BEGIN CERTIFICATE-----");
  const char *end;
  g_autofree char *base64 = NULL;

  *length = 0;
  if (begin == NULL)
    return NULL;
  begin += strlen ("-----BEGIN CERTIFICATE-----");
  end = strstr (begin, "-----END CERTIFICATE-----");
  if (end == NULL)
    return NULL;

  /* The decoder skips the line breaks. */
  base64 = g_strndup (begin, end - begin);
  g_base64_decode_inplace (base64, length);
  if (*length == 0)
    return NULL;

  return (guint8 *) g_steal_pointer (&base64);
}

static char *
certinfo_field (struct curl_slist *fields,
                const char        *name)
{
  gsize length = strlen (name);

  for (struct curl_slist *field = fields; field != NULL; field = field->next)
    if (g_ascii_strncasecmp (field->data, name, length) == 0 && field->data[length] == ':')
      return g_strstrip (g_strdup (field->data + length + 1));

  return NULL;
}

RsMailerCertificate *
rs_mailer_fetch_certificate (const RsMailerConfig  *config,
                             GCancellable          *cancellable,
                             GError               **error)
{
  g_autoptr(RsMailer) probe = NULL;
  g_autoptr(RsMailerCertificate) certificate = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *der = NULL;
  g_autofree char *pem = NULL;
  struct curl_certinfo *info = NULL;
  RsMailerConfig anonymous;
  gsize length = 0;
  CURLcode rc;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* No user name, no password: the certificate is not checked here, so
   * nothing secret may go over this connection. */
  anonymous = *config;
  anonymous.user = NULL;
  anonymous.password = NULL;
  anonymous.pinned_key = NULL;
  probe = rs_mailer_new (&anonymous, error);
  if (probe == NULL)
    return NULL;

  if (!probe->encrypted)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG,
                   _("The connection to %s is not encrypted, so the server shows no "
                     "certificate."), probe->host);
      return NULL;
    }

  curl_easy_setopt (probe->setup, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt (probe->setup, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt (probe->setup, CURLOPT_CERTINFO, 1L);

  /* The certificate comes before anything the server might refuse. */
  _rs_mailer_connect_session (probe, NULL, NULL, cancellable, &local_error);

  rc = probe->curl != NULL ? curl_easy_getinfo (probe->curl, CURLINFO_CERTINFO, &info)
                           : CURLE_FAILED_INIT;
  if (rc == CURLE_OK && info != NULL && info->num_of_certs > 0)
    pem = certinfo_field (info->certinfo[0], "Cert");
  if (pem != NULL)
    der = pem_to_der (pem, &length);

  certificate = g_new0 (RsMailerCertificate, 1);
  if (der != NULL)
    {
      certificate->pin = rs_mailer_certificate_pin_from_der (der, length);
      certificate->fingerprint = rs_mailer_certificate_fingerprint_from_der (der, length);
    }
  if (certificate->pin == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TLS,
                     _("The certificate of the server %s could not be read."), probe->host);
      return NULL;
    }
  certificate->subject = certinfo_field (info->certinfo[0], "Subject");
  certificate->issuer = certinfo_field (info->certinfo[0], "Issuer");

  return g_steal_pointer (&certificate);
}
