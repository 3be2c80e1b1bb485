import { CockpitEventGroups } from './cockpit-event-definition';

// What Cockpit v1 passes to its content events, made up but shaped as its PHP sources pass them
// (an entry with Cockpit's _id/_created/_modified/_by/_mby, a collection or singleton
// definition with its name), for test sends of Cockpit webhooks.

const entry = () => ({
  _id: '663899e9a1b2c3d4e5f60718',
  title: 'Hello',
  content: '<p>Hello, world.</p>',
  published: true,
  _created: 1714985449,
  _modified: 1714985449,
  _by: '5f2b6c1e3a7d4e0012ab34cd',
  _mby: '5f2b6c1e3a7d4e0012ab34cd',
});
const collection = (name: string) => ({ name, label: name.charAt(0).toUpperCase() + name.slice(1), fields: [{ name: 'title', type: 'text' }, { name: 'content', type: 'wysiwyg' }, { name: 'published', type: 'boolean' }], _id: name, _created: 1714985000, _modified: 1714985449 });
const singleton = (name: string) => ({ name, label: name.charAt(0).toUpperCase() + name.slice(1), fields: [{ name: 'siteName', type: 'text' }], _id: name, _created: 1714985000, _modified: 1714985449 });
const form = (name: string) => ({ name, label: name.charAt(0).toUpperCase() + name.slice(1), save_entry: true, email_forward: '', _id: name, _created: 1714985000, _modified: 1714985449 });
const submission = () => ({ name: 'Ann', email: 'ann@example.com', message: 'Hello!' });

/** The name a name-spaced example uses when the webhook tests the plain event. */
const DEFAULT_NAMESPACE: Readonly<Record<string, string>> = Object.freeze({
  [CockpitEventGroups.Collections]: 'posts',
  [CockpitEventGroups.Forms]: 'contact',
  [CockpitEventGroups.Singletons]: 'settings',
});

/** Event name → its example arguments; `name` is the collection (form, singleton) name. */
const EXAMPLE_ARGS: Readonly<Record<string, (name: string) => unknown[]>> = Object.freeze({
  'collections.createcollection': (name) => [collection(name)],
  'collections.updatecollection': (name) => [collection(name)],
  'collections.removecollection': (name) => [name],
  'collections.find.before': (name) => [name, { filter: { published: true }, sort: { _created: -1 }, limit: 10 }, false],
  'collections.find.after': (name) => [name, [entry()], false],
  'collections.save.before': (name) => [name, entry(), true],
  'collections.save.after': (name) => [name, entry(), true],
  'collections.remove.before': (name) => [name, { _id: entry()._id }],
  'collections.remove.after': (name) => [name, true],
  'forms.save.before': (name) => [name, submission()],
  'forms.save.after': (name) => [name, { ...submission(), _id: '66389a02a1b2c3d4e5f60719', _created: 1714985474 }],
  'forms.submit.before': (name) => [name, submission(), form(name), { subject: `New form data for: ${name}` }],
  'forms.submit.after': (name) => [name, submission(), form(name)],
  'collections.reorder': (name) => [name, [{ _id: entry()._id, _o: 0 }]],
  'singleton.save.before': (name) => [singleton(name)],
  'singleton.save.after': (name) => [singleton(name)],
  'singleton.remove': (name) => [singleton(name)],
  'singleton.saveData.before': (name) => [singleton(name), { siteName: 'My site' }],
  'singleton.saveData.after': (name) => [singleton(name), { siteName: 'My site' }],
  'singleton.getData.after': (name) => [singleton(name), { siteName: 'My site' }],
  'cockpit.media.upload': () => [['/storage/uploads/2024/05/06/photo.jpg'], []],
  'cockpit.media.removefiles': () => [['/storage/uploads/2024/05/06/old-photo.jpg']],
  'cockpit.media.rename': () => ['/storage/uploads/photo.jpg', '/storage/uploads/hero.jpg'],
});

/**
 * Example positional arguments of a Cockpit event, for test sends: for the collection, form,
 * singleton and media events, and `[]` for events Cockpit triggers without arguments; undefined
 * for the rest (whose test sends carry hookwork's generic body). `namespace` is the variant asked
 * for (`posts` for `collections.save.after.posts`).
 */
export function cockpitExampleArgs(definition: { name: string; group: string; args: readonly unknown[] }, namespace?: string): unknown[] | undefined {
  const own = (table: object, key: string) => Object.prototype.hasOwnProperty.call(table, key);
  if (own(EXAMPLE_ARGS, definition.name)) return EXAMPLE_ARGS[definition.name]!(namespace ?? (own(DEFAULT_NAMESPACE, definition.group) ? DEFAULT_NAMESPACE[definition.group]! : 'posts'));
  return definition.args.length === 0 ? [] : undefined;
}
