/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-scores"

#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rs-bytes-private.h"
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

/* Whether the eight bytes of @word are all ASCII digits. */
static inline gboolean
is_eight_digits (guint64 word)
{
  return (((word + G_GUINT64_CONSTANT (0x4646464646464646)) |
           (word - G_GUINT64_CONSTANT (0x3030303030303030))) &
          G_GUINT64_CONSTANT (0x8080808080808080)) == 0;
}

/* The number that the eight digits of @word make, the first in its lowest
 * byte: pairs, then fours, then all eight, each by one multiply. */
static inline guint32
eight_digits_value (guint64 word)
{
  const guint64 mask = G_GUINT64_CONSTANT (0x000000ff000000ff);
  const guint64 hundreds = 100 + (G_GUINT64_CONSTANT (1000000) << 32);
  const guint64 ones = 1 + (G_GUINT64_CONSTANT (10000) << 32);

  word -= G_GUINT64_CONSTANT (0x3030303030303030);
  word = word * 10 + (word >> 8);

  return (guint32) (((word & mask) * hundreds + ((word >> 16) & mask) * ones) >> 32);
}

/* Reads the digits at *@q on to @mantissa, eight at a time where it can.
 * Returns FALSE when there are more than 19 digits in all, which might not
 * fit; there are @n_digits in all so far. */
static gboolean
read_digits (const char  **q,
             const char   *end,
             guint64      *mantissa,
             guint        *n_digits)
{
  const char *at = *q;

  while (end - at >= 8 && *n_digits + 8 <= 19 && is_eight_digits (rs_load_le64 (at)))
    {
      *mantissa = *mantissa * 100000000 + eight_digits_value (rs_load_le64 (at));
      *n_digits += 8;
      at += 8;
    }
  for (; at < end && g_ascii_isdigit (*at); at++)
    {
      if (*n_digits == 19)
        return FALSE;
      *mantissa = *mantissa * 10 + (guint64) (*at - '0');
      ++*n_digits;
    }

  *q = at;
  return TRUE;
}

#if (defined (__x86_64__) || defined (__i386__)) && LDBL_MANT_DIG == 64
/* A spreadsheet writes up to 17 digits, which the x87's 64-bit
 * significand still holds, as it holds 10^27. Their quotient is then
 * rounded once, to 64 bits, and rounding that to a double rounds the
 * exact quotient, unless the 11 bits a double drops are exactly half
 * of its last bit: then only strtod() knows. */
static gboolean
divide_x87 (guint64  mantissa,
            int      scale,
            double  *value)
{
  static const long double powers_x87[] = {
    1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L, 1e10L, 1e11L, 1e12L,
    1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L,
    1e25L, 1e26L, 1e27L,
  };

  if ((gsize) scale < G_N_ELEMENTS (powers_x87))
    {
      long double quotient = (long double) mantissa / powers_x87[scale];
      guint64 significand;

      memcpy (&significand, &quotient, sizeof significand);
      if ((significand & 0x7ff) != 0x400)
        {
          *value = (double) quotient;
          return TRUE;
        }
    }

  return FALSE;
}
#endif

/* Plain decimals, the common case: no exponent, at most 18 significant
 * digits, so that the mantissa, the digits without the point, is below
 * 10^18. @p is past the sign. Returns FALSE when only the slow path can
 * tell; else *@value is the number, or NAN when it is none. */
static gboolean
parse_plain (const char *p,
             const char *end,
             gboolean    negative,
             double     *value)
{
  const char *q = p;
  guint64 mantissa = 0;
  guint n_digits = 0;
  int scale = 0;

  *value = NAN;
  if (!read_digits (&q, end, &mantissa, &n_digits))
    return FALSE;
  if (q < end && (*q == '.' || *q == ','))
    {
      const char *fraction = ++q;

      if (!read_digits (&q, end, &mantissa, &n_digits))
        return FALSE;
      scale = q - fraction;
    }
  if (q < end)
    return !(*q == 'e' || *q == 'E');
  if (n_digits == 0)
    return TRUE;
  if (mantissa >= G_GUINT64_CONSTANT (1000000000000000000))
    return FALSE;

  /* Exact only while the mantissa fits a double's 53 bits; beyond that the
   * division rounds twice and can miss the nearest double. */
  if (mantissa > (G_GUINT64_CONSTANT (1) << 53))
    {
#if (defined (__x86_64__) || defined (__i386__)) && LDBL_MANT_DIG == 64
      if (divide_x87 (mantissa, scale, value))
        {
          *value = negative ? -*value : *value;
          return TRUE;
        }
#endif
      *value = NAN;
      return FALSE;
    }

  *value = (double) mantissa;
  if (scale > 0)
    {
      static const double powers[] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
        1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
      };

      if ((gsize) scale >= G_N_ELEMENTS (powers))
        return FALSE;
      *value /= powers[scale];
    }
  if (negative)
    *value = -*value;

  return TRUE;
}

/* Any other number, by strtod() on the trimmed text from @p (its sign
 * included) to @end, a decimal comma read as a point. */
static double
parse_slow (const char *p,
            const char *end)
{
  char buffer[64];
  char *parsed_end = NULL;
  gsize len = end - p;
  double value;

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

  return value;
}

/**
 * rs_scores_parse_unclamped:
 *
 * Reads one score as rs_scores_parse() does, but does not clamp it: the
 * number as the file has it, to tell whether the import changed it.
 *
 * Returns: the number, or NAN when it is missing or not a number
 */
double
rs_scores_parse_unclamped (const char *text)
{
  const char *p;
  const char *digits;
  const char *end;
  gboolean negative = FALSE;
  double value;

  if (text == NULL)
    return NAN;

  p = text;
  while (g_ascii_isspace (*p))
    p++;
  end = p + strlen (p);
  while (end > p && g_ascii_isspace (end[-1]))
    end--;

  digits = p;
  if (digits < end && (*digits == '+' || *digits == '-'))
    negative = *digits++ == '-';
  if (digits == end)
    return NAN;

  if (parse_plain (digits, end, negative, &value))
    return value;

  return parse_slow (p, end);
}

/**
 * rs_scores_clamp:
 *
 * Returns: @value in [0, 5]; NAN stays NAN
 */
double
rs_scores_clamp (double value)
{
  if (isnan (value))
    return value;

  return clamp_score (value);
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
  return rs_scores_clamp (rs_scores_parse_unclamped (text));
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

/**
 * rs_scores_round:
 *
 * Rounds @value to @decimals the way `printf ("%.*f")` shows it, so that a
 * decision taken on the result always agrees with the number printed.
 *
 * Returns: the rounded value; NAN stays NAN
 */
double
rs_scores_round (double value,
                 guint  decimals)
{
  char format[16];
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (decimals <= 9, value);

  if (!isfinite (value))
    return value;

  g_snprintf (format, sizeof format, "%%.%uf", decimals);
  g_ascii_formatd (buffer, sizeof buffer, format, value);

  return g_ascii_strtod (buffer, NULL);
}

/* Mean of the present values among @n values @stride apart; NAN if none. */
static double
mean_present (const double *values,
              guint         n,
              guint         stride)
{
  double sum = 0.0;
  guint count = 0;

  for (guint i = 0; i < n; i++)
    {
      double value = values[i * stride];

      if (!isnan (value))
        {
          sum += value;
          count++;
        }
    }

  return count > 0 ? sum / count : NAN;
}

/* Mean μ of the pillar's present dimensions; NAN if all are missing. */
double
rs_scores_pillar_mean (const double scores[RS_N_SCORES],
                       guint        pillar)
{
  g_return_val_if_fail (pillar < RS_N_PILLARS, NAN);

  return mean_present (&scores[RS_SCORE_INDEX (pillar, 0)], RS_N_DIMENSIONS, 1);
}

/* Overall SCRES: the mean of the present pillar means; NAN if none. */
double
rs_scores_overall (const double scores[RS_N_SCORES])
{
  double means[RS_N_PILLARS];

  for (guint pillar = 0; pillar < RS_N_PILLARS; pillar++)
    means[pillar] = rs_scores_pillar_mean (scores, pillar);

  return mean_present (means, RS_N_PILLARS, 1);
}

/* One value of the Overall radar: the dimension's mean over the three
 * pillars; NAN if it is missing in all of them. */
double
rs_scores_dimension_mean (const double scores[RS_N_SCORES],
                          guint        dimension)
{
  g_return_val_if_fail (dimension < RS_N_DIMENSIONS, NAN);

  return mean_present (&scores[dimension], RS_N_PILLARS, RS_N_DIMENSIONS);
}

/**
 * rs_scores_pillar_extremes:
 * @strongest: (out) (optional): the pillar with the highest mean
 * @weakest: (out) (optional): the pillar with the lowest mean
 *
 * Pillars without a mean take no part; ties go to the first pillar.
 *
 * Returns: %FALSE when no pillar has a mean
 */
gboolean
rs_scores_pillar_extremes (const double  scores[RS_N_SCORES],
                           guint        *strongest,
                           guint        *weakest)
{
  double high = NAN;
  double low = NAN;
  guint high_pillar = 0;
  guint low_pillar = 0;

  for (guint pillar = 0; pillar < RS_N_PILLARS; pillar++)
    {
      double mean = rs_scores_pillar_mean (scores, pillar);

      if (isnan (mean))
        continue;
      if (isnan (high) || mean > high)
        {
          high = mean;
          high_pillar = pillar;
        }
      if (isnan (low) || mean < low)
        {
          low = mean;
          low_pillar = pillar;
        }
    }

  if (strongest != NULL)
    *strongest = high_pillar;
  if (weakest != NULL)
    *weakest = low_pillar;

  return !isnan (high);
}

/* For choosing the strongest and weakest dimension a missing score counts
 * as the middle of the scale, so it is neither praised nor left out. */
static double
dimension_for_ranking (const double scores[RS_N_SCORES],
                       guint        pillar,
                       guint        dimension)
{
  double value = scores[RS_SCORE_INDEX (pillar, dimension)];

  return isnan (value) ? 2.5 : value;
}

/* The pillar's strongest (or weakest) dimension; ties go to the first in
 * r, c, f, v, a. */
static guint
extreme_dimension (const double scores[RS_N_SCORES],
                   guint        pillar,
                   gboolean     strongest)
{
  guint chosen = 0;

  for (guint dimension = 1; dimension < RS_N_DIMENSIONS; dimension++)
    {
      double value = dimension_for_ranking (scores, pillar, dimension);
      double held = dimension_for_ranking (scores, pillar, chosen);

      if (strongest ? value > held : value < held)
        chosen = dimension;
    }

  return chosen;
}

/* The pillar's strongest dimension; ties go to the first in r, c, f, v, a. */
guint
rs_scores_strongest_dimension (const double scores[RS_N_SCORES],
                               guint        pillar)
{
  g_return_val_if_fail (pillar < RS_N_PILLARS, 0);

  return extreme_dimension (scores, pillar, TRUE);
}

/* The pillar's weakest dimension; ties go to the first in r, c, f, v, a. */
guint
rs_scores_weakest_dimension (const double scores[RS_N_SCORES],
                             guint        pillar)
{
  g_return_val_if_fail (pillar < RS_N_PILLARS, 0);

  return extreme_dimension (scores, pillar, FALSE);
}

/**
 * rs_scores_rating:
 *
 * The rating of an overall score, judged on the score as the report shows
 * it (two decimals): a score shown as "4.00" is always rated Excellent.
 */
RsRating
rs_scores_rating (double overall)
{
  return rs_scores_rating_of_shown (rs_scores_round (overall, 2));
}

/**
 * rs_scores_rating_of_shown:
 * @shown: an overall score already rounded to the two decimals shown
 *
 * Returns: the rating of @shown, without rounding it again
 */
RsRating
rs_scores_rating_of_shown (double shown)
{
  if (shown >= 4.0)
    return RS_RATING_EXCELLENT;
  if (shown >= 3.5)
    return RS_RATING_GOOD;
  if (shown >= 3.0)
    return RS_RATING_AVERAGE;
  if (shown >= 2.5)
    return RS_RATING_BELOW_AVERAGE;

  return RS_RATING_NEEDS_IMPROVEMENT;
}
