/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "rs-store.h"

G_BEGIN_DECLS

/* Companies as reports count them: names that fold alike (case, accents)
 * are one company, and the person merges other names into one, or keeps
 * them apart. Names that look like one company are proposed, never merged
 * by themselves. */

#define RS_COMPANIES_ERROR (rs_companies_error_quark ())

typedef enum
{
  RS_COMPANIES_ERROR_UNKNOWN,
  RS_COMPANIES_ERROR_NOT_MERGED,
  RS_COMPANIES_ERROR_SAME,
} RsCompaniesError;

typedef struct
{
  char *name;          /* as the master file writes it */
  guint respondents;
} RsCompanyVariant;

typedef struct
{
  char *name;          /* the merged name, or the variant most respondents wrote */
  gboolean merged;
  guint respondents;
  GPtrArray *variants; /* of RsCompanyVariant, by name */
} RsCompany;

typedef enum
{
  RS_COMPANY_SAME_KEY,  /* equal once case, accents, punctuation, legal forms go */
  RS_COMPANY_SIMILAR,   /* a letter or two apart */
} RsCompanyReason;

typedef struct
{
  RsCompany *first;    /* borrowed from the RsCompanies they are in */
  RsCompany *second;
  RsCompanyReason reason;
} RsCompanyProposal;

typedef struct
{
  GPtrArray *companies; /* of RsCompany, by name */
  GPtrArray *proposals; /* of RsCompanyProposal */
} RsCompanies;

GQuark       rs_companies_error_quark   (void);

char        *rs_company_key             (const char   *name);
guint        rs_company_key_distance    (const char   *a,
                                         const char   *b,
                                         guint         limit);
gboolean     rs_company_names_similar   (const char   *a,
                                         const char   *b);

/* Which company a name belongs to, on one connection (one thread). */
GHashTable  *rs_company_map_load        (sqlite3      *db,
                                         GError      **error);
char        *rs_company_map_group       (GHashTable   *map,
                                         const char   *company);
const char  *rs_company_map_name        (GHashTable   *map,
                                         const char   *company);
gboolean     rs_company_group_function_install (sqlite3  *db,
                                                GError  **error);
void         rs_company_group_function_remove  (sqlite3  *db);
guint        rs_company_count_groups    (sqlite3      *db,
                                         GError      **error);

/* On the calling thread's connection; from any thread but the main one. */
RsCompanies *rs_companies_load          (RsStore      *store,
                                         GError      **error);
void         rs_companies_free          (RsCompanies  *companies);
gboolean     rs_companies_equal         (const RsCompanies *a,
                                         const RsCompanies *b);
RsCompany   *rs_companies_find          (RsCompanies  *companies,
                                         const char   *name);
char        *rs_company_describe_variants (const RsCompany *company);
char        *rs_company_merge           (RsStore            *store,
                                         const char         *name,
                                         const char * const *others,
                                         GError            **error);
char        *rs_company_split           (RsStore      *store,
                                         const char   *name,
                                         GError      **error);
gboolean     rs_company_keep_apart      (RsStore      *store,
                                         const char   *name,
                                         const char   *other,
                                         GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsCompanies, rs_companies_free)

G_END_DECLS
