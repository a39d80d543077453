/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-branding"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <librsvg/rsvg.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>
#include <sys/stat.h>

#include "rs-branding.h"
#include "rs-store-private.h"

/* A logo file's size and a PNG's width and height at the most */
#define RS_BRANDING_MAX_FILE (20 * 1024 * 1024)
#define RS_BRANDING_MAX_PIXELS 4000
#include "rs-report-text.h"

#define FONT_FAMILY "DejaVu Sans, Sans"
#define PARTNER_HEIGHT 40.0
#define PARTNER_GAP 16.0
#define FOOTER_SIZE 7.5

G_DEFINE_QUARK (rs-branding-error-quark, rs_branding_error)

/* A logo drawn once, when the branding is made, into pixels no larger than
 * its box needs at 300 dpi (a 4000 × 4000 PNG would otherwise be embedded
 * whole in every PDF, an SVG drawn anew each time). Each drawing wraps a
 * copy of the pixels in a surface of its own, so that no cairo surface is
 * shared by threads. */
typedef struct
{
  int width;
  int height;
  int stride;
  guchar *pixels;
} Raster;

typedef struct
{
  char *path;
  /* SHA-256 of the file, for the branding's hash */
  char *sha256;
  /* Drawn in a partner logo's box rather than the header's */
  gboolean partner;
  Raster *raster;
  /* The raster's size, which the drawn size keeps the proportions of */
  double width;
  double height;
  GError *error;
} Image;

/* A raster's bounds: its box at 300 dpi; the header's logo box, or a
 * partner logo's on an A4 page with margins of 42 pt (the reports' and the
 * dashboard's) */
#define RASTER_DPI 300.0
#define PARTNER_MAX_WIDTH 116.0
/* How long an SVG logo may take to draw, once, in microseconds */
#define SVG_BUDGET_US (2 * G_USEC_PER_SEC)

struct _RsBranding
{
  gint ref_count;
  char *name;
  char *notice_en;
  char *notice_nl;
  char *footer;
  Image logo;
  Image partners[RS_BRANDING_MAX_PARTNERS];
  guint n_partners;
  char *hash;
};

static const guint8 png_signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

typedef struct
{
  const guint8 *data;
  gsize length;
  gsize offset;
} PngReader;

static cairo_status_t
read_png (void          *closure,
          unsigned char *data,
          unsigned int   length)
{
  PngReader *reader = closure;

  if (reader->length - reader->offset < length)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, reader->data + reader->offset, length);
  reader->offset += length;

  return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *
decode_png (GBytes *bytes)
{
  PngReader reader = { 0 };
  cairo_surface_t *surface;

  reader.data = g_bytes_get_data (bytes, &reader.length);
  surface = cairo_image_surface_create_from_png_stream (read_png, &reader);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return NULL;
    }

  return surface;
}

static void
raster_free (Raster *raster)
{
  if (raster == NULL)
    return;
  g_free (raster->pixels);
  g_free (raster);
}

/* The pixels of @surface (ARGB32) */
static Raster *
raster_new_from_surface (cairo_surface_t *surface)
{
  Raster *raster = g_new0 (Raster, 1);

  cairo_surface_flush (surface);
  raster->width = cairo_image_surface_get_width (surface);
  raster->height = cairo_image_surface_get_height (surface);
  raster->stride = cairo_image_surface_get_stride (surface);
  raster->pixels = g_memdup2 (cairo_image_surface_get_data (surface),
                              (gsize) raster->stride * raster->height);

  return raster;
}

static cairo_surface_t *
raster_to_surface (const Raster *raster)
{
  cairo_surface_t *surface;
  guchar *data;
  int stride;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, raster->width, raster->height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int row = 0; row < raster->height; row++)
    memcpy (data + (gsize) row * stride, raster->pixels + (gsize) row * raster->stride,
            (gsize) MIN (stride, raster->stride));
  cairo_surface_mark_dirty (surface);

  return surface;
}

/* The pixel size of an image of @width × @height drawn in the raster's
 * bounds; never larger than it is when @grow is FALSE. */
static void
raster_size (double    width,
             double    height,
             gboolean  partner,
             gboolean  grow,
             int      *pixel_width,
             int      *pixel_height)
{
  double box_width = partner ? PARTNER_MAX_WIDTH : RS_BRANDING_LOGO_MAX_WIDTH;
  double box_height = partner ? PARTNER_HEIGHT : RS_BRANDING_LOGO_HEIGHT;
  double scale = MIN (ceil (box_width * RASTER_DPI / 72.0) / width,
                      ceil (box_height * RASTER_DPI / 72.0) / height);

  if (!grow)
    scale = MIN (scale, 1.0);
  *pixel_width = MAX (1, (int) ceil (width * scale - 0.01));
  *pixel_height = MAX (1, (int) ceil (height * scale - 0.01));
}

/* @surface scaled down to the raster's bounds (as it is when it fits) */
static Raster *
raster_new_scaled (cairo_surface_t *surface,
                   gboolean         partner)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int pixel_width;
  int pixel_height;
  cairo_surface_t *scaled;
  cairo_t *cr;
  Raster *raster;

  raster_size (width, height, partner, FALSE, &pixel_width, &pixel_height);
  if (pixel_width == width && pixel_height == height &&
      cairo_image_surface_get_format (surface) == CAIRO_FORMAT_ARGB32)
    return raster_new_from_surface (surface);

  scaled = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, pixel_width, pixel_height);
  cr = cairo_create (scaled);
  cairo_scale (cr, (double) pixel_width / width, (double) pixel_height / height);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_destroy (cr);
  raster = raster_new_from_surface (scaled);
  cairo_surface_destroy (scaled);

  return raster;
}

/* An SVG drawn on a thread of its own, which a logo that takes too long
 * is left to finish alone: shared by both, freed by the last. */
typedef struct
{
  gint ref_count;
  GMutex mutex;
  GCond cond;
  GBytes *bytes;
  gboolean partner;
  gboolean done;
  gboolean decoded;
  Raster *raster;
} SvgRender;

static void
svg_render_unref (SvgRender *render)
{
  if (!g_atomic_int_dec_and_test (&render->ref_count))
    return;
  g_bytes_unref (render->bytes);
  raster_free (render->raster);
  g_mutex_clear (&render->mutex);
  g_cond_clear (&render->cond);
  g_free (render);
}

static RsvgHandle *
decode_svg (GBytes  *bytes,
            GError **error)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  return rsvg_handle_new_from_data (data, length, error);
}

static void
svg_size (RsvgHandle *handle,
          double     *width,
          double     *height)
{
  gboolean has_width;
  gboolean has_height;
  gboolean has_viewbox;
  RsvgLength svg_width;
  RsvgLength svg_height;
  RsvgRectangle viewbox;

  if (rsvg_handle_get_intrinsic_size_in_pixels (handle, width, height) && *width > 0 &&
      *height > 0)
    return;

  rsvg_handle_get_intrinsic_dimensions (handle, &has_width, &svg_width, &has_height,
                                        &svg_height, &has_viewbox, &viewbox);
  if (has_viewbox && viewbox.width > 0 && viewbox.height > 0)
    {
      *width = viewbox.width;
      *height = viewbox.height;
    }
  else
    {
      *width = 100;
      *height = 100;
    }
}

/* Reading the SVG (a style sheet can take as long as drawing) and drawing
 * it, both within the budget */
static gpointer
svg_render_thread (gpointer data)
{
  SvgRender *render = data;
  g_autoptr(GObject) handle = G_OBJECT (decode_svg (render->bytes, NULL));
  Raster *raster = NULL;

  if (handle != NULL)
    {
      double width;
      double height;
      int pixel_width;
      int pixel_height;
      cairo_surface_t *surface;
      cairo_t *cr;

      svg_size (RSVG_HANDLE (handle), &width, &height);
      raster_size (width, height, render->partner, TRUE, &pixel_width, &pixel_height);
      {
        RsvgRectangle viewport = { 0, 0, pixel_width, pixel_height };

        surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, pixel_width, pixel_height);
        cr = cairo_create (surface);
        if (rsvg_handle_render_document (RSVG_HANDLE (handle), cr, &viewport, NULL))
          raster = raster_new_from_surface (surface);
        cairo_destroy (cr);
        cairo_surface_destroy (surface);
      }
    }

  g_mutex_lock (&render->mutex);
  render->decoded = handle != NULL;
  render->raster = raster;
  render->done = TRUE;
  g_cond_signal (&render->cond);
  g_mutex_unlock (&render->mutex);
  svg_render_unref (render);

  return NULL;
}

/* The SVG in @bytes drawn for its box, or %NULL when it is no SVG, cannot
 * be drawn or is not read and drawn within SVG_BUDGET_US (@too_slow then
 * says so). */
static Raster *
svg_render (GBytes   *bytes,
            gboolean  partner,
            gboolean *too_slow)
{
  SvgRender *render = g_new0 (SvgRender, 1);
  gint64 end = g_get_monotonic_time () + SVG_BUDGET_US;
  Raster *raster = NULL;
  GThread *thread;

  *too_slow = FALSE;
  render->ref_count = 2;
  g_mutex_init (&render->mutex);
  g_cond_init (&render->cond);
  render->bytes = g_bytes_ref (bytes);
  render->partner = partner;

  thread = g_thread_new ("rs-branding-svg", svg_render_thread, render);
  g_mutex_lock (&render->mutex);
  while (!render->done)
    if (!g_cond_wait_until (&render->cond, &render->mutex, end))
      break;
  if (render->done)
    raster = g_steal_pointer (&render->raster);
  else
    *too_slow = TRUE;
  g_mutex_unlock (&render->mutex);

  if (*too_slow)
    g_thread_unref (thread);
  else
    g_thread_join (thread);
  svg_render_unref (render);

  return raster;
}

static gboolean
image_set_size (Image *image)
{
  image->width = image->raster->width;
  image->height = image->raster->height;

  return TRUE;
}

static gboolean
image_decode (Image   *image,
              GBytes  *bytes,
              GError **error)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  g_autofree char *display = g_filename_display_name (image->path);

  if (length >= sizeof png_signature && memcmp (data, png_signature, sizeof png_signature) == 0)
    {
      cairo_surface_t *surface;

      /* The size its header gives, before it is decoded (IHDR follows the
       * signature: length, type, width, height, big-endian). */
      if (length >= 24)
        {
          guint32 w = (guint32) data[16] << 24 | data[17] << 16 | data[18] << 8 | data[19];
          guint32 h = (guint32) data[20] << 24 | data[21] << 16 | data[22] << 8 | data[23];

          if (w > RS_BRANDING_MAX_PIXELS || h > RS_BRANDING_MAX_PIXELS)
            {
              /* Translators: %s is the path of a logo file; then its width and
               * height in pixels, and the most either may be */
              g_set_error (error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_NOT_AN_IMAGE,
                           _("“%s” is %u × %u pixels, larger than a logo can be (at most %u "
                             "each way); the reports are made without it"),
                           display, w, h, (guint) RS_BRANDING_MAX_PIXELS);
              return FALSE;
            }
        }
      surface = decode_png (bytes);

      if (surface != NULL)
        {
          if (cairo_image_surface_get_width (surface) > 0 &&
              cairo_image_surface_get_height (surface) > 0)
            image->raster = raster_new_scaled (surface, image->partner);
          cairo_surface_destroy (surface);
          if (image->raster != NULL)
            return image_set_size (image);
        }
    }
  else
    {
      gboolean too_slow;

      image->raster = svg_render (bytes, image->partner, &too_slow);
      if (image->raster != NULL)
        return image_set_size (image);
      if (too_slow)
        {
          /* Translators: %s is the path of an SVG logo file; %d a number of seconds */
          g_set_error (error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_TOO_SLOW,
                       _("“%s” takes longer to draw than a logo may (%d seconds); the "
                         "reports are made without it"),
                       display, (int) (SVG_BUDGET_US / G_USEC_PER_SEC));
          return FALSE;
        }
    }

  /* Translators: %s is the path of a logo file chosen in Preferences */
  g_set_error (error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_NOT_AN_IMAGE,
               _("“%s” is not a PNG or SVG image; the reports are made without it"), display);

  return FALSE;
}

/* SHA-256 of the SVG logos that took too long to draw */
static GMutex too_slow_lock;
static GHashTable *too_slow;

static void
image_load (Image      *image,
            const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  gboolean known_slow;
  gsize length;

  GStatBuf buf;

  image->path = g_strdup (path);
  /* Not a device, a FIFO or a folder (which would never end or never fit),
   * and not a file larger than any logo. */
  if (g_stat (path, &buf) == 0 && (!S_ISREG (buf.st_mode) || buf.st_size > RS_BRANDING_MAX_FILE))
    {
      g_autofree char *display = g_filename_display_name (path);

      if (!S_ISREG (buf.st_mode))
        /* Translators: %s is the path of a logo file chosen in Preferences */
        g_set_error (&image->error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_NOT_AN_IMAGE,
                     _("“%s” is not a file; the reports are made without it"), display);
      else
        /* Translators: %s is the path of a logo file; %d a number of megabytes */
        g_set_error (&image->error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_NOT_AN_IMAGE,
                     _("“%s” is larger than a logo can be (at most %d MB); the reports are "
                       "made without it"), display, RS_BRANDING_MAX_FILE / (1024 * 1024));
      return;
    }
  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_autofree char *display = g_filename_display_name (path);

      /* Translators: the first %s is the path of a logo file, the second why
       * it could not be read */
      g_set_error (&image->error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_MISSING,
                   _("The logo “%s” cannot be read (%s); the reports are made without it"),
                   display, error->message);
      return;
    }

  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

  /* An SVG that took too long is not drawn again (nor left running again)
   * by every later branding of this process: the preview makes one per
   * respondent. */
  g_mutex_lock (&too_slow_lock);
  known_slow = too_slow != NULL && g_hash_table_contains (too_slow, sha256);
  g_mutex_unlock (&too_slow_lock);
  if (known_slow)
    {
      g_autofree char *display = g_filename_display_name (path);

      image->sha256 = g_strdup (sha256);
      g_set_error (&image->error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_TOO_SLOW,
                   _("“%s” takes longer to draw than a logo may (%d seconds); the "
                     "reports are made without it"),
                   display, (int) (SVG_BUDGET_US / G_USEC_PER_SEC));
      return;
    }

  /* The look of the reports is what the settings ask for: the file's
   * contents, whether or not this machine draws it in time now. */
  image->sha256 = g_strdup (sha256);
  if (!image_decode (image, bytes, &image->error) &&
      g_error_matches (image->error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_TOO_SLOW))
    {
      g_mutex_lock (&too_slow_lock);
      if (too_slow == NULL)
        too_slow = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_add (too_slow, g_steal_pointer (&sha256));
      g_mutex_unlock (&too_slow_lock);
    }
}

static void
image_clear (Image *image)
{
  g_clear_pointer (&image->path, g_free);
  g_clear_pointer (&image->sha256, g_free);
  g_clear_pointer (&image->raster, raster_free);
  g_clear_error (&image->error);
}

/**
 * rs_branding_check_image:
 *
 * Whether @path is a PNG or SVG image that the reports can show; for
 * Preferences. The error says what is wrong, naming the file.
 */
gboolean
rs_branding_check_image (const char  *path,
                         GError     **error)
{
  Image image = { 0 };
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);

  image_load (&image, path);
  ok = image.error == NULL;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&image.error));
  image_clear (&image);

  return ok;
}

static char *
clean_text (const char *text)
{
  char *clean = g_utf8_make_valid (text != NULL ? text : "", -1);

  return g_strstrip (clean);
}

static void
hash_text (GChecksum  *checksum,
           const char *text)
{
  g_autofree char *line = g_strdup_printf ("%zu:%s\n", strlen (text), text);

  g_checksum_update (checksum, (const guchar *) line, -1);
}

static void
hash_image (GChecksum   *checksum,
            const Image *image)
{
  /* A file that could be read counts by its contents, drawn or not (an SVG
   * refused as too slow on a busy machine is the same look as one drawn on
   * a quiet one); one that could not, as none. */
  hash_text (checksum, image->sha256 != NULL ? image->sha256 : "-");
}

/**
 * rs_branding_new:
 * @logo: (nullable): a PNG or SVG file; %NULL or "" for none
 * @partners: (nullable) (array zero-terminated=1): up to four more; empty
 *   strings are skipped
 *
 * Reads the logo files now. Texts may be %NULL.
 */
RsBranding *
rs_branding_new (const char         *name,
                 const char         *logo,
                 const char * const *partners,
                 const char         *notice_en,
                 const char         *notice_nl,
                 const char         *footer)
{
  RsBranding *branding = g_new0 (RsBranding, 1);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  branding->ref_count = 1;
  branding->name = clean_text (name);
  branding->notice_en = clean_text (notice_en);
  branding->notice_nl = clean_text (notice_nl);
  branding->footer = clean_text (footer);
  if (logo != NULL && logo[0] != '\0')
    image_load (&branding->logo, logo);
  for (guint i = 0; partners != NULL && partners[i] != NULL; i++)
    {
      if (partners[i][0] == '\0')
        continue;
      if (branding->n_partners == RS_BRANDING_MAX_PARTNERS)
        break;
      branding->partners[branding->n_partners].partner = TRUE;
      image_load (&branding->partners[branding->n_partners++], partners[i]);
    }

  /* What the PDFs show of it: the texts and each logo's contents. */
  /* 2: logos drawn from rasters of at most 300 dpi */
  hash_text (checksum, "rs-branding 2");
  hash_text (checksum, branding->name);
  hash_text (checksum, branding->notice_en);
  hash_text (checksum, branding->notice_nl);
  hash_text (checksum, branding->footer);
  hash_image (checksum, &branding->logo);
  for (guint i = 0; i < branding->n_partners; i++)
    hash_image (checksum, &branding->partners[i]);
  branding->hash = g_strdup (g_checksum_get_string (checksum));

  return branding;
}

/**
 * rs_branding_new_from_gsettings:
 *
 * The branding of Preferences → Reports (the report-* keys of @settings).
 */
RsBranding *
rs_branding_new_from_gsettings (GSettings *settings)
{
  g_autofree char *name = NULL;
  g_autofree char *logo = NULL;
  g_auto(GStrv) partners = NULL;
  g_autofree char *notice_en = NULL;
  g_autofree char *notice_nl = NULL;
  g_autofree char *footer = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  name = g_settings_get_string (settings, "report-organisation");
  logo = g_settings_get_string (settings, "report-logo");
  partners = g_settings_get_strv (settings, "report-partner-logos");
  notice_en = g_settings_get_string (settings, "report-notice-en");
  notice_nl = g_settings_get_string (settings, "report-notice-nl");
  footer = g_settings_get_string (settings, "report-footer");

  return rs_branding_new (name, logo, (const char * const *) partners, notice_en, notice_nl,
                          footer);
}

/**
 * rs_branding_load_default:
 * @benchmark: (out) (optional): whether the reports show the peer
 *   benchmark ("report-benchmark")
 *
 * What the saved preferences say about the look of the reports, for the
 * report job, the preview and the command line alike; without the
 * application's settings schema (a build tree) no branding and the
 * benchmark on.
 *
 * Returns: (transfer full) (nullable): the branding, or %NULL when it is
 *   empty
 */
RsBranding *
rs_branding_load_default (gboolean *benchmark)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  RsBranding *branding;

  if (benchmark != NULL)
    *benchmark = TRUE;
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "report-benchmark"))
    return NULL;

  settings = g_settings_new (APP_ID);
  if (benchmark != NULL)
    *benchmark = g_settings_get_boolean (settings, "report-benchmark");
  branding = rs_branding_new_from_gsettings (settings);
  if (rs_branding_is_empty (branding))
    g_clear_pointer (&branding, rs_branding_unref);

  return branding;
}

RsBranding *
rs_branding_ref (RsBranding *branding)
{
  g_return_val_if_fail (branding != NULL, NULL);

  g_atomic_int_inc (&branding->ref_count);

  return branding;
}

void
rs_branding_unref (RsBranding *branding)
{
  if (branding == NULL || !g_atomic_int_dec_and_test (&branding->ref_count))
    return;

  g_free (branding->name);
  g_free (branding->notice_en);
  g_free (branding->notice_nl);
  g_free (branding->footer);
  image_clear (&branding->logo);
  for (guint i = 0; i < branding->n_partners; i++)
    image_clear (&branding->partners[i]);
  g_free (branding->hash);
  g_free (branding);
}

/* Whether the PDFs look as without a branding: no text and no logo that
 * can be shown. */
gboolean
rs_branding_is_empty (const RsBranding *branding)
{
  if (branding == NULL)
    return TRUE;

  if (branding->name[0] != '\0' || branding->notice_en[0] != '\0' ||
      branding->notice_nl[0] != '\0' || branding->footer[0] != '\0' ||
      branding->logo.raster != NULL)
    return FALSE;
  for (guint i = 0; i < branding->n_partners; i++)
    if (branding->partners[i].raster != NULL)
      return FALSE;

  return TRUE;
}

/* A SHA-256 (hex) of all a PDF shows of the branding, the logos' contents
 * included; part of a report's input hash. */
const char *
rs_branding_get_hash (const RsBranding *branding)
{
  g_return_val_if_fail (branding != NULL, NULL);

  return branding->hash;
}

/**
 * rs_branding_look_key:
 * @branding: (nullable): the branding the reports are made with
 * @benchmark: whether the peer benchmark is switched on
 *
 * The look of the reports as the settings give it, which the database keeps
 * with each report (delivery.report_look): a report whose key differs from
 * the settings' is outdated.
 *
 * Returns: (transfer full): a short text, such as "benchmark on, branding none"
 */
char *
rs_branding_look_key (const RsBranding *branding,
                      gboolean          benchmark)
{
  return g_strdup_printf ("benchmark %s, branding %s", benchmark ? "on" : "off",
                          rs_branding_is_empty (branding) ? "none" : branding->hash);
}

/**
 * rs_branding_load_look_key:
 *
 * rs_branding_look_key() of the saved preferences (rs_branding_load_default()).
 * Reads the logo files.
 */
char *
rs_branding_load_look_key (void)
{
  gboolean benchmark;
  g_autoptr(RsBranding) branding = rs_branding_load_default (&benchmark);

  return rs_branding_look_key (branding, benchmark);
}

/* How many logos (the organisation's and the partners') are drawn. */
guint
rs_branding_get_n_images (const RsBranding *branding)
{
  guint n = 0;

  if (branding == NULL)
    return 0;

  n += branding->logo.raster != NULL;
  for (guint i = 0; i < branding->n_partners; i++)
    n += branding->partners[i].raster != NULL;

  return n;
}

/* The size @image is drawn at in a box of @max_width × @max_height. */
static void
image_fit (const Image *image,
           double       max_width,
           double       max_height,
           double      *width,
           double      *height)
{
  double scale = MIN (max_width / image->width, max_height / image->height);

  *width = image->width * scale;
  *height = image->height * scale;
}

static void
image_draw (const Image *image,
            cairo_t     *cr,
            double       x,
            double       y,
            double       width,
            double       height)
{
  cairo_surface_t *surface = raster_to_surface (image->raster);

  if (cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS)
    {
      cairo_save (cr);
      cairo_translate (cr, x, y);
      cairo_scale (cr, width / image->width, height / image->height);
      cairo_set_source_surface (cr, surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
      cairo_paint (cr);
      cairo_restore (cr);
    }
  cairo_surface_destroy (surface);
}

/* Text as the reports draw it: unhinted, so a preview breaks lines as the
 * PDF does. */
static PangoLayout *
make_layout (cairo_t    *cr,
             const char *text,
             double      size,
             gboolean    bold,
             double      width,
             int         max_lines,
             PangoAlignment alignment)
{
  PangoContext *context;
  PangoLayout *layout;
  PangoFontDescription *font;
  cairo_font_options_t *options;

  context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);
  pango_context_set_round_glyph_positions (context, FALSE);
  pango_cairo_update_context (cr, context);

  layout = pango_layout_new (context);
  g_object_unref (context);
  font = pango_font_description_from_string (FONT_FAMILY);
  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_alignment (layout, alignment);
      if (max_lines > 0)
        {
          pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
          pango_layout_set_height (layout, -max_lines);
        }
    }
  pango_layout_set_text (layout, text, -1);

  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);

  return (double) logical.height / PANGO_SCALE;
}

static double
layout_width (PangoLayout *layout)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);

  return (double) logical.width / PANGO_SCALE;
}

static void
show_layout (cairo_t     *cr,
             PangoLayout *layout,
             double       x,
             double       y,
             guint        rgb)
{
  cairo_set_source_rgb (cr, (rgb >> 16 & 0xff) / 255.0, (rgb >> 8 & 0xff) / 255.0,
                        (rgb & 0xff) / 255.0);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

/**
 * rs_branding_draw_header:
 * @x: the left of the band, in points
 * @y: its top
 * @width: its width
 * @logo_width: (out) (optional): how wide the logo at the right end of the
 *   band is (0 without one); at most %RS_BRANDING_LOGO_MAX_WIDTH
 *
 * Draws the organisation's logo at the top right of the band, at most
 * %RS_BRANDING_LOGO_HEIGHT high, and its name at the top left, beside it.
 *
 * Returns: the height the name takes, which text below it moves down by
 *   (0 without a name)
 */
double
rs_branding_draw_header (const RsBranding *branding,
                         cairo_t          *cr,
                         double            x,
                         double            y,
                         double            width,
                         double           *logo_width)
{
  double drawn_width = 0;
  double height = 0;

  if (logo_width != NULL)
    *logo_width = 0;
  if (branding == NULL)
    return 0;

  if (branding->logo.raster != NULL)
    {
      double drawn_height;

      image_fit (&branding->logo, RS_BRANDING_LOGO_MAX_WIDTH, RS_BRANDING_LOGO_HEIGHT,
                 &drawn_width, &drawn_height);
      image_draw (&branding->logo, cr, x + width - drawn_width, y, drawn_width, drawn_height);
    }

  if (branding->name[0] != '\0')
    {
      g_autoptr(PangoLayout) layout = NULL;

      layout = make_layout (cr, branding->name, 9.5, TRUE,
                            width - (drawn_width > 0 ? drawn_width + 12 : 0), 1,
                            PANGO_ALIGN_LEFT);
      show_layout (cr, layout, x, y, 0x1A5FB4);
      height = layout_height (layout) + 4;
    }

  if (logo_width != NULL)
    *logo_width = drawn_width;

  return height;
}

/**
 * rs_branding_draw_footer:
 * @page: from 0
 *
 * Draws the page number ("Page 1 of 3") at the bottom right of the page and
 * the footer line at its bottom left, below @page_height - 26.
 */
void
rs_branding_draw_footer (const RsBranding *branding,
                         cairo_t          *cr,
                         const char       *language,
                         guint             page,
                         guint             n_pages,
                         double            page_width,
                         double            page_height,
                         double            margin)
{
  const RsReportText *text = rs_report_text_get (language);
  g_autofree char *number = NULL;
  g_autofree char *total = NULL;
  g_autofree char *label = NULL;
  g_autoptr(PangoLayout) page_layout = NULL;
  double page_label_width;
  double y = page_height - 22;

  if (rs_branding_is_empty (branding))
    return;

  number = g_strdup_printf ("%u", page + 1);
  total = g_strdup_printf ("%u", n_pages);
  label = rs_report_text_fill (text->page_number, number, total, NULL);
  page_layout = make_layout (cr, label, FOOTER_SIZE, FALSE, 0, 0, PANGO_ALIGN_LEFT);
  page_label_width = layout_width (page_layout);
  show_layout (cr, page_layout, page_width - margin - page_label_width, y, 0x757575);

  if (branding->footer[0] != '\0')
    {
      g_autoptr(PangoLayout) layout = NULL;

      layout = make_layout (cr, branding->footer, FOOTER_SIZE, FALSE,
                            page_width - 2 * margin - page_label_width - 16, 1,
                            PANGO_ALIGN_LEFT);
      show_layout (cr, layout, margin, y, 0x757575);
    }
}

static const char *
notice_for (const RsBranding *branding,
            const char       *language)
{
  if (rs_report_text_is_nl (language))
    return branding->notice_nl[0] != '\0' ? branding->notice_nl : branding->notice_en;

  return branding->notice_en[0] != '\0' ? branding->notice_en : branding->notice_nl;
}

/* Whether there is a closing block: a notice or a partner logo. */
gboolean
rs_branding_has_closing (const RsBranding *branding,
                         const char       *language)
{
  if (branding == NULL)
    return FALSE;

  if (notice_for (branding, language)[0] != '\0')
    return TRUE;
  for (guint i = 0; i < branding->n_partners; i++)
    if (branding->partners[i].raster != NULL)
      return TRUE;

  return FALSE;
}

/* Lays the closing block out from @first_top on its first page down to
 * @bottom, going on from @top of the pages after it: the rule with the
 * notice's first line, the notice line by line (however long it is), and
 * the partner logos' row whole. Draws its part @draw_part (none when
 * negative) and returns how many pages it takes. */
static guint
closing_flow (const RsBranding *branding,
              cairo_t          *cr,
              const char       *language,
              double            x,
              double            width,
              double            first_top,
              double            top,
              double            bottom,
              int               draw_part)
{
  const char *notice = notice_for (branding, language);
  guint n_logos = rs_branding_get_n_images (branding) - (branding->logo.raster != NULL);
  /* Nothing drawn yet on this page: no break, whatever the room */
  gboolean fresh = first_top <= top;
  double y = first_top;
  int part = 0;
  g_autoptr(PangoLayout) layout = NULL;
  PangoLayoutIter *iter = NULL;

#define ROOM_FOR(height) \
  G_STMT_START { \
    if (y + (height) > bottom && !fresh) \
      { \
        part++; \
        y = top; \
      } \
    fresh = FALSE; \
  } G_STMT_END

  if (notice[0] != '\0')
    layout = make_layout (cr, notice, 8.5, FALSE, width, 0, PANGO_ALIGN_LEFT);

  ROOM_FOR (20 + (layout != NULL ? 12 : 0));
  if (part == draw_part)
    {
      cairo_set_source_rgb (cr, 0xCF / 255.0, 0xD8 / 255.0, 0xDC / 255.0);
      cairo_set_line_width (cr, 0.8);
      cairo_move_to (cr, x, y + 10);
      cairo_line_to (cr, x + width, y + 10);
      cairo_stroke (cr);
    }
  y += 20;
  fresh = TRUE;

  if (layout != NULL)
    {
      iter = pango_layout_get_iter (layout);
      do
        {
          PangoRectangle logical;
          double height;
          double baseline;

          pango_layout_iter_get_line_extents (iter, NULL, &logical);
          height = (double) logical.height / PANGO_SCALE;
          baseline = (double) (pango_layout_iter_get_baseline (iter) - logical.y) / PANGO_SCALE;
          ROOM_FOR (height);
          if (part == draw_part)
            {
              cairo_set_source_rgb (cr, 0x45 / 255.0, 0x5A / 255.0, 0x64 / 255.0);
              cairo_move_to (cr, x + (double) logical.x / PANGO_SCALE, y + baseline);
              pango_cairo_show_layout_line (cr, pango_layout_iter_get_line_readonly (iter));
            }
          y += height;
        }
      while (pango_layout_iter_next_line (iter));
      pango_layout_iter_free (iter);
      y += 12;
    }

  if (n_logos > 0)
    {
      double box = (width - (RS_BRANDING_MAX_PARTNERS - 1) * PARTNER_GAP) /
                   RS_BRANDING_MAX_PARTNERS;
      double left = x + (width - n_logos * box - (n_logos - 1) * PARTNER_GAP) / 2;

      ROOM_FOR (PARTNER_HEIGHT + 4);
      for (guint i = 0; i < branding->n_partners && part == draw_part; i++)
        {
          const Image *image = &branding->partners[i];
          double drawn_width;
          double drawn_height;

          if (image->raster == NULL)
            continue;
          image_fit (image, box, PARTNER_HEIGHT, &drawn_width, &drawn_height);
          image_draw (image, cr, left + (box - drawn_width) / 2,
                      y + (PARTNER_HEIGHT - drawn_height) / 2, drawn_width, drawn_height);
          left += box + PARTNER_GAP;
        }
    }

#undef ROOM_FOR

  return (guint) part + 1;
}

/**
 * rs_branding_get_closing_pages:
 * @first_top: where the block starts on its first page, in points
 * @top: where it goes on on the pages after it
 * @bottom: how far down it may go on each page
 *
 * How many pages the closing block takes (0 when there is none): a long
 * notice goes on over as many pages as it needs, line by line.
 */
guint
rs_branding_get_closing_pages (const RsBranding *branding,
                               const char       *language,
                               double            width,
                               double            first_top,
                               double            top,
                               double            bottom)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  guint n_pages;

  if (!rs_branding_has_closing (branding, language))
    return 0;

  /* Unhinted text measures the same on any surface. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_A8, 1, 1);
  cr = cairo_create (surface);
  n_pages = closing_flow (branding, cr, language, 0, width, first_top, top, bottom, -1);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  return n_pages;
}

/**
 * rs_branding_draw_closing_page:
 * @part: which of its rs_branding_get_closing_pages() pages, from 0
 *
 * Draws part @part of the closing block, laid out as
 * rs_branding_get_closing_pages() says with the same arguments: a rule, the
 * confidentiality notice in @language (the other one when that is empty)
 * and the partner logos in a row.
 */
void
rs_branding_draw_closing_page (const RsBranding *branding,
                               cairo_t          *cr,
                               const char       *language,
                               double            x,
                               double            width,
                               double            first_top,
                               double            top,
                               double            bottom,
                               guint             part)
{
  if (!rs_branding_has_closing (branding, language))
    return;

  cairo_save (cr);
  closing_flow (branding, cr, language, x, width, first_top, top, bottom, (int) part);
  cairo_restore (cr);
}

static gboolean
outdate_transaction (sqlite3   *db,
                     gpointer   user_data,
                     GError   **error)
{
  int rc = sqlite3_exec (db, "UPDATE delivery SET report_source_hash = NULL"
                             " WHERE report_path IS NOT NULL AND report_source_hash IS NOT NULL",
                         NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

/**
 * rs_branding_outdate_reports:
 *
 * After the institution's look changed in Preferences: every report made
 * shows as outdated (the next report run makes again those whose look did
 * change, and finds the others as they are). On the calling thread's
 * connection, in a write transaction of its own; not on the main thread.
 */
gboolean
rs_branding_outdate_reports (RsStore  *store,
                             GError  **error)
{
  g_return_val_if_fail (RS_IS_STORE (store), FALSE);

  return rs_store_write (store, outdate_transaction, NULL, error);
}
