import { findKeywordTypo } from './schema-keyword-typos';

describe('findKeywordTypo: keys JSON Schema would ignore that were meant as keywords', () => {
  it.each([
    [{ type: 'object', requried: ['id'] }, 'schema.requried', 'required'],
    [{ type: 'object', propertes: { id: { type: 'string' } } }, 'schema.propertes', 'properties'],
    [{ type: 'object', properties: { name: { type: 'string', minlength: 1 } } }, 'schema.properties.name.minlength', 'minLength'],
    [{ type: 'object', properties: { 'first name': { type: 'string', maxLenght: 3 } } }, 'schema.properties["first name"].maxLenght', 'maxLength'],
    [{ anyOf: [{ type: 'string' }, { type: 'number', minimun: 0 }] }, 'schema.anyOf[1].minimun', 'minimum'],
    [{ $defs: { id: { type: 'string', pattrn: '^a' } } }, 'schema.$defs.id.pattrn', 'pattern'],
    [{ type: 'array', items: { additionalProperty: false } }, 'schema.items.additionalProperty', 'additionalProperties'],
    [{ if: { type: 'string' }, then: { descripton: 'x' } }, 'schema.then.descripton', 'description'],
    [{ type: 'object', Required: ['id'] }, 'schema.Required', 'required'],
    [{ type: 'object', properties: {}, exmaple: {} }, 'schema.exmaple', 'example'],
    [{ tpye: 'string' }, 'schema.tpye', 'type'],
  ])('finds %j at %s (meant %s)', (schema, path, meant) => {
    expect(findKeywordTypo(schema)).toEqual({ path, meant });
  });

  it('passes keywords of 2020-12 and OpenAPI, extensions, annotations of the author\'s own, and property names that look like keywords', () => {
    expect(
      findKeywordTypo({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        required: ['requried', 'type'],
        properties: { requried: { type: 'boolean' }, minlength: { type: 'integer', example: 1, nullable: true }, type: { enum: ['a'] } },
        discriminator: { propertyName: 'type' },
        'x-internal': true,
        'x-requried': 1,
        owner: 'shop team',
        examples: [{ propertes: 1 }],
        default: { minimun: 1 },
      }),
    ).toBeUndefined();
    expect(findKeywordTypo(true)).toBeUndefined();
    // Keys of other vocabularies, two edits or more from a short keyword: json-schema-to-typescript's
    // tsType, ajv-keywords' typeof, range and allRequired, Hyper-Schema's base, and words of one's own.
    expect(findKeywordTypo({ type: 'string', tsType: 'Foo', typeof: 'string', range: [1, 2], allRequired: true, base: '/', sample: 'x', time: 1, select: {}, examples: ['a'] })).toBeUndefined();
  });
});
