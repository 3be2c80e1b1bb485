import type { QuickstartOptions } from './cli-options';

/**
 * The libraries' messages name the fix where a program sets it — `bullmqQueue({ connection })`,
 * "the connection string", `postgresStorage({ schema })`, `sqliteStorage({ file })`,
 * `startAdminServer`'s `port: 0` — but a
 * quickstart user typed a flag.
 * Each row swaps such a phrase, fix included, for the flag; the diagnosis before it (the server,
 * the driver's reason) is kept as the library wrote it. quickstart.test.ts runs each failure
 * and checks that no library phrase is left.
 */
const REDIS: readonly (readonly [RegExp, string])[] = [
  [/bullmqQueue\(\) was given bad options: queueName/g, '--queue'],
  [/bullmqQueue\(\) was given bad options: connection's URL/g, '--redis'],
  [/bullmqQueue\(\) was given bad options: connection/g, '--redis'],
  [/; connection's URL/g, '; --redis'],
  [/bullmqQueue\(\{ connection \}\) \(redis:\/\/user:password@host, or \{ username, password \}\)/g, '--redis (redis://user:password@host:port)'],
  [/start Redis or pass bullmqQueue\(\{ connection \}\) the address of one/g, 'start Redis there, or give --redis the address of one'],
  [/give bullmqQueue\(\{ connection \}\) a database index the server has/g, 'give --redis a database index the server has'],
  [/, or keep database 0 and give the app a queueName of its own/g, ', or leave the database out of --redis and give --queue a name of its own'],
  [/connect with redis:\/\/ \(no tls option\)/g, 'give --redis a redis:// URL'],
  [/connect with redis:\/\/ \(without a tls option\)/g, 'give --redis a redis:// URL'],
  [/connect with rediss:\/\/ \(or give ioredis options a tls option, e\.g\. \{ tls: \{\} \}\)/g, 'give --redis a rediss:// URL'],
  [/asks for TLS \(rediss:\/\/, or a tls option\)/g, 'asks for TLS (rediss://)'],
  [/connects without TLS \(redis:\/\/, no tls option\)/g, 'connects without TLS (redis://)'],
  [/bullmqQueue\(\{ queueName \}\)/g, '--queue'],
  [/bullmqQueue\(\{ connection \}\)/g, '--redis'],
  [/the BullMQ queue's connection/g, '--redis'],
  [/give the connection the password alone \(redis:\/\/:password@host:port, or \{ password \}\)/g, 'give --redis the password alone (redis://:password@host:port)'],
  [/leave the password out of the connection/g, 'leave the password out of --redis'],
  [/: give other ioredis options as an object \(\{ host, port, password, … \}\) instead of a URL/g, ': leave it out of --redis'],
  // A run killed before it ended left its requests under its store's id: that run's folder ends them.
  [
    /, or the other apps' store; if this queue's apps moved to this store on purpose, remove the old queue once it is empty \(removeBullmqQueue\(\)\) or delete the key (\S+)/g,
    ", or run it with the --data-dir of the run that left them (runs on that store take its requests over, and the one that ends with the queue empty removes it); or delete the key $1, and this run drops them as requests of webhooks it does not have",
  ],
];

const POSTGRES: readonly (readonly [RegExp, string])[] = [
  [/the connection string \(host, port, database, user, password\)/g, '--postgres (host, port, database, user, password)'],
  [/in the connection string \(or PGUSER\/PGPASSWORD\)/g, 'in --postgres (or PGUSER/PGPASSWORD)'],
  [/name an existing one in the connection string/g, 'name an existing one in --postgres'],
  [/the connection string names no user/g, '--postgres names no user'],
  [/set postgresStorage\(\{ schema \}\) to a new name \(it is created at start\)/g, 'give --schema a new name (it is created at start)'],
  [/postgresStorage\(\): `schema`/g, '--schema'],
  [/postgresStorage\(\{ schema \}\)/g, '--schema'],
];

/** @hookwork/sqlite's fixes name its `file` option; the quickstart's SQLite file is hookwork.db in --data-dir. */
const SQLITE: readonly (readonly [RegExp, string])[] = [
  [/or point `file` at a writable path/g, 'or give --data-dir a folder you can write to'],
  [/point `file` at another path, or restore the file from a backup/g, 'give --data-dir another folder, or restore the file from a backup'],
  [/or point `file` at a disk with room/g, 'or give --data-dir a folder on a disk with room'],
  [/check that its directory exists and is writable and that the path is not a directory/g, 'check that the path is not a directory and that --data-dir is a folder you can write to, or give --data-dir another folder'],
  [/point `file` at a file in it \([^)]*\) or at another path/g, 'move that folder out of --data-dir, or give --data-dir another folder'],
  [/point `file` at a regular file, or at a path where none exists yet \(the store creates it\)/g, 'move it out of --data-dir, or give --data-dir another folder'],
  [/or point `file` at another path$/g, 'or give --data-dir another folder'],
  [/ or raise busyTimeoutMs/g, ', or give --data-dir another folder'],
];

const ADMIN: readonly (readonly [RegExp, string])[] = [
  [/choose another port, or pass port: 0 for a free one \(see url in the result\)/g, 'choose another --admin-port, or leave it out for a free one'],
  [/choose a port from 1024, or port: 0 for a free one/g, 'give --admin-port a port from 1024, or leave it out for a free one'],
];

/** `message` with the fixes that name a library option naming the flag the user typed instead. */
export function forTheCommandLine(message: string, options: Pick<QuickstartOptions, 'redis' | 'postgres' | 'admin'>): string {
  let text = message;
  if (options.admin) for (const [phrase, flag] of ADMIN) text = text.replace(phrase, flag);
  if (options.redis) for (const [phrase, flag] of REDIS) text = text.replace(phrase, flag);
  if (options.postgres) for (const [phrase, flag] of POSTGRES) text = text.replace(phrase, flag);
  else for (const [phrase, flag] of SQLITE) text = text.replace(phrase, flag);
  return text;
}
