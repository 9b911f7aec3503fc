// A webhook receiver for the end-to-end tests: records every POST (headers and body) and
// answers 200; `GET /received` lists what came, for a test to read.
//
//   node tests/webhook-receiver.mjs --port 4177
import { createServer } from 'node:http';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1]);
if (!port) throw new Error('give --port');

const received = [];

createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/received') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    received.push({
      path: req.url,
      id: req.headers['webhook-id'],
      timestamp: req.headers['webhook-timestamp'],
      signature: req.headers['webhook-signature'],
      body,
    });
    res.writeHead(200).end();
  });
}).listen(port, '127.0.0.1', () => {
  console.log(`webhook receiver: http://127.0.0.1:${port}/`);
});
