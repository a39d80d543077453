/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-row"

#include "config.h"

#include "rs-row.h"

/* A row of a table: it emits ::changed when it shows another respondent.
 * Rows listen to nothing themselves, so that a hundred thousand of them
 * cost little; cells follow changes of their respondent in place. */

struct _RsRow
{
  GObject parent_instance;

  RsRespondent *respondent;
};

G_DEFINE_FINAL_TYPE (RsRow, rs_row, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

RsRow *
rs_row_new (RsRespondent *respondent)
{
  RsRow *self;

  g_return_val_if_fail (RS_IS_RESPONDENT (respondent), NULL);

  self = g_object_new (RS_TYPE_ROW, NULL);
  self->respondent = g_object_ref (respondent);

  return self;
}

/* Returns: (transfer none): the respondent shown now */
RsRespondent *
rs_row_get_respondent (RsRow *self)
{
  g_return_val_if_fail (RS_IS_ROW (self), NULL);

  return self->respondent;
}

void
rs_row_set_respondent (RsRow        *self,
                       RsRespondent *respondent)
{
  g_return_if_fail (RS_IS_ROW (self));
  g_return_if_fail (RS_IS_RESPONDENT (respondent));

  if (g_set_object (&self->respondent, respondent))
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
rs_row_dispose (GObject *object)
{
  g_clear_object (&RS_ROW (object)->respondent);

  G_OBJECT_CLASS (rs_row_parent_class)->dispose (object);
}

static void
rs_row_class_init (RsRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rs_row_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rs_row_init (RsRow *self)
{
}
