// The request target (`req.url`) turned into what routing and authorization decide on. Everything
// that names a workspace goes through here first, so `/clusters/root/../root:a/…`,
// `/clusters/root%3Aa/…`, `//clusters/root:a//…` and `/clusters/root:a/…/` all reach the same
// decision as `/clusters/root:a/…`: access is decided on the resolved logical cluster, never on
// the spelling of the URL.

export interface RequestTarget {
  /**
   * Path segments with empty ones dropped (double and trailing slashes) and dot segments resolved,
   * each percent-decoded exactly once; undefined where a segment does not decode.
   */
  segments: (string | undefined)[];
  query: URLSearchParams;
}

function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The path of an absolute-form target (`https://host/x`), else the target unchanged. */
function originForm(target: string): string {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  return absolute ? target.slice(absolute[0].length) : target;
}

export function parseRequestTarget(rawUrl: string): RequestTarget {
  const target = originForm(rawUrl.split('#', 1)[0] ?? '');
  const question = target.indexOf('?');
  const rawPath = question < 0 ? target : target.slice(0, question);
  const query = new URLSearchParams(question < 0 ? '' : target.slice(question + 1));
  const resolved: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    // `%2e%2e` is a dot segment too (as WHATWG URL parsing has it); `..` at the top stays at the top.
    const decoded = decodeSegment(raw);
    if (decoded === '.') continue;
    if (decoded === '..') {
      resolved.pop();
      continue;
    }
    resolved.push(raw);
  }
  return { segments: resolved.map(decodeSegment), query };
}
