/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-import"

#include "config.h"

#include <glib/gi18n.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "rs-import-private.h"
#include "rs-master.h"
#include "rs-row-source.h"
#include "rs-source-writer.h"

/* Reading and mapping the file, in a thread of its own a batch of rows
 * ahead of the thread that writes them to the database (rs-import-writer.c). */

static void
batch_reset (Batch *batch)
{
  for (guint i = 0; i < batch->n_rows; i++)
    {
      rs_master_row_clear (&batch->rows[i].row);
      g_clear_pointer (&batch->rows[i].ragged, g_free);
    }
  batch->n_rows = 0;
  g_string_truncate (batch->sources, 0);
  batch->last = FALSE;
  g_clear_error (&batch->error);
}

void
rs_import_batch_free (Batch *batch)
{
  batch_reset (batch);
  g_string_free (batch->sources, TRUE);
  g_free (batch);
}

Batch *
rs_import_batch_new (void)
{
  Batch *batch = g_new0 (Batch, 1);

  batch->sources = g_string_sized_new (BATCH_ROWS * 1024);

  return batch;
}

/* The fields joined by SOURCE_SEPARATOR, which is made a space inside them.
 * @row holds the fields one after the other, each ended by a NUL, and has
 * no other NUL: each NUL but the last becomes a separator. */
void
rs_import_append_source (GString    *out,
                         const char *row,
                         gsize       row_len)
{
  gsize start = out->len;
  gsize len;
  char *to;
  gsize i = 0;

  if (row_len == 0)
    return;

  len = row_len - 1;
  g_string_set_size (out, start + len);
  to = out->str + start;

#ifdef __SSE2__
  {
    const __m128i nul = _mm_setzero_si128 ();
    const __m128i separator = _mm_set1_epi8 (SOURCE_SEPARATOR);
    const __m128i space = _mm_set1_epi8 (' ');

    for (; i + 16 <= len; i += 16)
      {
        __m128i block = _mm_loadu_si128 ((const __m128i *) (row + i));
        __m128i ends = _mm_cmpeq_epi8 (block, nul);
        __m128i inside = _mm_cmpeq_epi8 (block, separator);

        block = _mm_or_si128 (_mm_andnot_si128 (inside, block), _mm_and_si128 (inside, space));
        block = _mm_or_si128 (block, _mm_and_si128 (ends, separator));
        _mm_storeu_si128 ((__m128i *) (to + i), block);
      }
  }
#endif
  for (; i < len; i++)
    {
      char c = row[i];

      to[i] = c == '\0' ? SOURCE_SEPARATOR : c == SOURCE_SEPARATOR ? ' ' : c;
    }
}

/* Whether a corrected respondent can be sent is judged on their hand
 * values: the rule of rs_master_read_row_identity(), on their row with the
 * hand values in it, gives the kind of @row and its problem. */
static RsMasterRowKind
judge_with_hand (Pipeline            *pipeline,
                 const Known         *known,
                 const char * const  *fields,
                 guint                n_fields,
                 RsMasterRow         *row)
{
  const RsMasterColumns *columns = pipeline->columns;
  Hand *hand = g_hash_table_lookup (pipeline->known->hand, known);
  const char **with_hand = g_newa (const char *, n_fields + 1);
  g_auto(RsMasterRow) judged = { 0 };
  RsMasterRowKind kind;

  memcpy (with_hand, fields, n_fields * sizeof *fields);
  if (hand->person != NULL && columns->person >= 0 && (guint) columns->person < n_fields)
    with_hand[columns->person] = hand->person;
  if (hand->email != NULL && columns->email >= 0 && (guint) columns->email < n_fields)
    with_hand[columns->email] = hand->email;
  kind = rs_master_read_row_identity (columns, with_hand, n_fields, &judged);

  g_free (row->problem);
  row->problem = g_steal_pointer (&judged.problem);

  return kind;
}

static gboolean
column_is_used (const RsMasterColumns *columns,
                int                    column)
{
  if (column == columns->company || column == columns->person || column == columns->email
      || column == columns->function || column == columns->submitted_at
      || column == columns->report_sent || column == columns->version
      || column == columns->language || column == columns->sector)
    return TRUE;
  for (guint i = 0; i < RS_N_SCORES; i++)
    if (column == columns->scores[i])
      return TRUE;

  return FALSE;
}

/* The cells of a workbook's row that were read as empty though they are
 * not (a formula without a calculated value, an error value), as changed
 * values, in the columns the import reads. */
static void
add_reader_notes (Pipeline    *pipeline,
                  RsMasterRow *row,
                  guint        n_fields)
{
  guint n = rs_row_source_get_n_notes (pipeline->reader);

  for (guint i = 0; i < n; i++)
    {
      guint column;
      RsXlsxNoteKind kind;
      const char *value = rs_row_source_get_note (pipeline->reader, i, &column, &kind);

      if (column >= n_fields || !column_is_used (pipeline->columns, (int) column))
        continue;
      rs_master_row_add_change (row, (int) column,
                                kind == RS_XLSX_NOTE_FORMULA_WITHOUT_VALUE
                                  ? RS_MASTER_CHANGE_FORMULA : RS_MASTER_CHANGE_ERROR_VALUE,
                                value, NULL);
    }
}

/* A row skipped for its company, which is an error value (#N/A) the
 * reader read as missing, says so. */
static void
explain_skip (Pipeline    *pipeline,
              RsMasterRow *row)
{
  guint n = rs_row_source_get_n_notes (pipeline->reader);

  for (guint i = 0; i < n; i++)
    {
      guint column;
      RsXlsxNoteKind kind;
      const char *value = rs_row_source_get_note (pipeline->reader, i, &column, &kind);

      if ((int) column != pipeline->columns->company)
        continue;
      g_free (row->problem);
      if (kind == RS_XLSX_NOTE_ERROR_VALUE)
        /* Translators: an error value of a spreadsheet, such as #N/A */
        row->problem = g_strdup_printf (_("no company name (the cell has the error value “%s”)"),
                                        value);
      else
        row->problem = g_strdup (_("no company name (the cell has a formula without a "
                                   "calculated value: open and save the workbook in Excel or "
                                   "LibreOffice)"));
      return;
    }
}

/* Returns: whether the row waits for the end of the file (see
 * rs_import_resolve_renames()) */
static gboolean
read_one_row (Pipeline            *pipeline,
              Batch               *batch,
              ParsedRow           *parsed,
              const char * const  *fields,
              guint                n_fields)
{
  gsize row_len;
  const char *row = rs_row_source_get_row_data (pipeline->reader, &row_len);
  gsize source_start = batch->sources->len;
  Known *known;

  gsize kept = row_len;

  parsed->line = rs_row_source_get_line (pipeline->reader);
  parsed->ragged = NULL;
  parsed->known = NULL;
  parsed->duplicate_of = 0;
  parsed->source_offset = -1;

  /* Stored without its trailing empty fields, which a workbook may have
   * thousands of (a note far right of the header), and hashed with them,
   * so that the hash is the one earlier imports stored. */
  while (kept >= 2 && row[kept - 2] == '\0')
    kept--;
  rs_import_append_source (batch->sources, row, kept);
  parsed->source_len = batch->sources->len - source_start;
  parsed->hash = rs_import_hash_bytes_padded (pipeline->header_hash,
                                              batch->sources->str + source_start,
                                              parsed->source_len, row_len - kept);

  /* A row as stored, seen first: the writer needs no more than whom it is
   * about and whether it says sent. See KnownTable. */
  known = g_hash_table_lookup (pipeline->known->by_hash, &parsed->hash);
  if (known != NULL && known->first_line == 0)
    {
      memset (&parsed->row, 0, sizeof parsed->row);
      parsed->row.report_sent = rs_master_read_report_sent (pipeline->columns, fields, n_fields);
      parsed->kind = RS_MASTER_ROW_OK;
      parsed->known = known;
      known->first_line = parsed->line;
      g_string_truncate (batch->sources, source_start);
      return FALSE;
    }

  parsed->kind = rs_master_read_row_identity (pipeline->columns, fields, n_fields,
                                              &parsed->row);

  if (parsed->kind == RS_MASTER_ROW_SKIPPED)
    {
      g_string_truncate (batch->sources, source_start);
      g_clear_pointer (&parsed->row.changes, g_array_unref);
      explain_skip (pipeline, &parsed->row);
      return FALSE;
    }

  known = g_hash_table_lookup (pipeline->known->table, parsed->row.identity_key);
  if (known == NULL)
    {
      known = rs_import_known_add (pipeline->known, parsed->row.identity_key);
      /* A row without a name renames no one: it would wipe the stored
       * name and leave the respondent unsendable. */
      if (pipeline->known->n_stored > 0 && parsed->row.person[0] != '\0')
        known->same_address = rs_import_find_same_address (pipeline->known, &parsed->row);
      if (known->same_address != NULL)
        g_ptr_array_add (pipeline->candidates, known);
    }
  parsed->known = known;
  parsed->duplicate_of = known->first_line;
  if (known->first_line == 0)
    known->first_line = parsed->line;

  /* What the writer may store: see store_row() (rs-import-writer.c). Of a
   * row as stored it needs no more than who it is about. */
  if (!known->stored || known->stored_hash != parsed->hash || parsed->duplicate_of != 0)
    {
      parsed->source_offset = pipeline->source_size + (gint64) source_start;
      rs_master_read_row_details (pipeline->columns, fields, n_fields, &parsed->row);
      if (G_UNLIKELY (rs_row_source_get_n_notes (pipeline->reader) > 0))
        add_reader_notes (pipeline, &parsed->row, n_fields);
    }
  else
    {
      /* Not written: what this import changes are the rows it writes. */
      g_string_truncate (batch->sources, source_start);
      g_clear_pointer (&parsed->row.changes, g_array_unref);
    }

  if (G_UNLIKELY (known->corrected))
    parsed->kind = judge_with_hand (pipeline, known, fields, n_fields, &parsed->row);

  return !known->stored && known->same_address != NULL;
}

/* The fields of the row just read that were read as Windows-1252, and
 * those of the header before the first row. */
static void
note_recoded (Pipeline            *pipeline,
              const char * const  *fields,
              guint                n_fields,
              Known               *known)
{
  guint line = rs_row_source_get_line (pipeline->reader);
  const char * const *header;
  const RsCsvRecoded *recoded;
  guint n_header;
  guint n;

  recoded = rs_row_source_get_recoded (pipeline->reader, &n);
  if (G_LIKELY (pipeline->n_recoded == n))
    return;

  header = rs_row_source_get_header (pipeline->reader, &n_header);
  for (; pipeline->n_recoded < n; pipeline->n_recoded++)
    {
      const RsCsvRecoded *field = &recoded[pipeline->n_recoded];
      int person_column = pipeline->columns->person;
      g_autofree char *person = NULL;
      g_autofree char *reason = NULL;
      gboolean this_row = field->line == line && fields != NULL;

      if (this_row && person_column >= 0 && (guint) person_column < n_fields)
        person = g_strstrip (g_strdup (fields[person_column]));
      reason = g_strdup_printf (_("the text in column “%s” is not valid UTF-8 and was read as "
                                  "Windows-1252: check it"),
                                field->column < n_header ? header[field->column] : "");
      g_ptr_array_add (pipeline->recoded,
                       rs_import_problem_new (RS_IMPORT_PROBLEM_ENCODING, field->line, person,
                                              reason));
      g_ptr_array_add (pipeline->recoded_known, this_row ? known : NULL);
      g_ptr_array_add (pipeline->recoded_values,
                       g_strdup (this_row && field->column < n_fields ? fields[field->column]
                                 : field->column < n_header ? header[field->column] : NULL));
    }
}

gpointer
rs_import_reader_thread (gpointer user_data)
{
  Pipeline *pipeline = user_data;
  gboolean done = FALSE;

  while (!done)
    {
      Batch *batch = g_async_queue_pop (pipeline->empty);

      batch_reset (batch);
      while (batch->n_rows < BATCH_ROWS)
        {
          g_autoptr(GError) error = NULL;
          ParsedRow *parsed = &batch->rows[batch->n_rows];
          const char * const *fields;
          guint n_fields;
          gboolean ragged;

          if (g_atomic_int_get (&pipeline->stop))
            {
              done = TRUE;
              break;
            }

          if (!rs_row_source_next_row (pipeline->reader, &fields, &n_fields, &ragged,
                                       pipeline->cancellable, &error))
            {
              if (ragged)
                {
                  memset (parsed, 0, sizeof *parsed);
                  parsed->line = rs_row_source_get_line (pipeline->reader);
                  parsed->ragged = g_strdup (error->message);
                  note_recoded (pipeline, fields, n_fields, NULL);
                  batch->n_rows++;
                  continue;
                }

              if (error != NULL)
                batch->error = g_steal_pointer (&error);
              done = TRUE;
              break;
            }

          if (read_one_row (pipeline, batch, parsed, fields, n_fields))
            g_array_append_val (pipeline->deferred, *parsed);
          else
            batch->n_rows++;
          note_recoded (pipeline, fields, n_fields, parsed->known);
        }

      /* The sources go to the writer's thread; the rows keep where they are. */
      if (batch->error == NULL && !g_atomic_int_get (&pipeline->stop))
        {
          pipeline->source_size += batch->sources->len;
          rs_source_writer_write (pipeline->sources, g_steal_pointer (&batch->sources));
          batch->sources = rs_source_writer_get_buffer (pipeline->sources);
          if (done)
            rs_source_writer_close (pipeline->sources);
          else if (rs_source_writer_has_failed (pipeline->sources))
            done = TRUE;
        }

      batch->last = done;
      batch->position = rs_row_source_get_position (pipeline->reader);
      batch->size = rs_row_source_get_size (pipeline->reader);
      g_async_queue_push (pipeline->full, batch);
    }

  return NULL;
}

void
rs_import_pipeline_clear (Pipeline *pipeline)
{
  if (pipeline->deferred != NULL)
    {
      for (guint i = 0; i < pipeline->deferred->len; i++)
        {
          ParsedRow *parsed = &g_array_index (pipeline->deferred, ParsedRow, i);

          rs_master_row_clear (&parsed->row);
          g_free (parsed->ragged);
        }
      g_clear_pointer (&pipeline->deferred, g_array_unref);
    }
  g_clear_pointer (&pipeline->candidates, g_ptr_array_unref);
  g_clear_pointer (&pipeline->recoded, g_ptr_array_unref);
  g_clear_pointer (&pipeline->recoded_known, g_ptr_array_unref);
  g_clear_pointer (&pipeline->recoded_values, g_ptr_array_unref);
  /* The reader's thread is done with them: the batches are all back */
  g_clear_pointer (&pipeline->full, g_async_queue_unref);
  g_clear_pointer (&pipeline->empty, g_async_queue_unref);
}
