/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-scores"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "rs-scores.h"

static const char *column_names[RS_N_SCORES] = {
  "up__r", "up__c", "up__f", "up__v", "up__a",
  "in__r", "in__c", "in__f", "in__v", "in__a",
  "do__r", "do__c", "do__f", "do__v", "do__a",
};

/* The master file's (normalised) column name of score @index. */
const char *
rs_scores_column_name (guint index)
{
  g_return_val_if_fail (index < RS_N_SCORES, NULL);

  return column_names[index];
}

/* Into [0, 5]; never -0, which would be written as "-0.0". */
static double
clamp_score (double value)
{
  if (value <= 0.0)
    return 0.0;

  return MIN (value, 5.0);
}

/**
 * rs_scores_parse:
 *
 * Reads one score as the report specification says: trimmed, a decimal
 * comma accepted, placeholders and anything that is not a number missing,
 * numbers clamped to [0, 5].
 *
 * Returns: the score, or NAN when it is missing
 */
double
rs_scores_parse (const char *text)
{
  const char *p;
  const char *end;
  guint64 mantissa = 0;
  int digits = 0;
  int scale = 0;
  gboolean negative = FALSE;
  gboolean seen_point = FALSE;
  double value;

  if (text == NULL)
    return NAN;

  p = text;
  while (g_ascii_isspace (*p))
    p++;
  end = p + strlen (p);
  while (end > p && g_ascii_isspace (end[-1]))
    end--;

  if (p < end && (*p == '+' || *p == '-'))
    negative = *p++ == '-';
  if (p == end)
    return NAN;

  /* Plain decimals, the common case: no exponent, at most 18 digits. */
  for (const char *q = p; q < end; q++)
    {
      if (g_ascii_isdigit (*q))
        {
          if (digits >= 18)
            goto slow;
          if (mantissa > 0 || *q != '0')
            digits++;
          mantissa = mantissa * 10 + (guint64) (*q - '0');
          if (seen_point)
            scale++;
        }
      else if ((*q == '.' || *q == ',') && !seen_point)
        {
          seen_point = TRUE;
        }
      else if (*q == 'e' || *q == 'E')
        {
          goto slow;
        }
      else
        {
          return NAN;
        }
    }

  if (end - p == (seen_point ? 1 : 0))
    return NAN;

  /* Exact only while the mantissa fits a double's 53 bits; beyond that the
   * division rounds twice and can miss the nearest double. */
  if (mantissa > (G_GUINT64_CONSTANT (1) << 53))
    goto slow;

  value = (double) mantissa;
  if (scale > 0)
    {
      static const double powers[] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
        1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
      };

      if ((gsize) scale >= G_N_ELEMENTS (powers))
        goto slow;
      value /= powers[scale];
    }
  if (negative)
    value = -value;

  return clamp_score (value);

slow:
  {
    char buffer[64];
    char *parsed_end = NULL;
    gsize len;

    p = text;
    while (g_ascii_isspace (*p))
      p++;
    len = end - p;
    if (len >= sizeof buffer)
      return NAN;
    for (gsize i = 0; i < len; i++)
      buffer[i] = p[i] == ',' ? '.' : p[i];
    buffer[len] = '\0';

    for (gsize i = 0; i < len; i++)
      if (!g_ascii_isdigit (buffer[i]) && strchr (".+-eE", buffer[i]) == NULL)
        return NAN;

    value = g_ascii_strtod (buffer, &parsed_end);
    if (parsed_end != buffer + len || !isfinite (value))
      return NAN;

    return clamp_score (value);
  }
}

/* How many of the 15 scores are present. */
guint
rs_scores_count (const double scores[RS_N_SCORES])
{
  guint n = 0;

  for (guint i = 0; i < RS_N_SCORES; i++)
    if (!isnan (scores[i]))
      n++;

  return n;
}
