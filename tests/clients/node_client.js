// SPDX-License-Identifier: Apache-2.0
// Test client: for each HOST, net.connect to HOST:PORT (Node's defaults: dns.lookup
// through libuv's getaddrinfo), sends "who\n" and prints
//   HOST identity=NAME remote=ADDRESS:PORT family=FAMILY
// where ADDRESS is socket.remoteAddress (Node calls getpeername). Exits 1 on failure.
//   node node_client.js PORT HOST...
'use strict';
const net = require('net');

function one(host, port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    const chunks = [];
    let remote = null;
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
    s.on('connect', () => {
      remote = `${s.remoteAddress}:${s.remotePort} family=${s.remoteFamily}`;
      s.write('who\n');
    });
    s.on('data', (d) => chunks.push(d));
    s.on('error', reject);
    s.on('close', (hadError) => {
      if (hadError) return;
      const text = Buffer.concat(chunks).toString('utf8').split('\n')[0].replace(/\r$/, '');
      resolve(`identity=${text} remote=${remote}`);
    });
  });
}

(async () => {
  const [port, ...hosts] = process.argv.slice(2);
  if (!port || hosts.length === 0) {
    console.error('usage: node node_client.js PORT HOST...');
    process.exit(2);
  }
  for (const h of hosts) {
    try {
      console.log(`${h} ${await one(h, Number(port))}`);
    } catch (e) {
      console.error(`node_client ${h}: ${e.message}`);
      process.exit(1);
    }
  }
})();
