// Serves examples/ as an embedding host on one or more ports (each port is its own origin),
// pointing the example at the opsux server given, under a strict Content-Security-Policy that
// allows only that server: proof that the widget needs nothing else from its host.
//
//   node tests/embed-host.mjs --server http://127.0.0.1:8080 --port 8081 [--port 8082 …]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'examples');
const args = process.argv.slice(2);
const ports = [];
let server = 'http://127.0.0.1:8080';
for (let i = 0; i < args.length; i += 2) {
  if (args[i] === '--port') ports.push(Number(args[i + 1]));
  else if (args[i] === '--server') server = args[i + 1].replace(/\/$/, '');
  else throw new Error(`unknown argument ${args[i]}`);
}
if (ports.length === 0) throw new Error('give at least one --port');

const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const csp = [
  "default-src 'none'",
  `script-src 'self' ${server} 'wasm-unsafe-eval'`,
  `style-src 'self' ${server}`,
  `connect-src ${server}`,
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

async function handle(req, res) {
  const path = new URL(req.url, 'http://host').pathname;
  const name = path === '/' ? 'embed.html' : normalize(path).replace(/^[/\\]+/, '');
  if (name.includes('..') || !types[extname(name)]) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  try {
    let body = await readFile(join(root, name), 'utf8');
    body = body.replaceAll('http://127.0.0.1:8080', server);
    res.writeHead(200, {
      'content-type': types[extname(name)],
      'content-security-policy': csp,
      'cache-control': 'no-cache',
    });
    res.end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}

for (const port of ports) {
  createServer(handle).listen(port, '127.0.0.1', () => {
    console.log(`embedding host: http://127.0.0.1:${port}/ (widget from ${server})`);
  });
}
