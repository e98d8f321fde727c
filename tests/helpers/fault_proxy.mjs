// A loopback proxy in front of the real server that breaks report submissions on purpose, the
// way networks and servers do: a 500 instead of the server, or the server's reply lost after it
// stored the report. Everything else passes through untouched.
import http from 'node:http';

/**
 * Starts the proxy for `target` (the server's URL). `plan(n)` decides what happens to the n-th
 * report submission (from 1): 'pass'; 'fail-500'; 'wifi-sign-in' (a 200 HTML page, as hotel Wi-Fi
 * answers before you sign in); 'busy-429' or 'busy-503' (too many requests, or unavailable, with
 * `Retry-After: 30`); 'hang' (never answer, never forward);
 * 'commit-then-hang' (the server stores it, its answer is held back forever); or
 * 'commit-then-drop' (the server stores it, the connection is cut in the middle of its answer).
 * Returns
 * `{ url, submissions: () => number, stop }`.
 */
export async function startFaultProxy(target, plan) {
  let submissions = 0;
  const upstream = new URL(target);
  const server = http.createServer((request, response) => {
    const isSubmission = request.method === 'POST' && request.url.startsWith('/api/v1/reports');
    const fault = isSubmission ? plan(++submissions) : 'pass';
    if (fault === 'hang') {
      request.resume();
      return; // Never answer: the phone's own time limit has to end the wait.
    }
    if (fault === 'wifi-sign-in') {
      request.resume();
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>Hotel Wi-Fi</title><h1>Sign in to use the Wi-Fi</h1>');
      return;
    }
    if (fault === 'busy-429' || fault === 'busy-503') {
      request.resume();
      response.writeHead(fault === 'busy-429' ? 429 : 503, { 'content-type': 'application/json', 'retry-after': '30' });
      response.end(JSON.stringify({ error: 'busy', message: 'Injected: try again in 30 seconds.' }));
      return;
    }
    if (fault === 'fail-500') {
      request.resume();
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'internal', message: 'Injected fault.' }));
      return;
    }
    const forwarded = http.request(
      { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers },
      (reply) => {
        if (fault === 'commit-then-hang') {
          reply.resume(); // Stored, but the answer never comes.
          return;
        }
        if (fault === 'commit-then-drop') {
          // Wait for the whole reply (the server has committed), then lose it after its first
          // bytes. (Cut before any byte, Chromium itself would resend the request on a reused
          // connection, and the app's own retry would not be exercised.)
          reply.resume();
          reply.on('end', () => {
            response.writeHead(reply.statusCode, reply.headers);
            response.flushHeaders();
            setTimeout(() => request.socket.destroy(), 50);
          });
          return;
        }
        response.writeHead(reply.statusCode, reply.headers);
        reply.pipe(response);
      },
    );
    forwarded.on('error', () => request.socket.destroy());
    request.pipe(forwarded);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    submissions: () => submissions,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
