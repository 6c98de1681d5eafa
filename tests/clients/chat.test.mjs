// Chat completions and embeddings through the npm SDKs, each with its defaults: openai, LangChain's ChatOpenAI,
// the Vercel AI SDK's chat provider. The blocks marked "docs/clients.md" are the snippets of that page, verbatim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { ChatOpenAI } from '@langchain/openai';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import { GATEWAY, norm, assertWeatherArguments, weatherParameters } from './gateway.mjs';

test('openai npm: chat.completions.create with model auto', async () => {
  // docs/clients.md: OpenAI npm
  const client = new OpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });
  const completion = await client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'What is the capital of France?' }],
  });
  console.log(completion.choices[0].message.content);
  // end

  assert.match(completion.choices[0].message.content, /capital of France/);
  assert.ok(completion.usage.prompt_tokens > 0);
  assert.ok(completion.usage.completion_tokens > 0);
});

test('openai npm: streamed chat with usage last', async () => {
  const client = new OpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini-sim',
    messages: [{ role: 'user', content: 'Count to five.' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let usage;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta?.content ?? '';
    usage = chunk.usage ?? usage;
  }

  assert.match(text, /Count to five\./);
  assert.ok(chunks > 3, `${chunks} chunks`);
  assert.ok(usage.completion_tokens > 0);
});

test('openai npm: tools, a tool call, its result, then a text answer', async () => {
  const client = new OpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });
  const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: weatherParameters, strict: true } }];
  const messages = [{ role: 'user', content: "What's the weather in Paris?" }];

  const first = await client.chat.completions.create({ model: 'auto', messages, tools });
  const call = first.choices[0].message.tool_calls[0];
  messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temperature_c":21}' });
  const second = await client.chat.completions.create({ model: 'auto', messages, tools });

  assert.equal(first.choices[0].finish_reason, 'tool_calls');
  assert.equal(call.function.name, 'get_weather');
  assert.equal(assertWeatherArguments(call.function.arguments).location, 'Paris');
  assert.equal(second.choices[0].finish_reason, 'stop');
  assert.ok(second.choices[0].message.content.length > 0);
});

test('openai npm: streamed tool call (tool_choice required) assembles from deltas', async () => {
  const client = new OpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });
  const stream = client.chat.completions.stream({
    model: 'auto',
    messages: [{ role: 'user', content: 'Tell me a joke' }],
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: weatherParameters } }],
    tool_choice: 'required',
  });
  const completion = await stream.finalChatCompletion();
  const call = completion.choices[0].message.tool_calls[0];

  assert.equal(completion.choices[0].finish_reason, 'tool_calls');
  assert.match(call.id, /^call_/);
  assert.equal(call.function.name, 'get_weather');
  assertWeatherArguments(call.function.arguments);
});

test('openai npm: response_format json_schema parses to the schema', async () => {
  const client = new OpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });
  const schema = {
    type: 'object',
    properties: { title: { type: 'string' }, rating: { type: 'integer', minimum: 1, maximum: 5 }, tags: { type: 'array', items: { type: 'string' } } },
    required: ['title', 'rating', 'tags'],
    additionalProperties: false,
  };

  const completion = await client.chat.completions.create({
    model: 'auto',
    messages: [{ role: 'user', content: 'Review the film Alien' }],
    response_format: { type: 'json_schema', json_schema: { name: 'review', strict: true, schema } },
  });
  const review = JSON.parse(completion.choices[0].message.content);

  assert.deepEqual(Object.keys(review).sort(), ['rating', 'tags', 'title']);
  assert.equal(typeof review.title, 'string');
  assert.ok(Number.isInteger(review.rating) && review.rating >= 1 && review.rating <= 5);
  assert.ok(Array.isArray(review.tags));
});

test('openai npm: n = 2 gives two choices', async () => {
  const client = new OpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });

  const completion = await client.chat.completions.create({ model: 'auto', n: 2, messages: [{ role: 'user', content: 'Name a colour' }] });

  assert.deepEqual(completion.choices.map((c) => c.index), [0, 1]);
  for (const choice of completion.choices) {
    assert.match(choice.message.content, /Name a colour/);
  }
});

test('openai npm: embeddings default (base64 on the wire) equal the float answer', async () => {
  // docs/clients.md: OpenAI npm embeddings
  const client = new OpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });
  const { data } = await client.embeddings.create({ model: 'text-embedding-3-small-sim', input: 'The same sentence.' });
  // end
  const floats = await client.embeddings.create({ model: 'text-embedding-3-small-sim', input: 'The same sentence.', encoding_format: 'float' });

  // The SDK decodes base64 into float32 values; the float answer's JSON numbers are the same float32 values
  // printed shortest-round-trip, so they compare equal after rounding to float32 (Math.fround).
  assert.equal(data[0].embedding.length, 256);
  assert.deepEqual(data[0].embedding, floats.data[0].embedding.map(Math.fround));
  assert.ok(Math.abs(norm(data[0].embedding) - 1) < 1e-5);
});

test('openai npm: embeddings dimensions shortens and renormalises', async () => {
  const client = new OpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });

  const full = (await client.embeddings.create({ model: 'text-embedding-3-small-sim', input: 'Shorten me.' })).data[0].embedding;
  const short = (await client.embeddings.create({ model: 'text-embedding-3-small-sim', input: 'Shorten me.', dimensions: 64 })).data[0].embedding;
  const prefixNorm = norm(full.slice(0, 64));

  assert.equal(short.length, 64);
  assert.ok(Math.abs(norm(short) - 1) < 1e-5);
  short.forEach((x, i) => assert.ok(Math.abs(x - full[i] / prefixNorm) < 1e-5, `component ${i}`));
});

test('LangChain ChatOpenAI: invoke and stream', async () => {
  // docs/clients.md: LangChain
  const model = new ChatOpenAI({ model: 'auto', apiKey: 'any-key', configuration: { baseURL: `${GATEWAY}/v1` } });
  const answer = await model.invoke('What is the capital of France?');
  console.log(answer.content);
  // end
  let streamed = '';
  for await (const chunk of await model.stream('Count to five.')) {
    streamed += chunk.content;
  }

  assert.match(answer.content, /capital of France/);
  assert.match(streamed, /Count to five\./);
});

test('LangChain ChatOpenAI: bindTools gets a tool call', async () => {
  const model = new ChatOpenAI({ model: 'auto', apiKey: 'any-key', configuration: { baseURL: `${GATEWAY}/v1` } });
  const withTools = model.bindTools([{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: weatherParameters } }]);

  const message = await withTools.invoke("What's the weather in Paris?");

  assert.equal(message.tool_calls[0].name, 'get_weather');
  assert.equal(message.tool_calls[0].args.location, 'Paris');
});

test('Vercel AI SDK: generateText and streamText through createOpenAI().chat', async () => {
  // docs/clients.md: Vercel AI SDK (chat)
  const openai = createOpenAI({ baseURL: `${GATEWAY}/v1`, apiKey: 'any-key' });
  const { text, usage } = await generateText({ model: openai.chat('auto'), prompt: 'What is the capital of France?' });
  const result = streamText({ model: openai.chat('auto'), prompt: 'Count to five.' });
  let streamed = '';
  for await (const part of result.textStream) {
    streamed += part;
  }
  // end

  assert.match(text, /capital of France/);
  assert.ok(usage.inputTokens > 0 && usage.outputTokens > 0);
  assert.match(streamed, /Count to five\./);
  assert.ok((await result.usage).outputTokens > 0);
});
