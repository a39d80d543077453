/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-branding"

#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "rs-branding.h"
#include "rs-dashboard.h"
#include "rs-import.h"
#include "rs-report.h"
#include "rs-report-job.h"
#include "rs-test-util.h"

/* The institution's look in the personal reports, set in the saved
 * preferences: real PNG and SVG files, real reports read back with
 * pdftotext and pdfimages. */

typedef struct
{
  char *dir;
  char *csv;
  char *folder;
  RsStore *store;
  GSettings *settings;
} Fixture;

#define HEADER "name,function,company_name,email_address,version,submitdate," \
               "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
               "do__r,do__c,do__f,do__v,do__a\n"

/* Five respondents: too few for the peer benchmark. Ivo and Anne share a
 * company (three pages), Lena is alone (two pages with a closing page). */
static const char master_csv[] =
  HEADER
  "Ivo Bos,Buyer,Polder Packaging B.V.,ivo@example.com,Version 1.0 (eng),2024-03-01,"
  "4,4,3,2,5,3,3,3,3,3,2,2,2,2,2\n"
  "Anne Jansen,Planner,Polder Packaging B.V.,anne@example.org,Versie 1.0 (nl),2024-03-02,"
  "3,3,3,3,3,3,3,3,3,3,3,3,3,3,3\n"
  "Lena Öberg,CEO,Fjord AS,lena@example.net,Version 1.0 (eng),2024-03-03,"
  "2,2,2,2,2,,,,,,1,1,1,1,1\n"
  "Sam Smit,Buyer,Waal Bouw,sam.one@example.com,Version 1.0 (eng),2024-03-05,"
  "5,5,5,5,5,5,5,5,5,5,5,5,5,5,5\n"
  "Ria Smit,Buyer,Maas Bouw,ria@example.com,Version 1.0 (eng),2024-03-06,"
  "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1\n";

#define ORGANISATION "Example Institute of Logistics"
#define FOOTER "www.example.org/resilience"
#define NOTICE_EN "Confidential: for the named respondent and their company only."
#define NOTICE_NL "Vertrouwelijk: alleen voor de genoemde respondent en het bedrijf."

static const char svg_logo[] =
  "<svg xmlns='http://www.w3.org/2000/svg' width='120' height='40' viewBox='0 0 120 40'>"
  "<rect width='120' height='40' rx='6' fill='#1a5fb4'/></svg>";

/* An opaque PNG (no soft mask, so pdfimages lists one image for it). */
static char *
write_png (Fixture    *fixture,
           const char *name,
           int         width,
           int         height,
           double      red)
{
  char *path = g_build_filename (fixture->dir, name, NULL);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, red, 0.4, 0.7);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, width / 4.0, height / 4.0, width / 2.0, height / 2.0);
  cairo_fill (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  return path;
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));

  return path;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) summary = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  db = g_build_filename (fixture->dir, "tracker.db", NULL);
  fixture->csv = g_build_filename (fixture->dir, "master.csv", NULL);
  fixture->folder = g_build_filename (fixture->dir, "Reports", NULL);
  fixture->store = rs_store_open (db, &error);
  g_assert_no_error (error);
  fixture->settings = g_settings_new (APP_ID);

  g_assert_true (g_file_set_contents (fixture->csv, master_csv, -1, NULL));
  file = g_file_new_for_path (fixture->csv);
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char *keys[] = {
    "report-organisation", "report-logo", "report-partner-logos", "report-notice-en",
    "report-notice-nl", "report-footer",
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (fixture->settings, keys[i]);
  g_clear_object (&fixture->settings);
  rs_store_release_connection (fixture->store);
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->csv);
  g_free (fixture->folder);
}

static RsReportSummary *
generate (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  RsReportSummary *summary;

  summary = rs_report_job_run (fixture->store, fixture->folder, NULL, 0, FALSE, 2, NULL, NULL,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->failed, ==, 0);
  g_assert_cmpuint (summary->not_possible, ==, 0);

  return summary;
}

static char *
report_of (Fixture    *fixture,
           const char *email)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);
  sqlite3_stmt *stmt = NULL;
  char *path = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT d.report_path FROM delivery d"
                                           " JOIN respondent r ON r.id = d.respondent_id"
                                           " WHERE r.email = ?1", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    path = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  g_assert_nonnull (path);

  return path;
}

static char *
run (const char *program,
     const char *path)
{
  const char *argv[] = { program, NULL, path, "-", NULL };
  g_autoptr(GError) error = NULL;
  char *output = NULL;
  int status;

  if (g_str_equal (program, "pdfimages"))
    {
      argv[1] = "-list";
      argv[3] = NULL;
    }
  else
    {
      argv[1] = "-layout";
    }
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &output, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return output;
}

static char *
report_text (Fixture    *fixture,
             const char *email)
{
  g_autofree char *path = report_of (fixture, email);

  return run ("pdftotext", path);
}

/* The images of the report, as pdfimages lists them (after its two lines
 * of heading). */
static guint
report_images (Fixture    *fixture,
               const char *email)
{
  g_autofree char *path = report_of (fixture, email);
  g_autofree char *list = run ("pdfimages", path);
  g_auto(GStrv) lines = g_strsplit (g_strchomp (list), "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), >=, 2);

  return g_strv_length (lines) - 2;
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” is not in:\n%s", needle, text);
}

/* A report with everything: name and logo, footer and page numbers on every
 * page, the notice in the report's language and the partner logos. */
static void
test_full (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *logo = write_png (fixture, "logo.png", 240, 96, 0.1);
  g_autofree char *partner1 = write_png (fixture, "partner1.png", 160, 80, 0.5);
  g_autofree char *partner2 = write_png (fixture, "partner2.png", 80, 80, 0.9);
  g_autofree char *partner3 = write_file (fixture, "partner3.svg", svg_logo);
  const char *partners[] = { partner1, partner2, partner3, NULL };
  g_autoptr(RsReportSummary) summary = NULL;
  g_autofree char *text = NULL;

  g_settings_set_string (fixture->settings, "report-organisation", ORGANISATION);
  g_settings_set_string (fixture->settings, "report-logo", logo);
  g_settings_set_strv (fixture->settings, "report-partner-logos", partners);
  g_settings_set_string (fixture->settings, "report-notice-en", NOTICE_EN);
  g_settings_set_string (fixture->settings, "report-notice-nl", NOTICE_NL);
  g_settings_set_string (fixture->settings, "report-footer", FOOTER);

  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);

  text = report_text (fixture, "ivo@example.com");
  assert_contains (text, ORGANISATION);
  assert_contains (text, FOOTER);
  assert_contains (text, "Page 1 of 3");
  assert_contains (text, "Page 2 of 3");
  assert_contains (text, "Page 3 of 3");
  assert_contains (text, NOTICE_EN);
  g_assert_null (strstr (text, NOTICE_NL));
  /* The footer on each page */
  g_assert_nonnull (strstr (strstr (strstr (text, FOOTER) + 1, FOOTER) + 1, FOOTER));
  /* The logo, the two PNG partner logos and the SVG one, drawn once into
   * pixels (with its soft mask for the rounded corners) */
  g_assert_cmpuint (report_images (fixture, "ivo@example.com"), ==, 5);
  g_clear_pointer (&text, g_free);

  text = report_text (fixture, "anne@example.org");
  assert_contains (text, "Pagina 1 van 3");
  assert_contains (text, NOTICE_NL);
  g_assert_null (strstr (text, NOTICE_EN));
  g_clear_pointer (&text, g_free);

  text = report_text (fixture, "lena@example.net");
  assert_contains (text, "Page 1 of 2");
  assert_contains (text, "Page 2 of 2");
  assert_contains (text, NOTICE_EN);
  g_assert_cmpuint (report_images (fixture, "lena@example.net"), ==, 5);
}

/* The dashboard PDF with the same look: logo and name on its first page,
 * footer and page numbers on each, the notice and partner logos on a last
 * page; without branding it keeps its three pages. */
static void
test_dashboard (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *logo = write_png (fixture, "logo.png", 240, 96, 0.1);
  g_autofree char *partner = write_png (fixture, "partner.png", 160, 80, 0.5);
  g_autofree char *plain = g_build_filename (fixture->dir, "plain.pdf", NULL);
  g_autofree char *branded = g_build_filename (fixture->dir, "branded.pdf", NULL);
  g_autofree char *dutch = g_build_filename (fixture->dir, "dutch.pdf", NULL);
  const char *partners[] = { partner, NULL };
  g_autoptr(RsDashboard) dashboard = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *images = NULL;
  sqlite3 *db = rs_store_get_connection (fixture->store, &error);

  g_assert_no_error (error);
  dashboard = rs_dashboard_compute (db, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (rs_dashboard_write_pdf (dashboard, "en", plain, &error));
  g_assert_no_error (error);
  text = run ("pdftotext", plain);
  assert_contains (text, "Page 3 of 3");
  g_assert_null (strstr (text, ORGANISATION));
  g_clear_pointer (&text, g_free);

  g_settings_set_string (fixture->settings, "report-organisation", ORGANISATION);
  g_settings_set_string (fixture->settings, "report-logo", logo);
  g_settings_set_strv (fixture->settings, "report-partner-logos", partners);
  g_settings_set_string (fixture->settings, "report-notice-en", NOTICE_EN);
  g_settings_set_string (fixture->settings, "report-notice-nl", NOTICE_NL);
  g_settings_set_string (fixture->settings, "report-footer", FOOTER);

  g_assert_true (rs_dashboard_write_pdf (dashboard, "en", branded, &error));
  g_assert_no_error (error);
  text = run ("pdftotext", branded);
  assert_contains (text, ORGANISATION);
  assert_contains (text, "Page 1 of 4");
  assert_contains (text, "Page 4 of 4");
  assert_contains (text, NOTICE_EN);
  g_assert_null (strstr (text, NOTICE_NL));
  g_assert_nonnull (strstr (strstr (strstr (strstr (text, FOOTER) + 1, FOOTER) + 1, FOOTER) + 1,
                            FOOTER));
  images = run ("pdfimages", branded);
  {
    g_auto(GStrv) lines = g_strsplit (g_strchomp (images), "\n", -1);

    /* The logo and the partner logo, after pdfimages' two lines of heading */
    g_assert_cmpuint (g_strv_length (lines), ==, 2 + 2);
  }
  g_clear_pointer (&text, g_free);

  g_assert_true (rs_dashboard_write_pdf (dashboard, "nl", dutch, &error));
  g_assert_no_error (error);
  text = run ("pdftotext", dutch);
  assert_contains (text, "Pagina 4 van 4");
  assert_contains (text, NOTICE_NL);
}

/* A FIFO, a device or a folder as logo, or a PNG whose header claims a
 * huge size: refused at once with a message, nothing read or decoded (a
 * FIFO would never end, /dev/zero never fit). */
static void
test_unreadable_logos (Fixture       *fixture,
                       gconstpointer  data)
{
  static const guint8 huge_png[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
    0x00, 0x01, 0x86, 0xa0, 0x00, 0x01, 0x86, 0xa0, 8, 2, 0, 0, 0,
  };
  g_autofree char *fifo = g_build_filename (fixture->dir, "logo-fifo.png", NULL);
  g_autofree char *huge = g_build_filename (fixture->dir, "huge.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsReportSummary) summary = NULL;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_false (rs_branding_check_image (fifo, &error));
  assert_contains (error->message, "is not a file");
  g_clear_error (&error);
  g_assert_false (rs_branding_check_image ("/dev/zero", &error));
  assert_contains (error->message, "is not a file");
  g_clear_error (&error);
  g_assert_false (rs_branding_check_image (fixture->dir, &error));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (huge, (const char *) huge_png, sizeof huge_png, NULL));
  g_assert_false (rs_branding_check_image (huge, &error));
  assert_contains (error->message, "100000 × 100000 pixels");
  g_clear_error (&error);

  /* The reports are made, without it, and do not wait for the FIFO. */
  g_settings_set_string (fixture->settings, "report-organisation", ORGANISATION);
  g_settings_set_string (fixture->settings, "report-logo", fifo);
  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);
  g_unlink (fifo);
}

/* The pdfimages -list lines of @path after its two lines of heading */
static GStrv
image_lines (const char *path)
{
  g_autofree char *list = run ("pdfimages", path);
  g_auto(GStrv) lines = g_strsplit (g_strchomp (list), "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), >=, 2);

  return g_strdupv (lines + 2);
}

/* A 4000 × 4000 PNG as logo and a 4000 × 1000 one as partner logo:
 * embedded at no more than the 300 dpi of the box each is drawn in (192 ×
 * 192 and 484 × 121 pixels), so each PDF stays small; the dashboard's
 * likewise. */
static void
test_huge_logo (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *logo = write_png (fixture, "huge.png", 4000, 4000, 0.2);
  g_autofree char *wide = write_png (fixture, "wide.png", 4000, 1000, 0.6);
  const char *partners[] = { wide, NULL };
  g_autoptr(RsReportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dashboard_path = g_build_filename (fixture->dir, "dashboard.pdf", NULL);
  g_autoptr(RsDashboard) dashboard = NULL;
  const char *pdfs[2];
  GStatBuf buf;
  sqlite3 *db;

  g_settings_set_string (fixture->settings, "report-logo", logo);
  g_settings_set_strv (fixture->settings, "report-partner-logos", partners);
  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);
  path = report_of (fixture, "ivo@example.com");

  db = rs_store_get_connection (fixture->store, &error);
  g_assert_no_error (error);
  dashboard = rs_dashboard_compute (db, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (rs_dashboard_write_pdf (dashboard, "en", dashboard_path, &error));
  g_assert_no_error (error);

  pdfs[0] = path;
  pdfs[1] = dashboard_path;
  for (guint p = 0; p < G_N_ELEMENTS (pdfs); p++)
    {
      g_auto(GStrv) lines = image_lines (pdfs[p]);

      /* page num type width height … */
      g_assert_cmpuint (g_strv_length (lines), ==, 2);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
          g_autoptr(GPtrArray) words = g_ptr_array_new ();
          guint64 width;
          guint64 height;

          for (guint f = 0; fields[f] != NULL; f++)
            if (fields[f][0] != '\0')
              g_ptr_array_add (words, fields[f]);
          g_assert_cmpuint (words->len, >, 4);
          width = g_ascii_strtoull (g_ptr_array_index (words, 3), NULL, 10);
          height = g_ascii_strtoull (g_ptr_array_index (words, 4), NULL, 10);
          g_test_message ("%s: %s", pdfs[p], lines[i]);
          g_assert_cmpuint (width, <=, 625);
          g_assert_cmpuint (height, <=, 192);
          g_assert_cmpuint (width, >=, 150);
          /* x-ppi and y-ppi: 300 dpi at the size drawn, give or take rounding */
          g_assert_cmpuint (g_ascii_strtoull (g_ptr_array_index (words, 12), NULL, 10), <=, 310);
          g_assert_cmpuint (g_ascii_strtoull (g_ptr_array_index (words, 13), NULL, 10), <=, 310);
        }
      g_assert_cmpint (g_stat (pdfs[p], &buf), ==, 0);
      g_assert_cmpint (buf.st_size, <, 400 * 1024);
    }
}

/* A logo of an extreme shape (1 × 100,000) stays in its box: each image
 * in the report is no taller than the box at 300 dpi (192 pixels), and no
 * line runs down the page. */
static void
test_thin_logo (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *thin = write_file (fixture, "thin.svg",
                                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\""
                                      " height=\"100000\"><rect width=\"1\" height=\"100000\""
                                      " fill=\"red\"/></svg>");
  const char *partners[] = { thin, NULL };
  g_autoptr(RsReportSummary) summary = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) lines = NULL;

  g_settings_set_string (fixture->settings, "report-logo", thin);
  g_settings_set_strv (fixture->settings, "report-partner-logos", partners);
  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);
  path = report_of (fixture, "ivo@example.com");

  /* The logo and the partner logo, each drawn into pixels of its box (an
   * image and its soft mask) */
  lines = image_lines (path);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr(GPtrArray) words = g_ptr_array_new ();

      for (guint f = 0; fields[f] != NULL; f++)
        if (fields[f][0] != '\0')
          g_ptr_array_add (words, fields[f]);
      g_assert_cmpuint (words->len, >, 4);
      g_test_message ("%s", lines[i]);
      g_assert_cmpuint (g_ascii_strtoull (g_ptr_array_index (words, 4), NULL, 10), <=, 192);
    }
}

/* An SVG whose <use> elements refer to groups of more <use> elements,
 * six deep, nine each (half a million shapes, tens of seconds to draw):
 * it is refused after 2 seconds of drawing with a message for Preferences, not
 * drawn again by later brandings, and the reports are made without it. */
static void
test_svg_bomb (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GString) svg = g_string_new (NULL);
  g_autofree char *bomb = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsReportSummary) summary = NULL;

  g_string_append (svg, "<svg xmlns='http://www.w3.org/2000/svg' "
                        "xmlns:xlink='http://www.w3.org/1999/xlink' width='200' height='60' "
                        "viewBox='0 0 200 60'><defs><g id='l0'>"
                        "<rect width='3' height='3' fill='#1a5fb4'/>"
                        "<circle cx='1' cy='1' r='1' fill='#e01b24'/>"
                        "<rect x='1' width='2' height='1' fill='#26a269'/>"
                        "<circle cx='2' cy='2' r='1' fill='#f6d32d'/></g>");
  for (guint level = 1; level <= 6; level++)
    {
      g_string_append_printf (svg, "<g id='l%u'>", level);
      for (guint i = 0; i < 9; i++)
        g_string_append_printf (svg, "<use xlink:href='#l%u' x='%u' y='%u'/>", level - 1,
                                i % 7, i % 5);
      g_string_append (svg, "</g>");
    }
  g_string_append (svg, "</defs><use xlink:href='#l6'/></svg>");
  bomb = write_file (fixture, "bomb.svg", svg->str);

  g_assert_false (rs_branding_check_image (bomb, &error));
  g_assert_error (error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_TOO_SLOW);
  assert_contains (error->message, bomb);
  assert_contains (error->message, "takes longer to draw than a logo may (2 seconds)");
  g_clear_error (&error);

  /* Known now: refused at once */
  g_assert_false (rs_branding_check_image (bomb, &error));
  g_assert_error (error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_TOO_SLOW);
  g_clear_error (&error);

  g_settings_set_string (fixture->settings, "report-logo", bomb);
  g_settings_set_string (fixture->settings, "report-footer", FOOTER);
  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);
  text = report_text (fixture, "ivo@example.com");
  assert_contains (text, FOOTER);
  g_assert_cmpuint (report_images (fixture, "ivo@example.com"), ==, 0);

  /* One that takes minutes to read rather than to draw (a style sheet of
   * 20,000 rules over 60,000 elements) is refused as well, within the
   * budget: generate, send and the dashboard are not held up by it. */
  {
    g_autoptr(GString) css = g_string_new ("<svg xmlns='http://www.w3.org/2000/svg' "
                                           "width='200' height='100'><style>");
    g_autofree char *slow = NULL;
    g_autoptr(GError) slow_error = NULL;

    for (guint i = 0; i < 20000; i++)
      g_string_append_printf (css, ".c%u rect{fill:#%02x0000}\n", i, i % 256);
    g_string_append (css, "</style>");
    for (guint i = 0; i < 60000; i++)
      g_string_append_printf (css, "<g class='c%u'><rect width='1' height='1'/></g>", i % 20000);
    g_string_append (css, "</svg>");
    slow = write_file (fixture, "style.svg", css->str);
    g_assert_false (rs_branding_check_image (slow, &slow_error));
    g_assert_error (slow_error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_TOO_SLOW);
  }
}

/* The largest yMax of any word in @path, as pdftotext -bbox gives it */
static double
lowest_word (const char *path)
{
  const char *argv[] = { "pdftotext", "-bbox", path, "-", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  double lowest = 0;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &output, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  for (const char *p = strstr (output, "yMax=\""); p != NULL; p = strstr (p + 1, "yMax=\""))
    lowest = MAX (lowest, g_ascii_strtod (p + 6, NULL));

  return lowest;
}

/* A confidentiality notice of 200 lines (English, 6,000 characters) and one
 * of 5,000 characters without a line break (Dutch): it goes on over as many
 * pages as it takes, every word of it in the PDF, nothing below the page
 * number; the partner logo after it; the same in the dashboard. */
static void
test_long_notice (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GString) words = g_string_new (NULL);
  g_autofree char *partner = write_png (fixture, "partner.png", 160, 80, 0.5);
  g_autofree char *dashboard_path = g_build_filename (fixture->dir, "dashboard.pdf", NULL);
  const char *partners[] = { partner, NULL };
  const char *people[] = { "ivo@example.com", "anne@example.org" };
  g_autoptr(RsReportSummary) summary = NULL;
  g_autoptr(RsDashboard) dashboard = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  for (guint i = 1; i <= 200; i++)
    g_string_append_printf (lines, "Clause %03u: this report is confidential.%s", i,
                            i < 200 ? "\n" : "");
  for (guint i = 1; words->len < 5000; i++)
    g_string_append_printf (words, "woord%04u ", i);
  g_strchomp (words->str);
  g_settings_set_string (fixture->settings, "report-notice-en", lines->str);
  g_settings_set_string (fixture->settings, "report-notice-nl", words->str);
  g_settings_set_strv (fixture->settings, "report-partner-logos", partners);
  g_settings_set_string (fixture->settings, "report-footer", FOOTER);

  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);

  for (guint p = 0; p < G_N_ELEMENTS (people); p++)
    {
      g_autofree char *path = report_of (fixture, people[p]);
      g_autofree char *text = run ("pdftotext", path);

      g_test_message ("%s: %s", people[p], strstr (text, p == 0 ? "Page 1 of" : "Pagina 1 van"));
      if (p == 0)
        {
          for (guint i = 1; i <= 200; i++)
            {
              g_autofree char *clause = g_strdup_printf ("Clause %03u: this report is "
                                                         "confidential.", i);

              assert_contains (text, clause);
            }
          /* Two pages of the report, then 200 lines of about 10 pt on
           * pages of about 770 pt */
          assert_contains (text, "Page 5 of 5");
        }
      else
        {
          for (guint i = 1; i * 10 <= words->len; i++)
            {
              g_autofree char *word = g_strdup_printf ("woord%04u", i);

              assert_contains (text, word);
            }
          /* 5,000 characters are about 60 lines: one page */
          assert_contains (text, "Pagina 3 van 3");
        }
      /* Above the footer line, which is at 842 − 22 */
      g_assert_cmpfloat (lowest_word (path), <, RS_REPORT_PAGE_HEIGHT - 10);
      g_assert_cmpuint (report_images (fixture, people[p]), ==, 1);
    }

  db = rs_store_get_connection (fixture->store, &error);
  g_assert_no_error (error);
  dashboard = rs_dashboard_compute (db, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (rs_dashboard_write_pdf (dashboard, "en", dashboard_path, &error));
  g_assert_no_error (error);

  /* Eleven respondents: the peer benchmark heads the last pages, and the
   * notice starts below it. */
  {
    g_autoptr(GString) more = g_string_new (HEADER);
    g_autofree char *more_csv = g_build_filename (fixture->dir, "more.csv", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (more_csv);
    g_autoptr(RsImportSummary) imported = NULL;
    g_autoptr(RsReportSummary) again = NULL;
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;

    for (guint i = 0; i < 6; i++)
      g_string_append_printf (more, "Extra %u,Buyer,Extra %u B.V.,extra%u@example.com,"
                              "Version 1.0 (eng),2024-03-0%u,%s\n", i, i, i, i + 1,
                              "3,3,3,3,3,4,4,4,4,4,2,2,2,2,2");
    g_assert_true (g_file_set_contents (more_csv, more->str, -1, NULL));
    imported = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    again = generate (fixture);
    path = report_of (fixture, "ivo@example.com");
    text = run ("pdftotext", path);
    assert_contains (text, "Peer Comparison");
    for (guint i = 1; i <= 200; i++)
      {
        g_autofree char *clause = g_strdup_printf ("Clause %03u: this report is "
                                                   "confidential.", i);

        assert_contains (text, clause);
      }
    assert_contains (text, "Page 5 of 5");
    {
      g_auto(GStrv) pages = g_strsplit (text, "\f", -1);

      /* The benchmark and the notice's first lines on the third page */
      g_assert_cmpuint (g_strv_length (pages), >=, 5);
      assert_contains (pages[2], "Peer Comparison");
      assert_contains (pages[2], "Clause 001");
      g_assert_null (strstr (pages[3], "Peer Comparison"));
    }
    g_assert_cmpfloat (lowest_word (path), <, RS_REPORT_PAGE_HEIGHT - 10);
  }

  {
    g_autofree char *text = run ("pdftotext", dashboard_path);

    assert_contains (text, "Clause 001: this report is confidential.");
    assert_contains (text, "Clause 200: this report is confidential.");
    /* Three pages of figures, three of the notice */
    assert_contains (text, "Page 6 of 6");
    g_assert_cmpfloat (lowest_word (dashboard_path), <, RS_REPORT_PAGE_HEIGHT - 10);
  }
}

/* A logo that is missing or not an image: the reports are made without it,
 * with the rest of the branding; Preferences' message names the file. */
static void
test_bad_logos (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "gone.png", NULL);
  g_autofree char *not_image = write_file (fixture, "notes.png", "This is not a picture.\n");
  g_autofree char *partner = write_png (fixture, "partner.png", 100, 50, 0.3);
  const char *partners[] = { not_image, partner, NULL };
  g_autoptr(RsReportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_false (rs_branding_check_image (missing, &error));
  g_assert_error (error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_MISSING);
  assert_contains (error->message, missing);
  g_clear_error (&error);
  g_assert_false (rs_branding_check_image (not_image, &error));
  g_assert_error (error, RS_BRANDING_ERROR, RS_BRANDING_ERROR_NOT_AN_IMAGE);
  assert_contains (error->message, not_image);
  assert_contains (error->message, "not a PNG or SVG image");
  g_clear_error (&error);
  g_assert_true (rs_branding_check_image (partner, &error));
  g_assert_no_error (error);

  g_settings_set_string (fixture->settings, "report-logo", missing);
  g_settings_set_strv (fixture->settings, "report-partner-logos", partners);
  g_settings_set_string (fixture->settings, "report-footer", FOOTER);

  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);
  text = report_text (fixture, "ivo@example.com");
  assert_contains (text, FOOTER);
  assert_contains (text, "Page 3 of 3");
  g_assert_cmpuint (report_images (fixture, "ivo@example.com"), ==, 1);

  /* Only a logo that cannot be shown: the reports look as without any. */
  g_clear_pointer (&summary, rs_report_summary_free);
  g_clear_pointer (&text, g_free);
  g_settings_reset (fixture->settings, "report-partner-logos");
  g_settings_reset (fixture->settings, "report-footer");
  g_settings_set_string (fixture->settings, "report-logo", not_image);
  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);
  text = report_text (fixture, "ivo@example.com");
  g_assert_null (strstr (text, "Page 1 of"));
  g_assert_cmpuint (report_images (fixture, "ivo@example.com"), ==, 0);
}

/* Changing the branding, or only a logo file's contents, makes every report
 * outdated; without a branding the input hash is as before branding was. */
static void
test_outdated (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *logo = write_png (fixture, "logo.png", 120, 48, 0.1);
  g_autoptr(RsReportSummary) summary = NULL;
  g_autoptr(RsBranding) empty = rs_branding_new (NULL, "", NULL, "", NULL, " ");
  RsReportInput input = { 0 };
  g_autofree char *plain = NULL;
  g_autofree char *with_empty = NULL;
  g_autofree char *path = NULL;

  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);

  g_settings_set_string (fixture->settings, "report-logo", logo);
  g_clear_pointer (&summary, rs_report_summary_free);
  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);

  g_clear_pointer (&summary, rs_report_summary_free);
  summary = generate (fixture);
  g_assert_cmpuint (summary->up_to_date, ==, 5);

  /* The same name, another picture */
  g_free (write_png (fixture, "logo.png", 120, 48, 0.8));
  g_clear_pointer (&summary, rs_report_summary_free);
  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);

  g_settings_set_string (fixture->settings, "report-footer", FOOTER);
  g_clear_pointer (&summary, rs_report_summary_free);
  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 5);

  input.company = "Polder";
  input.person = "Ivo";
  input.language = "en";
  plain = rs_report_input_hash (&input);
  g_assert_true (rs_branding_is_empty (empty));
  input.branding = empty;
  with_empty = rs_report_input_hash (&input);
  g_assert_cmpstr (plain, ==, with_empty);
  g_assert_cmpuint (rs_report_get_n_pages (&input), ==, 1);

  /* The preview draws what the job drew. */
  path = report_of (fixture, "lena@example.net");
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add ("/branding/full", Fixture, NULL, fixture_set_up, test_full, fixture_tear_down);
  g_test_add ("/branding/dashboard", Fixture, NULL, fixture_set_up, test_dashboard,
              fixture_tear_down);
  g_test_add ("/branding/unreadable-logos", Fixture, NULL, fixture_set_up,
              test_unreadable_logos, fixture_tear_down);
  g_test_add ("/branding/bad-logos", Fixture, NULL, fixture_set_up, test_bad_logos,
              fixture_tear_down);
  g_test_add ("/branding/outdated", Fixture, NULL, fixture_set_up, test_outdated,
              fixture_tear_down);
  g_test_add ("/branding/huge-logo", Fixture, NULL, fixture_set_up, test_huge_logo,
              fixture_tear_down);
  g_test_add ("/branding/thin-logo", Fixture, NULL, fixture_set_up, test_thin_logo,
              fixture_tear_down);
  g_test_add ("/branding/long-notice", Fixture, NULL, fixture_set_up, test_long_notice,
              fixture_tear_down);

  /* Last: the refused drawing goes on in its thread (librsvg cannot stop
   * it) until the process ends. */
  g_test_add ("/branding/svg-bomb", Fixture, NULL, fixture_set_up, test_svg_bomb,
              fixture_tear_down);
  return g_test_run ();
}
