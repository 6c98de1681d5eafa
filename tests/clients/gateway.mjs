// Where the gateway under test listens (set by .ci/steps/clients.sh), and small checks the test files share.
import assert from 'node:assert/strict';

export const GATEWAY = process.env.ROUTER_GATEWAY_URL ?? 'http://127.0.0.1:5000';

/** Euclidean length of a vector. */
export function norm(vector) {
  return Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
}

/** The first value of `weather`'s `location`/`unit` arguments, checked against the schema the tests send. */
export function assertWeatherArguments(json) {
  const args = JSON.parse(json);
  assert.equal(typeof args.location, 'string');
  assert.ok(['celsius', 'fahrenheit'].includes(args.unit), `unit ${args.unit}`);
  return args;
}

export const weatherParameters = {
  type: 'object',
  properties: {
    location: { type: 'string' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['location', 'unit'],
  additionalProperties: false,
};
