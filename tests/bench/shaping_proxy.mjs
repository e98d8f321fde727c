// A link with a weak signal, for the benchmarks: a TCP proxy on 127.0.0.1 in front of `target`
// with one downlink shared by every connection (`downKbit`, so the page, its files and the
// offline worker's own fetches queue for the same bandwidth, as on a phone) and `rttMs` of
// round trip (half each way). DevTools' network emulation is per request and does not reach the
// worker's fetches, so it cannot stand in for this. Two ways to share the downlink:
// - `fair` (the default): connections with bytes waiting take turns a packet at a time, as TCP
//   flows through one bottleneck share it roughly fairly;
// - `fifo`: every connection's bytes wait in one queue in the order they arrived, in a buffer of
//   `bufferBytes` (32 KiB); a connection whose bytes do not fit is paused until they do, as a
//   cellular bottleneck's buffer holds back a sender. What was asked first arrives first.
import net from 'node:net';

export async function startShapingProxy(target, { downKbit = 400, rttMs = 400, mode = 'fair', bufferBytes = 32 * 1024 } = {}) {
  const { hostname, port } = new URL(target);
  const bytesPerMs = (downKbit * 1000) / 8 / 1000;
  const oneWay = rttMs / 2;
  const PACKET = 1460;
  const link = mode === 'fifo' ? fifoLink(bufferBytes) : fairLink();
  let sending = false;
  function sendNext() {
    const next = link.next();
    if (!next) {
      sending = false;
      return;
    }
    sending = true;
    const { flow, packet } = next;
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
    const flow = { client, upstream, queue: [], drained: () => {}, ended: false };
    flow.drained = () => {
      if (flow.ended) setTimeout(() => client.end(), oneWay + 1);
    };
    upstream.on('data', (chunk) => {
      link.add(flow, chunk);
      if (!sending) sendNext();
    });
    upstream.on('end', () => {
      flow.ended = true;
      if (!link.holds(flow)) flow.drained();
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

/** Connections take turns a packet at a time. */
function fairLink() {
  const PACKET = 1460;
  const waiting = [];
  return {
    add(flow, chunk) {
      if (!flow.queue.length) waiting.push(flow);
      flow.queue.push(chunk);
    },
    holds: (flow) => flow.queue.length > 0,
    next() {
      const flow = waiting.shift();
      if (!flow) return null;
      const packet = flow.queue[0].subarray(0, PACKET);
      flow.queue[0] = flow.queue[0].subarray(packet.length);
      if (!flow.queue[0].length) flow.queue.shift();
      if (flow.queue.length) waiting.push(flow);
      else flow.drained();
      return { flow, packet };
    },
  };
}

/** One queue of bytes in arrival order, `bufferBytes` long; a sender that does not fit waits. */
function fifoLink(bufferBytes) {
  const PACKET = 1460;
  const queue = [];
  let queued = 0;
  const paused = [];
  return {
    add(flow, chunk) {
      queue.push({ flow, chunk });
      queued += chunk.length;
      flow.queue.push(chunk);
      if (queued > bufferBytes) {
        flow.upstream.pause();
        paused.push(flow);
      }
    },
    holds: (flow) => flow.queue.length > 0,
    next() {
      const head = queue[0];
      if (!head) return null;
      const packet = head.chunk.subarray(0, PACKET);
      head.chunk = head.chunk.subarray(packet.length);
      queued -= packet.length;
      if (!head.chunk.length) {
        queue.shift();
        head.flow.queue.shift();
        if (!head.flow.queue.length) head.flow.drained();
      }
      // Room again: the senders held back go on, first held first.
      while (paused.length && queued <= bufferBytes) paused.shift().upstream.resume();
      return { flow: head.flow, packet };
    },
  };
}
