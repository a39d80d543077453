/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-report"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "rs-report-text.h"

static const RsReportText english = {
  .heading = "Strategic Supply Chain Resilience Analysis",
  .respondents = "Survey respondents: {1} people from this company",
  .this_report = "This report: {1}",
  .this_report_function = "This report: {1} — {2}",
  .survey_date = "Survey date: {1}",
  .overall_line = "Overall SCRES: {1} / {2}",
  .pillar_titles = {
    "Upstream Resilience",
    "Internal Resilience",
    "Downstream Resilience",
  },
  .pillar_title = "{1} (μ={2})",
  .overall_title = "Overall SCRES: {1}",
  .company_heading = "Company Average Dashboard (All Respondents)",
  .company_sentence = "These charts show the average scores of all {1} respondents from {2}.",
  .company_pillar_title = "{1} (Company Avg)",
  .company_overall_title = "Overall SCRES (Company Avg)",
  .company_mean_line = "μ={1} · n={2}",
  .company_overall_line = "{1} / {2} · n={3}",
  .summary_heading = "Executive Summary",
  .overall_score = "Overall Score: {1} — {2} / {3}",
  .ratings = {
    "Excellent",
    "Good",
    "Average",
    "Below Average",
    "Needs Improvement",
  },
  .strongest_pillar = "Strongest pillar: {1} (μ={2})",
  .priority_pillar = "Development priority: {1} (μ={2})",
  .gap_significant = "Gap of {1} points between them: significant development opportunities.",
  .gap_balanced = "Gap of {1} points between them: reasonably balanced.",
  .insights_heading = "Key Insights",
  .insight_pillar = "{1} (μ={2})",
  .strongest_dimension = "Strongest: {1} ({2})",
  .weakest_dimension = "Weakest: {1} ({2})",
  .no_scores = "No scores for this pillar.",
  .pillars = { "Upstream", "Internal", "Downstream" },
  .dimensions = { "Redundancy", "Collaboration", "Flexibility", "Visibility", "Agility" },
  .strong_sentences = {
    "Spare capacity, safety stock and alternative sources give a buffer against disruptions.",
    "Close cooperation and open information sharing with partners help to solve problems "
    "together.",
    "Processes, capacity and agreements can be adapted quickly when demand or supply changes.",
    "Good insight into stock, orders and partners makes disruptions visible early.",
    "Decisions are taken and carried out quickly when circumstances change suddenly.",
  },
  .weak_sentences = {
    "Consider extra buffers: safety stock, spare capacity or a second source for critical "
    "items.",
    "Invest in joint planning and open information sharing with your key partners.",
    "Look for ways to make processes, capacity and contracts easier to adapt.",
    "Improve insight into stock, orders and risks across the chain, for example by sharing "
    "data.",
    "Shorten decision and response times, for example with prepared scenarios and clear "
    "mandates.",
  },
  .not_available = "N/A",
  .document_title = "Resilience Report: {1} – {2}",
  .page_number = "Page {1} of {2}",
  .benchmark_heading = "Peer Comparison",
  .benchmark_sentence = "Your scores compared with those of all respondents of the survey.",
  .benchmark_columns = { "Your score", "Mean of all respondents", "Percentile rank" },
  .benchmark_overall = "Overall SCRES",
  .benchmark_percentile = "{1}%",
  .benchmark_note = "A percentile rank of 70% means that your score is higher than that of "
                    "about 70% of the respondents (equal scores count half).",
  .decimal_separator = '.',
};

static const RsReportText dutch = {
  .heading = "Strategische analyse van de weerbaarheid van de toeleveringsketen",
  .respondents = "Respondenten: {1} personen van dit bedrijf",
  .this_report = "Dit rapport: {1}",
  .this_report_function = "Dit rapport: {1} — {2}",
  .survey_date = "Datum enquête: {1}",
  .overall_line = "Totale SCRES: {1} / {2}",
  .pillar_titles = {
    "Weerbaarheid upstream",
    "Interne weerbaarheid",
    "Weerbaarheid downstream",
  },
  .pillar_title = "{1} (μ={2})",
  .overall_title = "Totale SCRES: {1}",
  .company_heading = "Dashboard bedrijfsgemiddelde (alle respondenten)",
  .company_sentence = "Deze grafieken tonen de gemiddelde scores van alle {1} respondenten "
                      "van {2}.",
  .company_pillar_title = "{1} (bedrijfsgemiddelde)",
  .company_overall_title = "Totale SCRES (bedrijfsgemiddelde)",
  .company_mean_line = "μ={1} · n={2}",
  .company_overall_line = "{1} / {2} · n={3}",
  .summary_heading = "Managementsamenvatting",
  .overall_score = "Totaalscore: {1} — {2} / {3}",
  .ratings = {
    "Uitstekend",
    "Goed",
    "Gemiddeld",
    "Onder gemiddeld",
    "Verbetering nodig",
  },
  .strongest_pillar = "Sterkste pijler: {1} (μ={2})",
  .priority_pillar = "Ontwikkelprioriteit: {1} (μ={2})",
  .gap_significant = "Verschil van {1} punt tussen beide: aanzienlijke ontwikkelkansen.",
  .gap_balanced = "Verschil van {1} punt tussen beide: redelijk in balans.",
  .insights_heading = "Belangrijkste inzichten",
  .insight_pillar = "{1} (μ={2})",
  .strongest_dimension = "Sterkst: {1} ({2})",
  .weakest_dimension = "Zwakst: {1} ({2})",
  .no_scores = "Geen scores voor deze pijler.",
  .pillars = { "Upstream", "Intern", "Downstream" },
  .dimensions = {
    "Redundantie", "Samenwerking", "Flexibiliteit", "Transparantie", "Behendigheid",
  },
  .strong_sentences = {
    "Reservecapaciteit, veiligheidsvoorraad en alternatieve leveranciers vormen een buffer "
    "tegen verstoringen.",
    "Nauwe samenwerking en open informatie-uitwisseling met partners helpen om problemen "
    "samen op te lossen.",
    "Processen, capaciteit en afspraken zijn snel aan te passen als vraag of aanbod verandert.",
    "Goed zicht op voorraden, orders en partners maakt verstoringen vroeg zichtbaar.",
    "Bij plotselinge veranderingen worden snel besluiten genomen en uitgevoerd.",
  },
  .weak_sentences = {
    "Overweeg extra buffers: veiligheidsvoorraad, reservecapaciteit of een tweede leverancier "
    "voor kritieke onderdelen.",
    "Investeer in gezamenlijke planning en open informatie-uitwisseling met uw belangrijkste "
    "partners.",
    "Zoek naar manieren om processen, capaciteit en contracten gemakkelijker aan te passen.",
    "Verbeter het zicht op voorraden, orders en risico's in de hele keten, bijvoorbeeld door "
    "gegevens te delen.",
    "Verkort beslis- en reactietijden, bijvoorbeeld met voorbereide scenario's en duidelijke "
    "mandaten.",
  },
  .not_available = "n.v.t.",
  .document_title = "Weerbaarheidsrapport: {1} – {2}",
  .page_number = "Pagina {1} van {2}",
  .benchmark_heading = "Vergelijking met andere respondenten",
  .benchmark_sentence = "Uw scores vergeleken met die van alle respondenten van de enquête.",
  .benchmark_columns = { "Uw score", "Gemiddelde van alle respondenten", "Percentielrang" },
  .benchmark_overall = "Totale SCRES",
  .benchmark_percentile = "{1}%",
  .benchmark_note = "Een percentielrang van 70% betekent dat uw score hoger is dan die van "
                    "ongeveer 70% van de respondenten (gelijke scores tellen half).",
  .decimal_separator = ',',
};

/* The input says "nl" or "en"; a longer tag or the word itself is taken too. */
gboolean
rs_report_text_is_nl (const char *language)
{
  if (language == NULL)
    return FALSE;

  return g_ascii_strcasecmp (language, "nl") == 0 ||
         g_ascii_strncasecmp (language, "nl-", 3) == 0 ||
         g_ascii_strncasecmp (language, "nl_", 3) == 0 ||
         g_ascii_strcasecmp (language, "dutch") == 0;
}

const RsReportText *
rs_report_text_get (const char *language)
{
  return rs_report_text_is_nl (language) ? &dutch : &english;
}

/* Puts the arguments in place of "{1}", "{2}" and "{3}". Arguments are
 * inserted as they are, never read as templates themselves, so user data
 * cannot change the sentence around it. */
char *
rs_report_text_fill (const char *template_,
                     const char *arg1,
                     const char *arg2,
                     const char *arg3)
{
  const char *args[] = { arg1, arg2, arg3 };
  GString *result;

  g_return_val_if_fail (template_ != NULL, NULL);

  result = g_string_sized_new (strlen (template_) + 64);
  for (const char *p = template_; *p != '\0'; p++)
    {
      if (p[0] == '{' && p[1] >= '1' && p[1] <= '3' && p[2] == '}')
        {
          const char *arg = args[p[1] - '1'];

          g_string_append (result, arg != NULL ? arg : "");
          p += 2;
        }
      else
        {
          g_string_append_c (result, *p);
        }
    }

  return g_string_free (result, FALSE);
}

/* @value with @decimals in the language's notation, or its "N/A". */
char *
rs_report_text_number (const RsReportText *text,
                       double              value,
                       guint               decimals)
{
  char format[16];
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    return g_strdup (text->not_available);

  g_snprintf (format, sizeof format, "%%.%uf", decimals);
  g_ascii_formatd (buffer, sizeof buffer, format, value);
  for (char *p = buffer; *p != '\0'; p++)
    if (*p == '.')
      *p = text->decimal_separator;

  return g_strdup (buffer);
}
