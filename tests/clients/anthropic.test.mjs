// The Anthropic Messages API (/v1/messages, /v1/messages/count_tokens) through @anthropic-ai/sdk with its defaults
// (x-api-key, anthropic-version). Needs issue 13 item 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { GATEWAY } from './gateway.mjs';

test('Anthropic SDK: messages.create with model auto', async () => {
  // docs/clients.md: Anthropic SDK
  const anthropic = new Anthropic({ baseURL: GATEWAY, apiKey: 'any-key' });
  const message = await anthropic.messages.create({
    model: 'auto',
    max_tokens: 256,
    system: 'Be brief.',
    messages: [{ role: 'user', content: 'What is the capital of France?' }],
  });
  console.log(message.content[0].text);
  // end

  assert.equal(message.type, 'message');
  assert.equal(message.role, 'assistant');
  assert.match(message.content[0].text, /capital of France/);
  assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
});

test('Anthropic SDK: messages.stream', async () => {
  const anthropic = new Anthropic({ baseURL: GATEWAY, apiKey: 'any-key' });
  const stream = anthropic.messages.stream({ model: 'auto', max_tokens: 256, messages: [{ role: 'user', content: 'Count to five.' }] });
  let text = '';
  stream.on('text', (delta) => {
    text += delta;
  });
  const final = await stream.finalMessage();

  assert.match(text, /Count to five\./);
  assert.equal(final.content[0].text, text);
  assert.ok(final.usage.output_tokens > 0);
});

test('Anthropic SDK: messages.countTokens', async () => {
  const anthropic = new Anthropic({ baseURL: GATEWAY, apiKey: 'any-key' });

  const count = await anthropic.messages.countTokens({ model: 'auto', messages: [{ role: 'user', content: 'What is the capital of France?' }] });

  assert.ok(count.input_tokens > 0);
});
