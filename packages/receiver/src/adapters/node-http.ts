import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyReceiver } from '../receiver';
import { checkMaxBodyBytes, checkReceiver, receiveFromStream, refuseNonPost, type AdapterOptions } from './adapter-support';

/**
 * A node:http request listener: reads the raw body (up to `maxBodyBytes`; a compressed one —
 * `content-encoding` gzip, deflate, br — decoded, to at most as much), lets the receiver handle
 * it and writes its answer. Anything but POST is answered 405.
 *
 * ```ts
 * http.createServer(createNodeHandler(receiver)).listen(3000);
 * ```
 */
export function createNodeHandler(receiver: AnyReceiver, options?: AdapterOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const target = checkReceiver(receiver, 'createNodeHandler()');
  const maxBodyBytes = checkMaxBodyBytes(options, 'createNodeHandler()');
  return (request, response) => {
    if (refuseNonPost(request, response)) return;
    receiveFromStream(target, request, response, maxBodyBytes);
  };
}
