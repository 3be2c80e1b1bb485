import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_MEDIA_TYPE, toProblem } from './problem-details';

/** What Node's HTTP server says of a request it could not read, by the `code` of its `clientError`. */
const REFUSALS: Readonly<Record<string, { status: number; message: string }>> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: "the request's header fields are larger than this server takes (Node's maxHeaderSize, 16 KiB by default): send fewer or shorter headers — a long cookie or token is the usual cause" },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'the request was not received in whole in time (Node\'s requestTimeout): send it again' },
};

/**
 * The standalone server's `clientErrorHandler`: a request Node's HTTP parser cannot read — headers
 * past its size limit (431), one not received in time (408), anything that is not HTTP/1.1 (a
 * header line without a colon, Content-Length with chunked: 400) — answered as every other refusal
 * of the admin: problem details (`HOOKWORK_ERR_ADMIN_REQUEST_REFUSED` with that status),
 * `no-store`, `nosniff`. Fastify's own answer was `application/json` in a shape of its own
 * (`{"error":"Bad Request","message":"Client Error","statusCode":400}`), the one answer of the
 * server a client matching on `code` could not read. No path was read, so `instance` is `/`.
 */
export function adminClientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  // A connection reset: nobody is there to answer (as Fastify's own handler does).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const refusal = REFUSALS[error.code ?? ''] ?? { status: 400, message: `the request is not valid HTTP/1.1 (${(error.code ?? 'unreadable').replace(/[^A-Z0-9_]/gi, '')}): check how the client writes its request line and headers` };
  const problem = toProblem({ statusCode: refusal.status, expose: true, message: refusal.message }, '/');
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nContent-Type: ${PROBLEM_MEDIA_TYPE}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
