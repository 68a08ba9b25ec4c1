// check.mjs FILE... — validate the events the integration suites produced
// against docs/asyncapi.yaml. Each FILE holds JSON lines written by
// tests/harness_events.c, one per outbox entry:
//
//   {"run": "<the test's redis dir>", "stream": "sm:{intake}:outbox",
//    "entry": "<stream id>", "type": "intake.case.created",
//    "event": {<the envelope as the hub relays it, with seq and epoch>}
//    | "raw": "<the stored text when it is not a JSON object>",
//    "exempt": "<why>" (a suite of the bus itself, writing made-up events)}
//
// An entry is checked once however often it was written (a stack dumps its
// outboxes whenever its Redis stops). Each event must: be a JSON object;
// carry the entry's type; come from its stream's owner (source <owner> on
// sm:{<owner>}:outbox; any source on sm:{ingest}:outbox); have a channel
// evt.<type>; and match that channel's message payload (the envelope and
// the data schema); a type without a channel of its own may match a family
// channel (an address with parameters) instead. Prints every distinct violation with a count and an
// example; exit status 1 when there is one, or when no event was read.
import { readFileSync } from 'node:fs';

import {
  ASYNCAPI,
  INGEST_STREAM,
  buildAjv,
  channelsByType,
  familyChannels,
  loadDocument,
} from './contracts.mjs';

const SHOWN_MAX = 60; // distinct violations printed

const doc = loadDocument();
const byType = channelsByType(doc);
const families = familyChannels(doc);
const ajv = buildAjv(doc);
const validators = new Map(); // type → [validate functions], [] for none

// The messages an event of type must match: its own channel's; for a type
// without one, those of the families it belongs to (e.g. an inventory event
// carrying budget_reservation, until inventory documents its types).
function validatorsOf(type) {
  if (!validators.has(type)) {
    const messages =
      byType.get(type)?.messages ?? families.filter((f) => f.regex.test(type)).flatMap((f) => f.messages);
    validators.set(
      type,
      messages.map((m) => ajv.getSchema(`asyncapi#/components/messages/${m}/payload`)),
    );
  }
  return validators.get(type);
}

const violations = new Map(); // text → {count, example}
function violation(line, text) {
  const known = violations.get(text);
  if (known) {
    known.count++;
  } else {
    violations.set(text, { count: 1, example: `${line.stream} ${line.entry} (${line.run})` });
  }
}

function ajvText(errors) {
  return (errors ?? [])
    .filter((e) => e.keyword !== 'allOf' && e.keyword !== 'anyOf' && e.keyword !== 'if')
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`)
    .join('; ');
}

function check(line, counts) {
  const event = line.event;
  const type = line.type;
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    violation(line, `${type}: the stored envelope is not a JSON object`);
    return;
  }
  if (event.type !== type) {
    violation(line, `${type}: the envelope's type is ${JSON.stringify(event.type)}`);
  }
  const owner = /^sm:\{(.+)\}:outbox$/.exec(line.stream)?.[1];
  if (line.stream !== INGEST_STREAM && event.source !== owner) {
    violation(line, `${type}: source ${JSON.stringify(event.source)} on ${line.stream} (expected "${owner}")`);
  }
  const checks = validatorsOf(type);
  if (!checks.length) {
    violation(line, `${type}: no channel evt.${type} in ${ASYNCAPI} (stream ${line.stream})`);
    return;
  }
  if (!checks.some((validate) => validate(event))) {
    violation(line, `${type}: ${ajvText(checks[0].errors)}`);
  }
  counts.set(type, (counts.get(type) ?? 0) + 1);
}

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: check-events FILE...');
  process.exit(2);
}
const seen = new Set();
const counts = new Map(); // type → events checked
let exempt = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    console.log(`check-events: ${file}: ${e.message}`);
    process.exit(1);
  }
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) {
      return;
    }
    let line;
    try {
      line = JSON.parse(raw);
    } catch {
      violation({ stream: file, entry: `line ${i + 1}`, run: '-' }, 'a line that is not JSON');
      return;
    }
    const key = `${line.run}\u0000${line.stream}\u0000${line.entry}`;
    if (seen.has(key)) {
      return;
    }
    seen.add(key);
    if (line.exempt) {
      exempt++;
    } else {
      check(line, counts);
    }
  });
}

let shown = 0;
for (const [text, { count, example }] of violations) {
  if (shown++ < SHOWN_MAX) {
    console.log(`check-events: ${text} [${count}x, e.g. ${example}]`);
  }
}
const unseen = [...byType.keys()].filter((t) => !counts.has(t)).length;
const summary =
  `${seen.size - exempt} events of ${counts.size} types checked against ${ASYNCAPI}` +
  ` (${exempt} exempt; ${unseen} documented types not produced by these tests)`;
if (violations.size) {
  const n = [...violations.values()].reduce((a, v) => a + v.count, 0);
  console.log(`check-events: FAILED: ${n} events break their contract (${violations.size} distinct); ${summary}`);
  process.exit(1);
}
if (seen.size - exempt === 0) {
  console.log(`check-events: FAILED: no event to check in ${files.join(' ')} (did the suites run with SM_EVENTS_LOG?)`);
  process.exit(1);
}
console.log(`check-events: ok: ${summary}`);
