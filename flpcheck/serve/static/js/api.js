// The JSON API of flpcheck serve (API.md). Every call resolves to the parsed JSON body, or
// rejects with an ApiError carrying the HTTP status and the server's {"error": ...} message.

export class ApiError extends Error {
  constructor(status, message, body = null) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function get(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, 'the server does not answer (' + err.message + ')');
  }
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    throw new ApiError(response.status, 'not JSON: HTTP ' + response.status);
  }
  if (!response.ok) throw new ApiError(response.status, (body && body.error) || 'HTTP ' + response.status, body);
  return body;
}

const q = (params) => Object.entries(params)
  .filter(([, v]) => v !== undefined && v !== null)
  .map(([k, v]) => encodeURIComponent(k) + '=' + (Array.isArray(v) ? v.join(',') : encodeURIComponent(v)))
  .join('&');

// a small cache for answers that cannot change once the graph is explored
const cache = new Map();
function cached(key, fetcher, keep) {
  if (cache.has(key)) return cache.get(key);
  const p = fetcher().then((body) => { if (!keep(body)) cache.delete(key); return body; },
    (err) => { cache.delete(key); throw err; });
  cache.set(key, p);
  return p;
}

export const api = {
  status: () => get('/api/status'),
  config: (inputs, path) => cached('config?' + q({ inputs, path }),
    () => get('/api/config?' + q({ inputs, path })), (b) => b.explored),
  witness: () => cached('witness', () => get('/api/witness'), () => true),
  lemma2: () => cached('lemma2', () => get('/api/lemma2'), () => true),
  lemma3: (inputs, path, event) => cached('lemma3?' + q({ inputs, path, event }),
    () => get('/api/lemma3?' + q({ inputs, path, event })), () => true),
  adversary: (inputs, path, event) => cached('adversary?' + q({ inputs, path, event }),
    () => get('/api/adversary?' + q({ inputs, path, event })), () => true),
  get: (url) => get(url),
  clear: () => cache.clear(),
};
