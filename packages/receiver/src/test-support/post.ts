import { request as httpRequest } from 'node:http';

/** What a sender saw: the status and the receiver's JSON answer. */
export interface Answered {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { outcome?: string; id?: string; error?: { code: string; message?: string } };
}

/**
 * POSTs over real HTTP with node:http — `body` as the exact bytes given (a Buffer that is not
 * UTF-8, say) with its content-length, or `chunks` written one by one without a content-length
 * (chunked), as a streaming sender would.
 */
export function post(url: string, input: { headers: Record<string, string>; body?: string | Buffer; chunks?: string[]; method?: string }): Promise<Answered> {
  return new Promise((resolve, reject) => {
    const headers = { ...input.headers };
    if (input.body !== undefined) headers['content-length'] = String(Buffer.byteLength(input.body));
    const req = httpRequest(url, { method: input.method ?? 'POST', headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as Answered['body']) : {} });
      });
      res.on('error', reject);
    });
    // A receiver that refuses a body early closes the connection: writing on is then an EPIPE
    // the sender sees after the answer, so only an error before any answer counts.
    req.on('error', reject);
    for (const chunk of input.chunks ?? []) req.write(chunk);
    req.end(input.body);
  });
}
