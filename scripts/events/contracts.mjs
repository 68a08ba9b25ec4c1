// contracts.mjs — what lint.mjs and check.mjs share: docs/asyncapi.yaml as
// a map from event type to its channel and message, the event types the
// producers' headers (libcommon/events/*.h) define, and one Ajv instance
// holding the document's schemas.
//
// The packages come from the directory in $SM_EVENTS_DEPS (.cache/events,
// filled by scripts/events/ensure-deps from package-lock.json).
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const deps = process.env.SM_EVENTS_DEPS;
if (!deps) {
  throw new Error('SM_EVENTS_DEPS is not set: run through scripts/lint-events or scripts/check-events');
}
export const require = createRequire(join(deps, 'package.json'));

export const ASYNCAPI = 'docs/asyncapi.yaml';
export const HEADERS = 'libcommon/events';
export const INGEST_STREAM = 'sm:{ingest}:outbox';

// The document, parsed as YAML (no validation: lint.mjs does that).
export function loadDocument(path = ASYNCAPI) {
  const YAML = require('yaml');
  return YAML.parse(readFileSync(path, 'utf8'), { maxAliasCount: -1 });
}

// The type a channel address names: "evt.intake.case.created" →
// "intake.case.created"; null for a family ("evt.{producer}.{entity}.{verb}")
// or anything not "evt.<type>".
export function channelType(address) {
  if (typeof address !== 'string' || !address.startsWith('evt.') || address.includes('{')) {
    return null;
  }
  return address.slice(4);
}

// Map of event type → {channel, messages: [message name]} for every
// channel naming one type. Throws when two channels name the same type.
export function channelsByType(doc) {
  const byType = new Map();
  for (const [name, channel] of Object.entries(doc.channels ?? {})) {
    const type = channelType(channel?.address);
    if (!type) {
      continue;
    }
    if (byType.has(type)) {
      throw new Error(`channels ${byType.get(type).channel} and ${name} both carry ${type}`);
    }
    const messages = Object.values(channel.messages ?? {}).map((m) => {
      const ref = m?.$ref ?? '';
      return ref.startsWith('#/components/messages/') ? ref.slice(22) : null;
    });
    byType.set(type, { channel: name, messages });
  }
  return byType;
}

// The channels whose address has parameters ("evt.{producer}.{entity}.{verb}"):
// what a consumer expects of a family of types. [{channel, regex, messages}]
// where regex matches the types of the family (a parameter with an enum
// takes one of its values, any other one dotless word).
export function familyChannels(doc) {
  const families = [];
  for (const [name, channel] of Object.entries(doc.channels ?? {})) {
    const address = channel?.address;
    if (typeof address !== 'string' || !address.startsWith('evt.') || !address.includes('{')) {
      continue;
    }
    const pattern = address
      .slice(4)
      .split(/(\{[a-z_]+\})/)
      .map((part) => {
        const param = /^\{([a-z_]+)\}$/.exec(part)?.[1];
        if (!param) {
          return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        }
        const values = channel.parameters?.[param]?.enum;
        return values ? `(?:${values.join('|')})` : '[a-z0-9_-]+';
      })
      .join('');
    const messages = Object.values(channel.messages ?? {}).map((m) => (m?.$ref ?? '').slice(22));
    families.push({ channel: name, regex: new RegExp(`^${pattern}$`), messages });
  }
  return families;
}

// Every `#define <NAME> "<value>"` of the headers, continuation lines
// joined: [{file, name, value, prefix}] where prefix is true for a value
// ending in "." (a family of types, not a type).
export function headerConstants(dir = HEADERS) {
  const found = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.h')).sort()) {
    const text = readFileSync(join(dir, file), 'utf8').replace(/\\\n\s*/g, ' ');
    for (const m of text.matchAll(/^#define\s+([A-Z0-9_]+)\s+"([^"]*)"\s*$/gm)) {
      found.push({ file: join(dir, file), name: m[1], value: m[2], prefix: m[2].endsWith('.') });
    }
  }
  return found;
}

// An Ajv instance (formats on, strict off: AsyncAPI documents carry keys a
// JSON Schema does not know) holding the document under the id "asyncapi",
// so "asyncapi#/components/messages/<name>/payload" compiles with every
// internal $ref resolved.
export function buildAjv(doc) {
  const Ajv = require('ajv');
  const addFormats = require('ajv-formats');
  const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'asyncapi', components: doc.components }, 'asyncapi');
  return ajv;
}
