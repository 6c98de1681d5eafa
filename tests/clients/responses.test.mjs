// The Responses API (/v1/responses) through the npm SDKs: openai's responses.*, the Vercel AI SDK's default OpenAI
// provider (which speaks Responses) and LangChain's ChatOpenAI with useResponsesApi.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { ChatOpenAI } from '@langchain/openai';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import { GATEWAY, assertWeatherArguments, weatherParameters } from './gateway.mjs';

test('openai npm: responses.create, retrieve, input_items, previous_response_id, delete then 404', async () => {
  // docs/clients.md: OpenAI npm Responses
  const client = new OpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });
  const response = await client.responses.create({ model: 'auto', input: 'What is the capital of France?' });
  console.log(response.output_text);
  const followUp = await client.responses.create({ model: 'auto', input: 'And of Spain?', previous_response_id: response.id });
  // end

  assert.match(response.output_text, /capital of France/);
  assert.ok(response.usage.input_tokens > 0 && response.usage.output_tokens > 0);
  assert.equal(response.usage.total_tokens, response.usage.input_tokens + response.usage.output_tokens);
  assert.ok(followUp.usage.input_tokens > response.usage.input_tokens, 'the follow-up carries the history');

  const stored = await client.responses.retrieve(response.id);
  assert.equal(stored.id, response.id);
  const items = await client.responses.inputItems.list(response.id);
  assert.ok(items.data.length >= 1);

  await client.responses.delete(response.id);
  await assert.rejects(client.responses.retrieve(response.id), (error) => error.status === 404);
});

test('openai npm: responses stream emits the typed event sequence', async () => {
  const client = new OpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });
  const stream = await client.responses.create({ model: 'auto', input: 'Count to five.', stream: true });
  const types = [];
  let text = '';
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'response.output_text.delta') {
      text += event.delta;
    }
  }

  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  for (const type of ['response.output_item.added', 'response.content_part.added', 'response.output_text.done', 'response.output_item.done']) {
    assert.ok(types.includes(type), type);
  }
  assert.match(text, /Count to five\./);
});

test('openai npm: responses function tool gives a function_call item', async () => {
  const client = new OpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });

  const response = await client.responses.create({
    model: 'auto',
    input: "What's the weather in Paris?",
    tools: [{ type: 'function', name: 'get_weather', description: 'Current weather for a city', parameters: weatherParameters, strict: true }],
  });
  const call = response.output.find((item) => item.type === 'function_call');

  assert.equal(call.name, 'get_weather');
  assertWeatherArguments(call.arguments);
});

test('Vercel AI SDK: default provider (Responses API) generateText and streamText', async () => {
  // docs/clients.md: Vercel AI SDK
  const openai = createOpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });
  const { text } = await generateText({ model: openai('auto'), prompt: 'What is the capital of France?' });
  const result = streamText({ model: openai('auto'), prompt: 'Count to five.' });
  let streamed = '';
  for await (const part of result.textStream) {
    streamed += part;
  }
  // end

  assert.match(text, /capital of France/);
  assert.match(streamed, /Count to five\./);
});

test('LangChain ChatOpenAI with useResponsesApi', async () => {
  const model = new ChatOpenAI({ model: 'auto', apiKey: 'any-key', useResponsesApi: true, configuration: { baseURL: `${GATEWAY}/v1` } });

  const answer = await model.invoke('What is the capital of France?');

  assert.match(answer.text, /capital of France/);
});
