// SPDX-License-Identifier: Apache-2.0
// The Node.js client of the compatibility matrix: kafkajs from npm (pinned in
// tests/matrix/package.json, installed by scripts/matrix-deps.sh; run with NODE_PATH set to
// that node_modules). Knows nothing about kshim. Same contract as my_client.c:
//   node kafkajs_client.js BOOTSTRAP TOPIC N RUNID SECONDS
// stdout: "PRODUCED <acked>", then "M\t<partition>\t<offset>\t<key>\t<value>" per record read
// back from the beginning of every partition, then "DONE". kafkajs has no assign(): the read
// uses a fresh consumer group and stops once every partition reaches its high watermark.
// MATRIX_CLIENT_CONFIG, when set, names a kafkajs config as JSON (kshim config --client node)
// whose ssl and sasl settings the client takes.
'use strict';
const { Kafka, Partitioners, logLevel } = require('kafkajs');

async function main() {
  const [bootstrap, topic, nArg, runid, secsArg] = process.argv.slice(2);
  const n = Number(nArg);
  const secs = Number(secsArg);
  if (!bootstrap || !topic || !(n > 0) || !runid || !(secs > 0)) {
    console.error('usage: node kafkajs_client.js BOOTSTRAP TOPIC N RUNID SECONDS');
    process.exit(2);
  }
  const deadline = Date.now() + secs * 1000;
  const half = secs * 500;
  const cfg = process.env.MATRIX_CLIENT_CONFIG;
  const security = cfg ? JSON.parse(require('fs').readFileSync(cfg, 'utf8')) : {};
  delete security.brokers;
  const kafka = new Kafka({
    ...security,
    clientId: 'kshim-matrix',
    brokers: bootstrap.split(','),
    logLevel: logLevel.WARN,
    connectionTimeout: 3000,
    requestTimeout: half,
    retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 2000 },
  });

  let acked = 0;
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await producer.connect();
    const batch = 250;
    for (let i = 0; i < n; i += batch) {
      const messages = [];
      for (let j = i; j < Math.min(n, i + batch); j++) messages.push({ key: `k${j}`, value: `${runid}:${j}` });
      const res = await producer.send({ topic, acks: -1, timeout: half, messages });
      if (res.length > 0) acked += messages.length;
    }
  } catch (e) {
    console.error(`kafkajs_client: delivery failed: ${e.name}: ${e.message}`);
  }
  await producer.disconnect().catch(() => {});
  console.log(`PRODUCED ${acked}`);
  if (acked === 0) {
    console.log('DONE');
    return;
  }

  const admin = kafka.admin();
  await admin.connect();
  const end = new Map();
  for (const o of await admin.fetchTopicOffsets(topic)) end.set(o.partition, BigInt(o.high));
  await admin.disconnect();

  const lines = [];
  const pos = new Map();
  for (const p of end.keys()) pos.set(p, 0n);
  const done = () => [...end].every(([p, high]) => pos.get(p) >= high);
  const consumer = kafka.consumer({ groupId: `${runid}-kafkajs`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let finish;
  const finished = new Promise((resolve) => { finish = resolve; });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      lines.push(`M\t${partition}\t${message.offset}\t${message.key}\t${message.value}`);
      pos.set(partition, BigInt(message.offset) + 1n);
      if (done()) finish();
    },
  });
  if (!done()) {
    const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
    await finished;
    clearTimeout(timer);
  }
  if (!done()) console.error('kafkajs_client: deadline: not every partition read to its end');
  await consumer.disconnect().catch(() => {});
  console.log(lines.join('\n'));
  console.log('DONE');
}

main().catch((e) => {
  console.error(`kafkajs_client: ${e.name}: ${e.message}`);
  process.exit(1);
});
