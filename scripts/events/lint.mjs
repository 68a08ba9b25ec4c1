// lint.mjs — `make lint-events`: docs/asyncapi.yaml is a valid AsyncAPI 3.0
// document (@asyncapi/parser, the validation `asyncapi validate` runs), every
// message payload compiles as a JSON Schema (Ajv, as check.mjs uses it), the
// event types of libcommon/events/*.h and the channels name the same set,
// and no C source outside those headers spells an event type as a string
// literal. Prints what is wrong; exit status 1 when anything is.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

import {
  ASYNCAPI,
  HEADERS,
  buildAjv,
  channelType,
  channelsByType,
  headerConstants,
  loadDocument,
  require,
} from './contracts.mjs';

const problems = [];
const fail = (text) => problems.push(text);

// 1. The AsyncAPI document itself. Errors and warnings fail; information
// and hints are shown, but for the note that 3.1 exists (the document is
// 3.0 on purpose: the version the project's tools were written against).
async function lintDocument() {
  const { Parser, fromFile } = require('@asyncapi/parser');
  const { document, diagnostics } = await fromFile(new Parser(), ASYNCAPI).parse();
  const names = ['error', 'warning', 'information', 'hint'];
  for (const d of diagnostics) {
    const where = `${ASYNCAPI}:${(d.range?.start?.line ?? 0) + 1}`;
    const text = `${where}: ${names[d.severity]} ${d.code}: ${d.message} (${(d.path ?? []).join('.')})`;
    if (d.severity <= 1) {
      fail(text);
    } else if (d.code !== 'asyncapi-latest-version') {
      console.log(`lint-events: note: ${text}`);
    }
  }
  if (!document) {
    fail(`${ASYNCAPI}: not a valid AsyncAPI document`);
  }
}

// 2. Every message payload compiles.
function compilePayloads(doc) {
  const ajv = buildAjv(doc);
  for (const name of Object.keys(doc.components?.messages ?? {})) {
    try {
      ajv.getSchema(`asyncapi#/components/messages/${name}/payload`) ??
        fail(`${ASYNCAPI}: message ${name} has no payload`);
    } catch (e) {
      fail(`${ASYNCAPI}: message ${name}: payload does not compile: ${e.message}`);
    }
  }
}

// 3. Headers and channels name the same types; each producer's header names
// its own types only.
function crossCheck(doc, constants) {
  const byType = channelsByType(doc);
  const types = constants.filter((c) => !c.prefix);
  const seen = new Map();
  for (const c of constants) {
    if (seen.has(c.value)) {
      fail(`${c.file}: ${c.name} repeats "${c.value}" (${seen.get(c.value)})`);
    }
    seen.set(c.value, c.name);
    const producer = basename(c.file, '.h');
    if (!c.name.startsWith(`${producer.toUpperCase()}_EVENT_`)) {
      fail(`${c.file}: ${c.name} should be named ${producer.toUpperCase()}_EVENT_…`);
    }
    if (producer !== 'external' && !c.value.startsWith(`${producer}.`)) {
      fail(`${c.file}: ${c.name} = "${c.value}" is not a ${producer} event type`);
    }
  }
  for (const c of types) {
    if (!byType.has(c.value)) {
      fail(`${c.file}: ${c.name} = "${c.value}" has no channel (address evt.${c.value}) in ${ASYNCAPI}`);
    } else if (byType.get(c.value).messages.some((m) => !m || !doc.components?.messages?.[m])) {
      fail(`${ASYNCAPI}: channel ${byType.get(c.value).channel} names a message that does not exist`);
    }
  }
  const defined = new Set(types.map((c) => c.value));
  for (const [type, { channel }] of byType) {
    if (!defined.has(type)) {
      fail(`${ASYNCAPI}: channel ${channel} (evt.${type}) is named by no header in ${HEADERS}/`);
    }
  }
  for (const [name, channel] of Object.entries(doc.channels ?? {})) {
    if (!channelType(channel?.address) && !String(channel?.address).startsWith('evt.')) {
      fail(`${ASYNCAPI}: channel ${name}: address must be evt.<type>`);
    }
  }
  return byType.size;
}

// The C text with comments blanked (strings kept), so a comment may quote
// an event type.
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"/g, (m) =>
    m.startsWith('"') ? m : m.replace(/[^\n]/g, ' '),
  );
}

// 4. No event type (or family prefix) as a literal outside the headers.
function checkLiterals(constants) {
  const byValue = new Map(constants.map((c) => [c.value, c]));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.c', '*.h'], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => /^(libcommon|services)\//.test(f) && !f.startsWith(`${HEADERS}/`) && !f.includes('/tests/'));
  for (const file of files) {
    let text;
    try {
      text = stripComments(readFileSync(file, 'utf8'));
    } catch {
      continue; // deleted but not yet staged
    }
    text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(/"([a-z0-9_.-]+)"/g)) {
        const c = byValue.get(m[1]);
        if (c) {
          fail(`${file}:${i + 1}: "${m[1]}" is an event type: use ${c.name} (${c.file})`);
        }
      }
    });
  }
  return files.length;
}

const doc = loadDocument();
const constants = headerConstants();
await lintDocument();
compilePayloads(doc);
const channels = crossCheck(doc, constants);
const sources = checkLiterals(constants);
for (const p of problems) {
  console.log(`lint-events: ${p}`);
}
if (problems.length) {
  console.log(`lint-events: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(
  `lint-events: ok: ${ASYNCAPI} valid; ${channels} event types, each with a channel and a constant in ` +
    `${HEADERS}/*.h; no event type literal in ${sources} C files`,
);
