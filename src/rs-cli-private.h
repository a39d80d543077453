/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/rs-store.h"

/* What the parts of the command line share: rs-cli.c runs the commands
 * that the other rs-cli-*.c files define. */

G_BEGIN_DECLS

/* The options of send and signin that say which registration with the
 * provider signs in, and where. */
#define RS_CLI_CLIENT_ENTRIES(client_id, client_secret, tenant) \
  { "client-id", 0, 0, G_OPTION_ARG_STRING, client_id, \
    N_("The client ID of the app's registration with the provider"), N_("ID") }, \
  { "client-secret", 0, 0, G_OPTION_ARG_STRING, client_secret, \
    N_("The client secret of a Google desktop app registration"), N_("SECRET") }, \
  { "tenant", 0, 0, G_OPTION_ARG_STRING, tenant, \
    N_("Microsoft 365: the tenant ID or domain (the default: organizations)"), \
    N_("TENANT") }

#define RS_CLI_ADDRESS_ENTRIES(authority, token_url, device_code_url) \
  { "authority", 0, 0, G_OPTION_ARG_STRING, authority, \
    N_("Use this sign-in server instead of https://login.microsoftonline.com (or " \
       "https://accounts.google.com)"), N_("URL") }, \
  { "token-url", 0, 0, G_OPTION_ARG_STRING, token_url, \
    N_("Use this token address instead of the provider's"), N_("URL") }, \
  { "device-code-url", 0, 0, G_OPTION_ARG_STRING, device_code_url, \
    N_("Use this device code address instead of the provider's"), N_("URL") }

int        rs_cli_fail                 (const char      *format,
                                        ...) G_GNUC_PRINTF (1, 2);
RsStore   *rs_cli_open_store           (void);
RsStore   *rs_cli_open_existing_store  (void);
gboolean   rs_cli_parse_options        (GOptionContext  *context,
                                        GStrv           *args,
                                        gboolean         allow_arguments);
const char *rs_cli_parse_ids           (GStrv            texts,
                                        GArray          *ids);
GSettings *rs_cli_open_saved_settings  (void);
char      *rs_cli_saved_reports_folder (void);
void       rs_cli_run_until_quit       (GMainLoop       *loop,
                                        GSourceFunc      stop_cb,
                                        GCancellable    *cancellable);

int rs_cli_cmd_companies (GStrv *args);
int rs_cli_cmd_dashboard (GStrv *args);
int rs_cli_cmd_export    (GStrv *args);
int rs_cli_cmd_generate  (GStrv *args);
int rs_cli_cmd_import    (GStrv *args);
int rs_cli_cmd_imports   (GStrv *args);
int rs_cli_cmd_list      (GStrv *args);
int rs_cli_cmd_log       (GStrv *args);
int rs_cli_cmd_mark      (GStrv *args);
int rs_cli_cmd_send      (GStrv *args);
int rs_cli_cmd_signin    (GStrv *args);
int rs_cli_cmd_signout   (GStrv *args);

G_END_DECLS
