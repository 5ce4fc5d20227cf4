// Values from a dropped file can be objects that String() cannot convert (their own "toString": null): readers get
// text or a fallback, never an exception.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { textOf } from '../../../electron/core/workflow/text-of.js';
import { convertWorkflow } from '../../../electron/core/workflow/convert.js';
import { parseObjectInfo } from '../../../electron/core/workflow/object-info.js';
import { rawObjectInfo } from './support/object-info.js';

test('textOf gives String()-like text, and the fallback where String() throws', () => {
  assert.equal(textOf('KSampler', '*'), 'KSampler');
  assert.equal(textOf(12, ''), '12');
  assert.equal(textOf(['a', 'b'], ''), 'a,b');
  const hostile = JSON.parse('{"toString": null, "valueOf": null}') as unknown;
  assert.throws(() => String(hostile));
  assert.equal(textOf(hostile, '*'), '*');
  assert.equal(textOf([hostile], '*'), '*', 'an array joining such an object throws too');
});

test('regression: a UI workflow whose ids and slot types are such objects is refused or converted, never thrown', () => {
  const hostile = (): unknown => JSON.parse('{"toString": null}');
  const workflow = {
    last_node_id: 2,
    last_link_id: 1,
    nodes: [
      { id: hostile(), type: 'EmptyLatentImage', mode: 0, outputs: [{ name: 'LATENT', type: [hostile()], links: [1] }], widgets_values: [512, 512, 1] },
      { id: 2, type: 'PreviewAny', mode: 0, inputs: [{ name: 'source', type: hostile(), link: 1 }], outputs: [{ name: 'x', type: hostile() }] },
    ],
    links: [[1, hostile(), 0, 2, 0, hostile()]],
    groups: [],
    version: 0.4,
  };
  const result = convertWorkflow(workflow, parseObjectInfo(rawObjectInfo()).info);
  if (!result.ok) assert.ok(result.errors.every((error) => error.message.length > 0));
});
