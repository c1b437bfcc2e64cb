import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * The person at the browser of the dev OpenID provider, played by HTTP requests (for tests, benchmarks and
 * scripted demos): follows redirects with a cookie jar, fills in the OpenID
 * provider's login form with a user name and submits every other form it meets as it is (consent, "is this your
 * device?"), until a page with no form: the provider's "you may close this window", or kplane's loopback page.
 */
export interface BrowserVisit {
  /** The last URL visited and its status; its body is the page that ended the visit. */
  url: string;
  status: number;
  body: string;
  /** Every URL visited, in order. */
  visited: string[];
}

interface Page {
  status: number;
  location?: string;
  setCookies: string[];
  body: string;
}

export async function signInAs(startUrl: string, username: string, ca: string): Promise<BrowserVisit> {
  const cookies = new Map<string, string>();
  const visited: string[] = [];
  let next: { url: string; method: string; form?: URLSearchParams } = { url: startUrl, method: 'GET' };
  for (let step = 0; step < 30; step++) {
    visited.push(next.url);
    const page = await fetchPage(next.url, next.method, next.form, cookies, ca);
    for (const header of page.setCookies) {
      const [pair] = header.split(';');
      const at = pair!.indexOf('=');
      if (at > 0) cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
    }
    if (page.status >= 300 && page.status < 400 && page.location) {
      next = { url: new URL(page.location, next.url).href, method: 'GET' };
      continue;
    }
    const form = firstForm(page.body);
    if (page.status !== 200 || !form) return { url: next.url, status: page.status, body: page.body, visited };
    if (form.fields.get('prompt') === 'login') {
      form.fields.set('login', username);
      form.fields.set('password', 'any');
    }
    next = {
      url: new URL(form.action, next.url).href,
      method: 'POST',
      form: new URLSearchParams([...form.fields]),
    };
  }
  throw new Error(`sign-in did not finish in 30 steps: ${visited.join(' -> ')}`);
}

function fetchPage(
  url: string,
  method: string,
  form: URLSearchParams | undefined,
  cookies: Map<string, string>,
  ca: string,
): Promise<Page> {
  const target = new URL(url);
  const body = form?.toString();
  const headers: Record<string, string> = { Accept: 'text/html' };
  if (cookies.size > 0) headers.Cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, ...(target.protocol === 'https:' ? { ca } : {}) }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          setCookies: res.headers['set-cookie'] ?? [],
          body: text,
        }),
      );
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${url} within 10s`)));
    req.on('error', reject);
    req.end(body);
  });
}

function firstForm(html: string): { action: string; fields: Map<string, string> } | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const action = /\saction="([^"]*)"/i.exec(form[1]!)?.[1] ?? '';
  const fields = new Map<string, string>();
  for (const input of form[2]!.matchAll(/<input\b([^>]*)>/gi)) {
    const name = /\sname="([^"]*)"/i.exec(input[1]!)?.[1];
    if (!name) continue;
    fields.set(name, decodeEntities(/\svalue="([^"]*)"/i.exec(input[1]!)?.[1] ?? ''));
  }
  return { action: decodeEntities(action), fields };
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
