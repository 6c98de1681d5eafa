// A small, fast OpenAI-protocol upstream for bench/compare.sh: every POST to /v1/chat/completions gets the same canned
// chat.completion (or, with "stream":true, 10 SSE chunks, a usage chunk and [DONE]). No model runs, so its own time is
// near zero and what a gateway adds shows up as the difference from the "direct" row.
// Usage: node bench/upstream/upstream.js <port>
'use strict';
const http = require('node:http');

const port = Number(process.argv[2] || 18080);
const answer = Buffer.from(JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1, model: 'bench-upstream',
  choices: [{ index: 0, message: { role: 'assistant', content: 'The capital of France is Paris. It has been the capital since the 10th century.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 14, completion_tokens: 19, total_tokens: 33 },
}));
const chunk = (i) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: ` w${i}` }, finish_reason: null }] })}\n\n`;
const stream = Buffer.from(Array.from({ length: 10 }, (_, i) => chunk(i)).join('') +
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 14, completion_tokens: 10, total_tokens: 24 } })}\n\n` +
  'data: [DONE]\n\n');
const models = Buffer.from(JSON.stringify({ object: 'list', data: [{ id: 'bench-upstream', object: 'model', created: 1, owned_by: 'bench' }] }));

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url.endsWith('/models')) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': models.length });
    res.end(models);
    return;
  }

  const parts = [];
  req.on('data', (p) => parts.push(p));
  req.on('end', () => {
    const body = Buffer.concat(parts);
    if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
      return;
    }

    if (body.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-length': stream.length });
      res.end(stream);
      return;
    }

    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log(`upstream listening on http://127.0.0.1:${port}`));
