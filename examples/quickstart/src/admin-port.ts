import { createServer } from 'node:net';
import { ADMIN_ERRORS } from '@hookwork/admin';

/** The admin page's port, held from before the tour until the admin server takes it over. */
export interface HeldAdminPort {
  /** Lets the port go, for startAdminServer to listen on it; a second call does nothing. */
  release(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:`port` before anything else runs, so `--admin --admin-port` on a port
 * another process holds fails at once — it used to run the whole tour (storing and delivering
 * every request) and only then fail. Held until the admin server takes the port, so nothing
 * else takes it during the tour. The refusals are startAdminServer's own, word for word.
 *
 * @throws HOOKWORK_ERR_ADMIN_ADDRESS_IN_USE when another process listens there;
 *   HOOKWORK_ERR_ADMIN_LISTEN_FAILED for a port this process may not bind.
 */
export async function holdAdminPort(port: number): Promise<HeldAdminPort> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code;
    const where = `127.0.0.1:${port}`;
    if (code === 'EADDRINUSE') throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_ADDRESS_IN_USE', `cannot listen on ${where}: another process is listening there; stop it, choose another port, or pass port: 0 for a free one (see url in the result)`, { cause: error });
    if (code === 'EACCES' || code === 'EPERM') throw ADMIN_ERRORS.create('HOOKWORK_ERR_ADMIN_LISTEN_FAILED', `cannot listen on ${where}: this process may not bind that port (${String(code)}; ports below 1024 need privileges); choose a port from 1024, or port: 0 for a free one`, { cause: error });
    throw error;
  }
  let released: Promise<void> | undefined;
  return {
    release: () => (released ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}
