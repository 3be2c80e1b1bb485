import { CockpitEventGroups as G, type CockpitEventDefinition } from './cockpit-event-definition';
import { redactCredentials } from './redact-credentials';

const arg = (name: string, description?: string, uncertain?: true) => ({ name, ...(description ? { description } : {}), ...(uncertain ? { uncertain } : {}) });

/**
 * Cockpit v1's events, as its PHP sources trigger them (`modules/*\/bootstrap.php`, the
 * controllers and the admin views), with their positional arguments in order. Arguments Cockpit
 * passes by reference (`&$entry`) are sent as they were when the host triggered the event.
 * The backend-view events take no arguments (but the account edit view's account): Cockpit
 * triggers them while rendering admin pages.
 */
export const COCKPIT_EVENT_TABLE = Object.freeze([
  // system / cockpit
  { name: 'admin.dashboard.widgets', group: G.System, label: 'Dashboard widgets collected', args: [arg('widgets', 'the dashboard widget list (an ArrayObject plugins add to)')] },
  {
    name: 'cockpit.filestorages.init',
    group: G.System,
    label: 'File storages initialised',
    args: [arg('storages', 'the Flysystem storages by name: { adapter, args, mount, url }; adapter args may hold credentials (redacted by default)')],
    redact: redactCredentials,
  },
  { name: 'cockpit.bootstrap', group: G.System, label: 'Cockpit bootstrapped', args: [] },
  { name: 'cockpit.update.before', group: G.System, label: 'Update starting', args: [arg('update', 'the update info: package.json url, zipfile, target, options')] },
  { name: 'cockpit.update.after', group: G.System, label: 'Update finished', args: [arg('update', 'the update info: package.json url, zipfile, target, options')] },
  { name: 'cockpit.clearcache', group: G.System, label: 'Cache cleared', args: [] },
  { name: 'cockpit.export', group: G.System, label: 'Export run (CLI)', args: [arg('options', 'the export command options')] },
  { name: 'cockpit.import', group: G.System, label: 'Import run (CLI)', args: [arg('options', 'the import command options')] },
  { name: 'cockpit.rest.init', group: G.System, label: 'REST API routes initialised', args: [arg('routes', 'the REST resources by name (an ArrayObject plugins add to)')] },
  {
    name: 'cockpit.api.authenticate',
    group: G.System,
    label: 'REST API request authenticating',
    args: [arg('data', '{ token, authenticated, resource, query: { path, parts, params }, user }; token and user secrets redacted by default')],
    redact: redactCredentials,
  },
  { name: 'cockpit.api.erroronrequest', group: G.System, label: 'REST API request failed', args: [arg('route'), arg('error', 'the exception message')] },
  // Offered by Cockpit's webhook editor (Controller/Webhooks.php), so exported webhooks subscribe to them.
  { name: 'admin.init', group: G.System, label: 'Admin request started', args: [] },
  { name: 'cockpit.request.error', group: G.System, label: 'Admin request refused', args: [arg('status', "the HTTP status as a string: '401' (not signed in) or '404' (no such page)")] },
  {
    name: 'cockpit.account.login',
    group: G.System,
    label: 'Account signed in',
    args: [arg('user', "the account: { _id, user, email, group, … }; secrets redacted by default. Cockpit's webhook editor offers the event, but Cockpit v1 no longer triggers it (it triggers cockpit.authentication.success)", true)],
    redact: redactCredentials,
  },
  // Triggered by Cockpit v1 (Controller/Auth.php, Controller/Accounts.php) though its webhook editor does not list them; its event field is free text.
  {
    name: 'cockpit.authentication.success',
    group: G.System,
    label: 'Admin sign-in succeeded',
    args: [arg('user', 'the account signing in: { _id, user, email, group, api_key, … }; secrets redacted by default')],
    redact: redactCredentials,
  },
  {
    name: 'cockpit.authentication.failed',
    group: G.System,
    label: 'Admin sign-in failed',
    args: [
      arg('auth', "what was tried: { user, password }, and email (with user '') when an e-mail address was typed; the password redacted by default. Cockpit's REST API sign-in (Controller/RestApi.php:31) passes the user name alone and no reason: pass null for reason"),
      arg('reason', "'Csrf validation failed' or 'Authentication failed'"),
    ],
    redact: redactCredentials,
  },
  {
    name: 'cockpit.accounts.save',
    group: G.System,
    label: 'Account about to be saved',
    args: [arg('data', 'the account as it will be stored (password hashed, api_key…); secrets redacted by default'), arg('isUpdate', 'true when the account has an _id (it existed)')],
    redact: redactCredentials,
  },
  { name: 'cockpit.account.logout', group: G.System, label: 'Account signed out', args: [arg('user', 'the account signing out: { _id, user, email, group, … }; secrets redacted by default')], redact: redactCredentials },
  { name: 'shutdown', group: G.System, label: 'Request finished', args: [] },

  // media and assets
  { name: 'cockpit.media.upload', group: G.MediaAndAssets, label: 'Media files uploaded', args: [arg('uploaded', 'paths of the uploaded files'), arg('failed', 'paths of the files that failed')] },
  { name: 'cockpit.media.removefiles', group: G.MediaAndAssets, label: 'Media files removed', args: [arg('deletions', 'paths of the removed files and folders')] },
  { name: 'cockpit.media.rename', group: G.MediaAndAssets, label: 'Media file renamed', args: [arg('source', 'the old path'), arg('target', 'the new path')] },
  { name: 'cockpit.assets.list', group: G.MediaAndAssets, label: 'Assets listed', args: [arg('assets', 'the listed assets')] },
  { name: 'cockpit.assets.save', group: G.MediaAndAssets, label: 'Assets saved', args: [arg('assets', 'the new assets')] },
  { name: 'cockpit.assets.remove', group: G.MediaAndAssets, label: 'Assets removed', args: [arg('assets', 'the removed assets')] },
  // Triggered by Cockpit v1 (modules/Cockpit/module/assets.php) though its webhook editor does not list them.
  { name: 'cockpit.asset.save', group: G.MediaAndAssets, label: 'Asset about to be saved', args: [arg('asset', 'one asset as it will be stored (on upload, and on each update)')] },
  { name: 'cockpit.assets.updatefile', group: G.MediaAndAssets, label: "Asset's file replaced", args: [arg('asset', 'the asset with its new file'), arg('previous', 'the asset as it was before')] },

  // collections
  { name: 'collections.createcollection', group: G.Collections, label: 'Collection created', args: [arg('collection', 'the collection definition')] },
  { name: 'collections.updatecollection', group: G.Collections, label: 'Collection updated', args: [arg('collection', 'the collection definition (its name is the namespace)')], namespaced: true },
  { name: 'collections.removecollection', group: G.Collections, label: 'Collection removed', args: [arg('name', 'the collection name')], namespaced: true },
  {
    name: 'collections.find.before',
    group: G.Collections,
    label: 'Collection entries about to be queried',
    args: [arg('name', 'the collection name'), arg('options', 'the query: filter, fields, sort, limit, skip, populate…'), arg('flag', 'always false in Cockpit v1; meaning not documented', true)],
    namespaced: true,
  },
  {
    name: 'collections.find.after',
    group: G.Collections,
    label: 'Collection entries queried',
    args: [arg('name', 'the collection name'), arg('entries', 'the entries found'), arg('flag', 'always false in Cockpit v1; meaning not documented', true)],
    namespaced: true,
  },
  {
    name: 'collections.save.before',
    group: G.Collections,
    label: 'Collection entry about to be saved',
    args: [arg('name', 'the collection name'), arg('entry', 'the entry'), arg('isUpdate', 'true when the entry existed')],
    namespaced: true,
  },
  {
    name: 'collections.save.after',
    group: G.Collections,
    label: 'Collection entry saved',
    args: [arg('name', 'the collection name'), arg('entry', 'the saved entry'), arg('isUpdate', 'true when the entry existed')],
    namespaced: true,
  },
  { name: 'collections.remove.before', group: G.Collections, label: 'Collection entries about to be removed', args: [arg('name', 'the collection name'), arg('criteria', 'the filter of the entries to remove')], namespaced: true },
  { name: 'collections.remove.after', group: G.Collections, label: 'Collection entries removed', args: [arg('name', 'the collection name'), arg('result', 'the storage result of the removal')], namespaced: true },
  { name: 'collections.reorder', group: G.Collections, label: 'Collection entries reordered', args: [arg('name', 'the collection name'), arg('entries', 'the reordered entries as the admin UI posted them (their _id and new order)', true)], namespaced: true },

  // forms
  { name: 'forms.save.before', group: G.Forms, label: 'Form entry about to be saved', args: [arg('name', 'the form name'), arg('entry', 'the submitted entry')], namespaced: true },
  { name: 'forms.save.after', group: G.Forms, label: 'Form entry saved', args: [arg('name', 'the form name'), arg('entry', 'the saved entry')], namespaced: true },
  {
    name: 'forms.submit.before',
    group: G.Forms,
    label: 'Form about to be submitted',
    args: [arg('form', 'the form name'), arg('data', 'the submitted data'), arg('frm', 'the form definition'), arg('options', 'the submit options (mail subject, …)')],
  },
  { name: 'forms.submit.after', group: G.Forms, label: 'Form submitted', args: [arg('form', 'the form name'), arg('data', 'the submitted data'), arg('frm', 'the form definition')] },
  // Triggered by Cockpit v1's form helpers (modules/Forms/bootstrap.php open()/close()) while a page renders a form; not name-spaced.
  { name: 'forms.open.before', group: G.Forms, label: 'Form about to be opened', args: [arg('name', 'the form name'), arg('options', 'the options given to open() (id, class, action, …)')] },
  { name: 'forms.open.after', group: G.Forms, label: 'Form opened', args: [arg('name', 'the form name'), arg('options', 'the options given to open() (id, class, action, …)')] },
  { name: 'forms.close.before', group: G.Forms, label: 'Form about to be closed', args: [arg('name', 'the form name, or null'), arg('options', 'the options given to close()')] },
  { name: 'forms.close.after', group: G.Forms, label: 'Form closed', args: [arg('name', 'the form name, or null'), arg('options', 'the options given to close()')] },

  // singletons
  { name: 'singleton.save.before', group: G.Singletons, label: 'Singleton definition about to be saved', args: [arg('singleton', 'the singleton definition (its name is the namespace)')], namespaced: true },
  { name: 'singleton.save.after', group: G.Singletons, label: 'Singleton definition saved', args: [arg('singleton', 'the singleton definition (its name is the namespace)')], namespaced: true },
  { name: 'singleton.remove', group: G.Singletons, label: 'Singleton removed', args: [arg('singleton', 'the singleton definition (its name is the namespace)')], namespaced: true },
  { name: 'singleton.saveData.before', group: G.Singletons, label: 'Singleton data about to be saved', args: [arg('singleton', 'the singleton definition'), arg('data', 'the data to save')], namespaced: true },
  { name: 'singleton.saveData.after', group: G.Singletons, label: 'Singleton data saved', args: [arg('singleton', 'the singleton definition'), arg('data', 'the saved data')], namespaced: true },
  { name: 'singleton.getData.after', group: G.Singletons, label: 'Singleton data read', args: [arg('singleton', 'the singleton definition'), arg('data', 'the data read')], namespaced: true },

  // backend views (triggered while Cockpit renders its admin pages; no arguments but the account of the edit view)
  { name: 'cockpit.account.editview', group: G.BackendViews, label: 'Account edit view rendered', args: [arg('account', 'the account being edited; secrets redacted by default')], redact: redactCredentials },
  // views/base/dashboard.php:61, beside the dashboard's top and bottom.
  { name: 'admin.dashboard.header', group: G.BackendViews, label: 'Dashboard header rendered', args: [] },
  { name: 'admin.dashboard.top', group: G.BackendViews, label: 'Dashboard top rendered', args: [] },
  { name: 'admin.dashboard.bottom', group: G.BackendViews, label: 'Dashboard bottom rendered', args: [] },
  { name: 'app.layout.header', group: G.BackendViews, label: 'Layout header rendered', args: [] },
  // Cockpit 0.9 and earlier; 0.10.0 reworked the menu (commit 97c374c4) and triggers the three below
  // (views/layouts/app.php:90, 153, 157). Both kept for webhooks exported from an older Cockpit.
  { name: 'cockpit.menu.aside', group: G.BackendViews, label: 'Aside menu rendered (Cockpit 0.9 and earlier)', args: [] },
  { name: 'cockpit.menu.main', group: G.BackendViews, label: 'Main menu rendered (Cockpit 0.9 and earlier)', args: [] },
  { name: 'cockpit.menu.modules', group: G.BackendViews, label: 'Modules menu rendered', args: [] },
  { name: 'cockpit.menu.system', group: G.BackendViews, label: 'System menu rendered', args: [] },
  { name: 'cockpit.menu', group: G.BackendViews, label: 'Menu rendered', args: [] },
  { name: 'app.layout.contentbefore', group: G.BackendViews, label: 'Before page content rendered', args: [] },
  { name: 'app.layout.contentafter', group: G.BackendViews, label: 'After page content rendered', args: [] },
  { name: 'app.layout.footer', group: G.BackendViews, label: 'Layout footer rendered', args: [] },
  { name: 'cockpit.view.settings.item', group: G.BackendViews, label: 'Settings item rendered', args: [] },
  { name: 'cockpit.view.settings', group: G.BackendViews, label: 'Settings view rendered', args: [] },
] as const satisfies readonly CockpitEventDefinition[]);

/** The name of a built-in Cockpit event (`collections.save.after`, …). */
export type CockpitEventName = (typeof COCKPIT_EVENT_TABLE)[number]['name'];
