/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes an import's source file in a thread of its own, so that the thread
 * that reads the master file never waits for the disk. One thread fills
 * buffers and hands them over; the writer's thread writes them in order and
 * syncs the file, and the database's write-ahead log, as they grow. */
typedef struct _RsSourceWriter RsSourceWriter;

RsSourceWriter *rs_source_writer_new          (const char      *path,
                                               const char      *database_path);
GString        *rs_source_writer_get_buffer   (RsSourceWriter  *self);
void            rs_source_writer_write        (RsSourceWriter  *self,
                                               GString         *buffer);
gboolean        rs_source_writer_has_failed   (RsSourceWriter  *self);
void            rs_source_writer_close        (RsSourceWriter  *self);
gboolean        rs_source_writer_wait         (RsSourceWriter  *self,
                                               gboolean         keep,
                                               GError         **error);
void            rs_source_writer_free         (RsSourceWriter  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsSourceWriter, rs_source_writer_free)

G_END_DECLS
