import fc from 'fast-check';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Connection, type Http1Request, ResponseParser } from './http1.js';

const servers: Server[] = [];
const connections: Http1Connection[] = [];

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  for (const server of servers) (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen<T extends Server>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function connectTo(port: number): Http1Connection {
  const connection = new Http1Connection({
    secure: false,
    host: '127.0.0.1',
    port,
    rejectUnauthorized: true,
  });
  connections.push(connection);
  return connection;
}

const get = (path: string, extra: Partial<Http1Request> = {}): Http1Request => ({
  method: 'GET',
  path,
  authority: 'platform.test',
  headers: { Accept: 'application/json' },
  timeoutMs: 5_000,
  ...extra,
});

const text = (response: { body: Buffer }) => response.body.toString('utf8');

describe('Http1Connection', () => {
  it('answers pipelined GETs in order over one connection', async () => {
    const sockets = new Set<Socket>();
    const server = createHttpServer((req, res) => {
      sockets.add(req.socket);
      // The first answer is the slow one: answers must still come back to the right requests.
      setTimeout(() => res.end(`answer to ${req.url}`), req.url === '/slow' ? 50 : 0);
    });
    const connection = connectTo(await listen(server));
    const answers = await Promise.all([connection.request(get('/slow')), connection.request(get('/fast'))]);
    expect(answers.map(text)).toEqual(['answer to /slow', 'answer to /fast']);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    expect(sockets.size).toBe(1);
  });

  it('reads chunked bodies and sends the Host and request headers', async () => {
    let seen: IncomingMessage | undefined;
    const server = createHttpServer((req, res: ServerResponse) => {
      seen = req;
      res.write('{"items":');
      res.write('[1,2,');
      res.end('3]}');
    });
    const connection = connectTo(await listen(server));
    const response = await connection.request(get('/list?limit=3'));
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(JSON.parse(text(response))).toEqual({ items: [1, 2, 3] });
    expect(seen?.headers.host).toBe('platform.test');
    expect(seen?.headers.accept).toBe('application/json');
    expect(seen?.url).toBe('/list?limit=3');
  });

  it('sends a request again on a new connection when the server closes before answering it', async () => {
    let connectionsSeen = 0;
    const server = createHttpServer((req, res) => {
      res.setHeader('Connection', 'close');
      res.end(`answer to ${req.url}`);
    });
    server.on('connection', () => connectionsSeen++);
    const connection = connectTo(await listen(server));
    const answers = await Promise.all(['/a', '/b', '/c'].map((p) => connection.request(get(p))));
    expect(answers.map(text)).toEqual(['answer to /a', 'answer to /b', 'answer to /c']);
    expect(connectionsSeen).toBe(3);
  });

  it('never pipelines a request that is not idempotent', async () => {
    const order: string[] = [];
    const server = createHttpServer((req, res) => {
      order.push(`start ${req.method} ${req.url}`);
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () =>
        setTimeout(() => {
          order.push(`end ${req.method} ${req.url}`);
          res.end(body || 'ok');
        }, 20),
      );
    });
    const connection = connectTo(await listen(server));
    const payload = '{"kind":"Workspace"}';
    const [first, created, after] = await Promise.all([
      connection.request(get('/one')),
      connection.request(
        get('/create', {
          method: 'POST',
          body: payload,
          headers: { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) },
        }),
      ),
      connection.request(get('/two')),
    ]);
    expect([text(first), text(created), text(after)]).toEqual(['ok', payload, 'ok']);
    expect(order).toEqual([
      'start GET /one',
      'end GET /one',
      'start POST /create',
      'end POST /create',
      'start GET /two',
      'end GET /two',
    ]);
  });

  it('reads a body that runs until the server closes the connection', async () => {
    const server = createTcpServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it')),
    );
    const connection = connectTo(await listen(server));
    expect(text(await connection.request(get('/')))).toBe('all of it');
  });

  it('never takes bytes sent between requests for the next answer', async () => {
    let connectionsSeen = 0;
    const server = createTcpServer((socket) => {
      const n = ++connectionsSeen;
      socket.once('data', () => {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${n}`);
        setTimeout(() => socket.write('HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n'), 20);
      });
    });
    const connection = connectTo(await listen(server));
    expect(text(await connection.request(get('/a')))).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 60));
    const second = await connection.request(get('/b'));
    expect([second.statusCode, text(second)]).toEqual([200, '2']);
  });

  it('fails the request, without crashing, when the answer is not HTTP', async () => {
    const server = createTcpServer((socket) =>
      socket.once('data', () => socket.write('SSH-2.0-OpenSSH\r\n\r\n')),
    );
    const connection = connectTo(await listen(server));
    await expect(connection.request(get('/'))).rejects.toThrow('not an HTTP/1.1 response');
  });

  it('fails every waiting request with the connection error when nothing listens', async () => {
    const port = await listen(createTcpServer());
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const connection = connectTo(port);
    const results = await Promise.allSettled([connection.request(get('/a')), connection.request(get('/b'))]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason.code).toBe('ECONNREFUSED');
    }
  });

  it('gives up after the timeout when no answer comes', async () => {
    const server = createTcpServer((socket) => socket.resume());
    const connection = connectTo(await listen(server));
    await expect(connection.request(get('/', { timeoutMs: 100 }))).rejects.toThrow('no answer within 0.1s');
  });
});

describe('ResponseParser', () => {
  const stream = [
    'HTTP/1.1 100 Continue\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Twice: a\r\nx-twice: b\r\n\r\nhello',
    'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{"a"\r\n3\r\n:1}\r\n0\r\nTrailer: x\r\n\r\n',
    'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok',
  ].join('');
  const expected = [
    { statusCode: 200, body: 'hello', twice: 'a, b' },
    { statusCode: 204, body: '' },
    { statusCode: 403, body: '{"a":1}' },
    { statusCode: 200, body: 'ok' },
  ];

  it('reads the same responses however the bytes are split', () => {
    const bytes = Buffer.from(stream, 'latin1');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
        (cuts) => {
          const parser = new ResponseParser();
          const got: { statusCode: number; body: string; twice?: string }[] = [];
          const edges = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          for (let i = 1; i < edges.length; i++) {
            parser.push(bytes.subarray(edges[i - 1], edges[i]));
            for (let response = parser.next('GET'); response; response = parser.next('GET')) {
              const twice = response.headers['x-twice'];
              got.push({
                statusCode: response.statusCode,
                body: response.body.toString(),
                ...(twice ? { twice } : {}),
              });
            }
          }
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses what is not HTTP/1.x', () => {
    const parser = new ResponseParser();
    parser.push(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'));
    expect(() => parser.next('GET')).toThrow('not an HTTP/1.1 response');
  });
});
