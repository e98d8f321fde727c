// A link with a weak signal, for the benchmarks: a TCP proxy on 127.0.0.1 in front of `target`
// with one downlink shared by every connection (`downKbit`, so the page, its files and the
// offline worker's own fetches queue for the same bandwidth, as on a phone) and `rttMs` of
// round trip (half each way). Connections with bytes waiting take turns a packet at a time, as
// TCP flows through one bottleneck share it roughly fairly. DevTools' network emulation is per
// request and does not reach the worker's fetches, so it cannot stand in for this.
import net from 'node:net';

export async function startShapingProxy(target, { downKbit = 400, rttMs = 400 } = {}) {
  const { hostname, port } = new URL(target);
  const bytesPerMs = (downKbit * 1000) / 8 / 1000;
  const oneWay = rttMs / 2;
  const PACKET = 1460;
  // Connections with bytes waiting for the downlink, in turn.
  const waiting = [];
  let sending = false;
  function sendNext() {
    const flow = waiting.shift();
    if (!flow) {
      sending = false;
      return;
    }
    sending = true;
    const packet = flow.queue[0].subarray(0, PACKET);
    flow.queue[0] = flow.queue[0].subarray(packet.length);
    if (!flow.queue[0].length) flow.queue.shift();
    if (flow.queue.length) waiting.push(flow);
    else flow.drained();
    setTimeout(() => {
      setTimeout(() => flow.client.write(packet), oneWay);
      sendNext();
    }, packet.length / bytesPerMs);
  }
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // Up: only the latency (requests are small).
    client.on('data', (chunk) => setTimeout(() => upstream.write(chunk), oneWay));
    client.on('end', () => setTimeout(() => upstream.end(), oneWay));
    // Down: through the shared bottleneck, then the latency.
    const flow = { client, queue: [], drained: () => {}, ended: false };
    flow.drained = () => {
      if (flow.ended) setTimeout(() => client.end(), oneWay + 1);
    };
    upstream.on('data', (chunk) => {
      if (!flow.queue.length) waiting.push(flow);
      flow.queue.push(chunk);
      if (!sending) sendNext();
    });
    upstream.on('end', () => {
      flow.ended = true;
      if (!flow.queue.length) flow.drained();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
